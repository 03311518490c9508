// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"
#include "core/httpresponder.h"
#include "relay/eventlog.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>

class QWebSocket;

namespace ct {

struct RelayMetrics;

struct DeliveryLimits
{
    std::chrono::milliseconds keepaliveInterval {30'000};
    std::chrono::milliseconds keepaliveTimeout {75'000};
    std::chrono::milliseconds revocationCheck {5'000};
    qint64 clientBufferLimit = 8 * 1024 * 1024;
};

/*!
 * \brief Pushes stored events to desktop apps over WebSockets (the protocol in README, "Relay protocol").
 *
 * `GET /events?since=<seq>` with a bearer token: hello, then a gap notice if retention dropped
 * events after `since`, then every stored event after `since` (paced by what the client reads), then
 * live, then live events. Keepalive pings; silent peers dropped; slow ones closed with 4008; revoked
 * tokens closed with 4001 within the revocation check interval; 1001 at shutdown.
 */
class DeliveryHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryHub)

public:
    DeliveryHub(EventLog *log, RelayMetrics *metrics, const DeliveryLimits &limits, QObject *parent = nullptr);
    ~DeliveryHub() override;

    //! The HTTP handler for GET /events: checks the token (401), then hands the socket to WebSockets.
    void handleUpgrade(const HttpRequest &request, const HttpResponder &responder);
    void broadcastStored(const QList<ct::StoredEvent> &events, const QList<qint64> &receivedNs);
    void broadcastRejected(int httpStatus, const QString &reason, const QByteArray &eventType);
    void closeAll(); //!< 1001, at shutdown
    int clientCount() const { return int(m_sessions.size()); }

private:
    struct Session
    {
        QWebSocket *socket = nullptr;
        QString tokenName;
        qint64 lastSent = 0; //!< seq of the last event sent
        bool live = false;
        bool closing = false;
        QElapsedTimer lastHeard;
    };

    void handleNewSocket();
    void pump(Session &session);
    void send(Session &session, const QByteArray &json);
    void send(Session &session, const QString &json);
    void closeSession(Session &session, quint16 code, const QString &reason, const QByteArray &metric);
    void keepalive();
    void checkRevocations();
    static QByteArray hashToken(QByteArrayView token);

    EventLog *m_log = nullptr;
    RelayMetrics *m_metrics = nullptr;
    DeliveryLimits m_limits;
    QWebSocketServer m_server;
    QHash<QWebSocket *, Session> m_sessions;
    QTimer m_keepaliveTimer;
    QTimer m_revocationTimer;
};

} // namespace ct
