// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>

class QNetworkReply;

namespace ct {

/*!
 * \brief "Test connection" for a relay: says exactly what failed — DNS, TLS, a refused token, a
 * timeout, a refused connection, or a URL that is not a relay.
 *
 * A plain GET of /events with the token: the relay answers 426 (upgrade required) to a good token
 * and 401 to a bad one, before any WebSocket. (Qt 6.4's QWebSocket reports an HTTP status only
 * inside its error string, so the test does not rely on it.)
 */
class RelayConnectionTester final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelayConnectionTester)

public:
    enum class Result { Ok, Dns, Tls, Unauthorized, Timeout, Refused, NotARelay, Other };
    Q_ENUM(Result)

    explicit RelayConnectionTester(QObject *parent = nullptr);
    void test(const QString &typedUrl, const QByteArray &token, int timeoutMs = 10'000);
    void setExtraCaCertificates(const QList<QSslCertificate> &certs) { m_extraCa = certs; }

Q_SIGNALS:
    void finished(ct::RelayConnectionTester::Result result, const QString &message);

private:
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_reply;
    QList<QSslCertificate> m_extraCa;
};

} // namespace ct
