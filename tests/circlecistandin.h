// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The project's CircleCI API stand-in (tests/circleci-standin/, a protocol stand-in built from the
// API's documented shapes and traps) as a child process on 127.0.0.1, and its control API.
// Needs CT_SOURCE_DIR.
#pragma once

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTest>
#include <QTimer>

namespace ct::test {

class CircleCiStandIn
{
public:
    ~CircleCiStandIn() { stop(); }

    //! Starts it (optionally over TLS with \a certFile / \a keyFile) and waits for its port.
    bool start(const QString &certFile = {}, const QString &keyFile = {})
    {
        QStringList args {QStringLiteral(CT_SOURCE_DIR "/tests/circleci-standin/circleci_standin.py"),
                          QStringLiteral("--port"),
                          QStringLiteral("0"),
                          QStringLiteral("--fixtures"),
                          QStringLiteral(CT_SOURCE_DIR "/tests/circleci-standin/fixture-default.json"),
                          QStringLiteral("--exit-on-stdin-eof")};
        if (!certFile.isEmpty())
            args << QStringLiteral("--tls-cert") << certFile << QStringLiteral("--tls-key") << keyFile;
        m_tls = !certFile.isEmpty();
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral("python3"), args);
        if (!m_process.waitForStarted(10000))
            return false;
        while (!m_process.canReadLine()) {
            if (!m_process.waitForReadyRead(15000))
                return false;
        }
        m_port = m_process.readLine().trimmed().toInt();
        return m_port > 0;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    int port() const { return m_port; }
    //! What `--host` takes: the stand-in serves /api/v2 and /api/v1.1 below it.
    QString host() const
    {
        return QStringLiteral("%1://127.0.0.1:%2")
            .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
            .arg(m_port);
    }

    //! A control call (`/_standin/…`, plain http even when the API speaks TLS it is the same port:
    //! so control calls go over TLS too, without a certificate check).
    QJsonDocument control(const QByteArray &method, const QString &path, const QJsonDocument &body = {})
    {
        QNetworkRequest request(QUrl(host() + QStringLiteral("/_standin/") + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (m_tls) {
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
            request.setSslConfiguration(ssl);
        }
        QNetworkReply *reply = body.isNull()
            ? m_network.sendCustomRequest(request, method)
            : m_network.sendCustomRequest(request, method, body.toJson(QJsonDocument::Compact));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        const QJsonDocument out = QJsonDocument::fromJson(reply->readAll());
        m_lastStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return out;
    }
    int lastStatus() const { return m_lastStatus; }

    void reset() { control("POST", QStringLiteral("reset")); }
    void addFault(const QJsonObject &fault) { control("POST", QStringLiteral("faults"), QJsonDocument(fault)); }
    void setOptions(const QJsonObject &options) { control("PATCH", QStringLiteral("options"), QJsonDocument(options)); }
    QJsonArray requests() { return control("GET", QStringLiteral("requests")).array(); }
    //! Every stored webhook, with its real secret.
    QJsonArray webhooks() { return control("GET", QStringLiteral("webhooks")).array(); }
    //! The stored webhooks of the project \a slug.
    QJsonArray webhooksOf(const QString &slug)
    {
        QString id;
        for (const QJsonValue &p : control("GET", QStringLiteral("projects")).array()) {
            if (p[QStringLiteral("slug")].toString() == slug)
                id = p[QStringLiteral("id")].toString();
        }
        QJsonArray out;
        for (const QJsonValue &w : webhooks()) {
            if (w[QStringLiteral("scope")][QStringLiteral("id")].toString() == id)
                out.append(w);
        }
        return out;
    }

private:
    QProcess m_process;
    QNetworkAccessManager m_network;
    int m_port = 0;
    bool m_tls = false;
    int m_lastStatus = 0;
};

} // namespace ct::test
