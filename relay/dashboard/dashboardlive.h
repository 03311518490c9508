// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>
#include <functional>

class QTcpSocket;
class QWebSocket;

namespace ct {

struct RelayMetrics;

/*!
 * \brief The dashboard's live stream: a WebSocket per open page, server → client only.
 *
 * A page connects with the sequence number it has; it gets the whole state when that is not the
 * head (it missed something), then an `update` per change. Pages are pinged and dropped when
 * silent, closed 4008 when they do not keep up (they reconnect and get the state), 1008 when they
 * send data, 4001 when their session ends (checked every few seconds) and 1001 at shutdown.
 */
class DashboardLive final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardLive)

public:
    struct Limits
    {
        std::chrono::milliseconds keepaliveInterval {30'000};
        std::chrono::milliseconds keepaliveTimeout {75'000};
        std::chrono::milliseconds sessionCheck {5'000};
        qint64 bufferLimit = 8 * 1024 * 1024;
        int maxPagesPerSession = 8;
    };
    //! What the live stream asks of the dashboard.
    struct Callbacks
    {
        std::function<QJsonObject()> state; //!< the whole state
        std::function<qint64()> head; //!< the head sequence number
        std::function<QString()> relayId;
        //! The session hash for the cookie in these request headers, if signed in.
        std::function<std::optional<QByteArray>(const QByteArray &cookieHeader)> sessionOf;
        std::function<bool(const QByteArray &sessionHash)> sessionValid; //!< without recording activity
        std::function<void(const QByteArray &sessionHash)> touch; //!< a connected page is activity
        //! The log answers: when it does not (PostgreSQL restarting), no session is taken for ended.
        std::function<bool()> storageHealthy;
    };
    DashboardLive(RelayMetrics *metrics, Limits limits, Callbacks callbacks, QObject *parent = nullptr);
    ~DashboardLive() override;

    //! Takes over \a socket (its upgrade request unread in it) for the session \a sessionHash.
    void accept(QTcpSocket *socket);
    //! True when the session may open another page (at most maxPagesPerSession).
    bool hasRoomFor(const QByteArray &sessionHash) const
    {
        return m_perSession.value(sessionHash) < m_limits.maxPagesPerSession;
    }
    void broadcast(const QJsonObject &message);
    void endSession(const QByteArray &sessionHash); //!< 4001 to its pages (signed out)
    void closeAll(); //!< 1001
    int pageCount() const { return int(m_pages.size()); }

private:
    struct Page
    {
        QWebSocket *socket = nullptr;
        QByteArray session;
        QElapsedTimer lastHeard;
        bool closing = false;
    };
    void handleNewSocket();
    void close(Page &page, quint16 code, const QString &reason, const QByteArray &metric);
    void remove(QWebSocket *ws);
    void keepalive();
    void checkSessions();

    RelayMetrics *m_metrics;
    Limits m_limits;
    Callbacks m_callbacks;
    QWebSocketServer m_server;
    QHash<QWebSocket *, Page> m_pages;
    QHash<QByteArray, int> m_perSession;
    QTimer m_keepaliveTimer;
    QTimer m_sessionTimer;
    QElapsedTimer m_sinceTouch;
};

} // namespace ct
