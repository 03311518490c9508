// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/notifications/rejectionnotice.h"
#include "app/sources/eventsource.h"
#include "core/eventparser.h"
#include "core/webhookverifier.h"

#include <QDateTime>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace ct {

/*!
 * \brief Events from a circletray-relay over a WebSocket (the protocol in README, "Relay protocol").
 *
 * Resumes with since=<last seq> on every reconnect and starts over from 0 when the relay's id
 * changes (a wiped log). With webhook secrets configured it verifies CircleCI's signature on every
 * event itself and drops (and reports) any that fail. Reconnects with exponential backoff and
 * jitter after errors. It pings the relay every quarter of the dead-link timeout (the relay's own
 * pings are answered inside QWebSocket, unseen); 75 s without a message or a pong counts as a dead
 * link, and a connection not open within 20 s as a failed attempt (a network that swallows
 * packets would otherwise hold it forever). A change in network reachability reconnects at once.
 */
class RelaySource final : public EventSource
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelaySource)

public:
    RelaySource(const QUrl &relayUrl, const QByteArray &token, const QList<QByteArray> &secrets,
                QObject *parent = nullptr);
    ~RelaySource() override;

    //! Where to resume: what the app stored last time (relay id and last processed sequence number).
    void setPosition(const QString &relayId, qint64 lastSeq);
    QString relayId() const { return m_relayId; }
    qint64 lastSeq() const { return m_lastSeq; }
    void setSslConfiguration(const QSslConfiguration &ssl) { m_socket.setSslConfiguration(ssl); }
    void setDeadLinkTimeout(std::chrono::milliseconds t);
    void setConnectTimeout(std::chrono::milliseconds t) { m_connectTimeout.setInterval(t); }

    void start() override;
    //! Drops the connection and connects again now (after a resume from suspend).
    void reconnectNow();
    void stop() override;
    bool isConnected() const override { return m_connected; }
    //! Where the token came from, for the user: "Settings" or "--token-file /path".
    void setTokenOrigin(const QString &origin) { m_tokenOrigin = origin; }
    //! How long to wait after the relay refused the token (401) or the address (429).
    void setAuthRetryDelay(std::chrono::milliseconds delay) { m_authRetry = delay; }
    void eventNotStored() override { m_notStored = true; }
    /*!
     * Deliveries the relay received before \a t (when the setup guide was finished) are history, not
     * news: one whose signature does not match is dropped and logged, never reported as a problem
     * (they were signed before this device had its secret).
     */
    void setQuietBefore(const QDateTime &t) { m_quietBefore = t; }
    QString describe() const override;

    //! ws[s]://host[:port]/events from what a user types (https://…, wss://…, a bare host).
    static QUrl eventsUrl(const QString &typed);

Q_SIGNALS:
    //! The app has processed everything up to \a seq of log \a relayId: store it to resume from there.
    void positionChanged(const QString &relayId, qint64 seq);
    void gap(qint64 from, qint64 to);

private:
    void connectNow();
    void scheduleReconnect();
    void handleMessage(const QString &text);
    void handleDisconnected();

    QUrl m_url;
    QByteArray m_token;
    WebhookVerifier m_verifier;
    EventParser m_parser;
    RejectionNotice m_rejections;
    QWebSocket m_socket;
    QTimer m_reconnect;
    QTimer m_deadLink;
    QTimer m_keepalive; //!< our pings: their pongs prove the link alive
    QTimer m_connectTimeout;
    QString m_relayId;
    qint64 m_lastSeq = 0;
    int m_failures = 0;
    bool m_running = false;
    bool m_connected = false;
    bool m_replaying = false;
    int m_handshakeStatus = 0; //!< the HTTP status that refused the last handshake, if any
    QString m_lastError; //!< why it is disconnected, for the tooltip
    QDateTime m_disconnectedSince;
    QString m_tokenOrigin = QStringLiteral("Settings");
    bool m_toldTokenRefused = false;
    std::chrono::milliseconds m_authRetry {5 * 60 * 1000};
    QDateTime m_quietBefore;
    int m_quietDrops = 0; //!< dropped deliveries from before the setup, logged once when live
    bool m_notStored = false; //!< set while eventReceived() is handled
    bool m_holdPosition = false; //!< an event was not stored: the saved position stays before it
};

} // namespace ct
