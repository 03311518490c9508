// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/notifications/rejectionnotice.h"
#include "app/sources/eventsource.h"
#include "core/httpserver.h"
#include "core/webhookreceiver.h"

#include <QTimer>

namespace ct {

/*!
 * \brief Receives CircleCI's webhooks on this machine (through a tunnel such as ngrok).
 *
 * core's webhook route on 127.0.0.1:<port>/webhook. A delivery is answered 200 once the slots
 * connected to eventReceived() have returned, i.e. after the app stored it; 503 when one of them
 * said eventNotStored(), so that CircleCI delivers it again (it never retries a 200).
 */
class DirectSource final : public EventSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DirectSource)

public:
    DirectSource(quint16 port, const QList<QByteArray> &secrets, QObject *parent = nullptr);

    void start() override;
    void stop() override;
    bool isConnected() const override; //!< listening with a secret: ready for CircleCI
    QString describe() const override;
    quint16 port() const { return m_server.isListening() ? m_server.serverPort() : m_port; }
    void eventNotStored() override { m_notStored = true; }

private:
    quint16 m_port;
    HttpServer m_server;
    WebhookReceiver m_receiver;
    RejectionNotice m_rejections;
    bool m_hasSecret = false;
    bool m_running = false;
    int m_listenFailures = 0;
    QString m_listenError; //!< why the port could not be had; empty while listening
    QTimer m_retryListen;
    bool m_notStored = false; //!< set while eventReceived() is being handled
};

} // namespace ct
