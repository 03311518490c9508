// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/sources/directsource.h"

#include "app/applogging.h"

using namespace Qt::StringLiterals;

namespace ct {

DirectSource::DirectSource(quint16 port, const QList<QByteArray> &secrets, QObject *parent)
    : EventSource(parent)
    , m_port(port)
    , m_receiver(&m_server)
{
    m_retryListen.setSingleShot(true);
    connect(&m_retryListen, &QTimer::timeout, this, [this] {
        if (m_running)
            start();
    });
    m_receiver.setSecrets(secrets);
    m_hasSecret = std::any_of(secrets.cbegin(), secrets.cend(), [](const QByteArray &s) { return !s.isEmpty(); });
    m_receiver.setHandler([this](const WebhookDelivery &d, const HttpResponder &responder) {
        m_notStored = false;
        Q_EMIT eventReceived(d.event, false); // stored by the time the slots return
        if (std::exchange(m_notStored, false))
            responder.respond(HttpResponse::text(503, "the app could not store this event; retry later"_ba));
        else
            responder.respond(HttpResponse::text(200, "ok"_ba));
    });
    connect(&m_receiver, &WebhookReceiver::deliveryRejected, this,
            [this](int status, const QString &reason, const QByteArray &, bool looksLikeCircleCi) {
                // Only what carries a CircleCI-shaped signature: a wrong secret, or none configured.
                if (looksLikeCircleCi && (status == 401 || status == 503)) {
                    if (const QString text = m_rejections.take(1, reason); !text.isEmpty())
                        Q_EMIT problem(text);
                }
            });
}

bool DirectSource::isConnected() const
{
    return m_server.isListening() && m_hasSecret;
}

void DirectSource::start()
{
    m_running = true;
    if (m_server.isListening())
        return;
    if (!m_server.listen(QHostAddress::LocalHost, m_port)) {
        // Another program holds the port (often a previous run still shutting down, or ngrok's
        // target moved): retried with backoff until it frees, and the tooltip says why meanwhile.
        const QString reason = m_server.errorString();
        m_listenError = u"port %1 is not available (%2) — retrying"_s.arg(m_port).arg(reason);
        if (m_listenFailures == 0)
            Q_EMIT problem(u"Cannot receive webhooks on port %1: %2. CircleTray keeps trying; free the port or "
                           "choose another in Settings."_s.arg(m_port)
                               .arg(reason));
        const int delayMs = 1000 * (1 << std::min(m_listenFailures, 6)); // 1 s … 64 s
        ++m_listenFailures;
        m_retryListen.start(delayMs);
        Q_EMIT connectionChanged(false);
        return;
    }
    m_listenFailures = 0;
    m_listenError.clear();
    qCInfo(lcAppSource).nospace() << "receiving webhooks on 127.0.0.1:" << m_server.serverPort();
    if (!m_hasSecret) {
        // Listening all the same: CircleCI's deliveries get 503 and are retried once a secret is set.
        Q_EMIT problem(u"No webhook secret is set: CircleCI's deliveries are refused until you enter, in "
                       "Settings, the secret you gave CircleCI."_s);
        Q_EMIT connectionChanged(false);
        return;
    }
    Q_EMIT connectionChanged(true);
}

void DirectSource::stop()
{
    m_running = false;
    m_retryListen.stop();
    m_server.close();
    Q_EMIT connectionChanged(false);
}

QString DirectSource::describe() const
{
    if (!m_listenError.isEmpty())
        return u"not ready: "_s + m_listenError;
    if (!m_hasSecret)
        return u"not ready: no webhook secret — direct on 127.0.0.1:%1/webhook"_s.arg(port());
    return u"direct on 127.0.0.1:%1/webhook"_s.arg(port());
}

} // namespace ct
