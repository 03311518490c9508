// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/sources/relayconnectiontester.h"

#include "app/sources/relaysource.h"

#include <QNetworkReply>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;

namespace ct {

RelayConnectionTester::RelayConnectionTester(QObject *parent)
    : QObject(parent)
{ }

void RelayConnectionTester::test(const QString &typedUrl, const QByteArray &token, int timeoutMs)
{
    if (m_reply)
        m_reply->abort();
    // The common mistakes first, named as such (no request needed to tell them).
    const QString typed = typedUrl.trimmed();
    if (typed.isEmpty()) {
        Q_EMIT finished(Result::Other, u"Enter the relay's address, e.g. https://relay.example.com."_s);
        return;
    }
    if (token.trimmed().isEmpty()) {
        Q_EMIT finished(Result::Other,
                        u"Enter this device's token: on the relay, run "
                        "\"circletray-relay token add NAME\" and paste what it prints."_s);
        return;
    }
    if (QUrl(typed.contains(u"://"_s) ? typed : u"https://"_s + typed).path().endsWith(u"/webhook"_s)) {
        Q_EMIT finished(Result::NotARelay,
                        u"That is the URL CircleCI posts to. Here the app needs the relay's own address, without "
                        "/webhook (e.g. https://relay.example.com)."_s);
        return;
    }
    const bool schemeGuessed = !typed.contains(u"://"_s);
    QUrl url = RelaySource::eventsUrl(typedUrl);
    url.setScheme(url.scheme() == u"ws" ? u"http"_s : u"https"_s);
    if (!url.isValid() || url.host().isEmpty()) {
        Q_EMIT finished(Result::Other, u"\"%1\" is not a URL."_s.arg(typedUrl));
        return;
    }
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token.trimmed());
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!m_extraCa.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_extraCa);
        request.setSslConfiguration(ssl);
    }
    QNetworkReply *reply = m_network.get(request);
    m_reply = reply;
    auto sslProblems = std::make_shared<QStringList>();
    connect(reply, &QNetworkReply::sslErrors, this, [sslProblems](const QList<QSslError> &errors) {
        for (const QSslError &e : errors)
            sslProblems->append(e.errorString());
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, url, sslProblems, schemeGuessed] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString host = url.host();
        switch (reply->error()) {
        case QNetworkReply::HostNotFoundError:
            Q_EMIT finished(Result::Dns, u"DNS: the name %1 does not resolve. Check the relay URL."_s.arg(host));
            return;
        case QNetworkReply::SslHandshakeFailedError:
            if (sslProblems->isEmpty()
                && reply->errorString().contains(u"wrong version number"_s, Qt::CaseInsensitive)) {
                // An HTTP answer where a TLS handshake was expected.
                Q_EMIT finished(
                    Result::Tls,
                    u"TLS: port %1 on %2 does not speak TLS. %3Use http:// for a relay without a "
                    "certificate (behind a proxy, use the proxy's https:// address)."_s.arg(url.port(443))
                        .arg(host, schemeGuessed ? u"No scheme was given, so https:// was tried. "_s : QString()));
                return;
            }
            Q_EMIT finished(Result::Tls,
                            u"TLS: %1's certificate is not trusted (%2)."_s.arg(
                                host, sslProblems->isEmpty() ? reply->errorString() : sslProblems->join(u"; "_s)));
            return;
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            Q_EMIT finished(Result::Timeout,
                            u"Timeout: %1 did not answer in time (firewall? wrong port?)."_s.arg(host));
            return;
        case QNetworkReply::ConnectionRefusedError:
            Q_EMIT finished(
                Result::Refused,
                u"Refused: nothing listens on %1:%2."_s.arg(host).arg(url.port(url.scheme() == u"https" ? 443 : 80)));
            return;
        default:
            break;
        }
        if (status == 426) {
            Q_EMIT finished(Result::Ok, u"Connected: the relay accepted the token."_s);
        } else if (status == 401) {
            Q_EMIT finished(Result::Unauthorized,
                            u"401: the relay refused this token (unknown or revoked). Create one on the relay with "
                            "\"circletray-relay token add NAME\"."_s);
        } else if (status != 0) {
            Q_EMIT finished(Result::NotARelay,
                            u"HTTP %1 from %2: is this a circletray-relay URL?"_s.arg(status).arg(host));
        } else {
            Q_EMIT finished(Result::Other, reply->errorString());
        }
    });
}

} // namespace ct
