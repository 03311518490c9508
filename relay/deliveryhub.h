// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"
#include "core/httpresponder.h"
#include "relay/eventlog.h"
#include "relay/tokenattemptlimiter.h"
#include "relay/websocket/descriptorreactor.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace ct {

class LogReader;
class WebSocketConnection;

struct RelayMetrics;

struct DeliveryLimits
{
    std::chrono::milliseconds keepaliveInterval {30'000};
    std::chrono::milliseconds keepaliveTimeout {75'000};
    std::chrono::milliseconds revocationCheck {5'000};
    qint64 clientBufferLimit = 8 * 1024 * 1024;
    int maxSessionsPerToken = 16; //!< more are refused 429 (and closed 4008 if they raced past)
    std::chrono::milliseconds rejectedNoticeInterval {60'000}; //!< at most one rejected notice per interval
    //! Clients send the relay nothing but pings and pongs: larger frames or messages close them (1009).
    qint64 maxIncomingMessage = 4096;
    TokenAttemptLimiter::Limits tokenAttempts;
    QList<QHostAddress> trustedProxies; //!< their X-Forwarded-For names the client
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
    //! Catch-up pages are read through \a reader (off the event loop); \a log answers the rest.
    DeliveryHub(EventLog *log, LogReader *reader, RelayMetrics *metrics, const DeliveryLimits &limits,
                QObject *parent = nullptr);
    ~DeliveryHub() override;

    //! The HTTP handler for GET /events: checks the token (401, 429 while an address is blocked for
    //! failed attempts or a token has too many sessions), then hands the socket to WebSockets.
    void handleUpgrade(const HttpRequest &request, const HttpResponder &responder);
    void broadcastStored(const QList<ct::StoredEvent> &events, const QList<qint64> &receivedNs);
    /*!
     * A webhook delivery was refused. Only what looks like CircleCI's (\a looksLikeCircleCi) is
     * announced, coalesced: at most one `rejected` notice per interval, with the count and the last
     * reason; the rest is only counted. Notices obey the client buffer limit.
     */
    void noteRejected(const QString &reason, const QByteArray &eventType, bool looksLikeCircleCi);
    void closeAll(); //!< 1001, at shutdown
    int clientCount() const { return int(m_sessions.size()); }

    //! How a bearer token in \a request from \a peer checks out, counting failures against the
    //! address. Also for /healthz details.
    enum class TokenCheck { Valid, Missing, Invalid, Blocked };
    //! \a peer, or the client a trusted proxy names last in X-Forwarded-For.
    QHostAddress clientAddress(const HttpRequest &request, const QHostAddress &peer) const;
    TokenCheck checkToken(const HttpRequest &request, const QHostAddress &peer, QString *name = nullptr,
                          qint64 *retryAfterMs = nullptr);
    //! The same for a token given some other way (the dashboard's sign-in form); the same budget of
    //! failures per address.
    TokenCheck checkTokenValue(QByteArrayView token, const QHostAddress &peer, QString *name = nullptr,
                               qint64 *retryAfterMs = nullptr);
    static QByteArray hashToken(QByteArrayView token);

private:
    struct Session
    {
        WebSocketConnection *socket = nullptr;
        QString tokenName;
        QByteArray tokenHash; //!< the session ends when this token is revoked, whatever its name does
        qint64 lastSent = 0; //!< seq of the last event sent
        bool live = false;
        bool closing = false;
        bool retryPending = false; //!< a replay read failed: pump() again shortly
        quint64 pendingRead = 0; //!< the catch-up page being read
        int emptyBehind = 0; //!< empty pages in a row while the live stream was further on
        qint64 helloHead = 0; //!< the log's head when the session began: it catches up at least that far
        QElapsedTimer lastHeard;
    };

    void startSession(WebSocketConnection *ws, const QString &tokenName, const QByteArray &tokenHash, qint64 since);
    void pump(Session &session);
    void replayPageRead(quint64 request, const QList<ct::StoredEvent> &page, bool ok);
    void send(Session &session, const QByteArray &json);
    void closeSession(Session &session, quint16 code, const QString &reason, const QByteArray &metric);
    void dropSession(WebSocketConnection *ws, const QByteArray &metric); //!< abort and forget, now
    void removeSession(WebSocketConnection *ws);
    void checkBacklog(WebSocketConnection *ws);
    void keepalive();
    void checkRevocations();
    void revocationsRead(quint64 request, const QList<ct::TokenInfo> &tokens);
    void flushRejected();
    void reportTokenFailures();

    EventLog *m_log = nullptr;
    LogReader *m_reader = nullptr;
    QHash<quint64, WebSocketConnection *> m_readRequests; //!< catch-up reads in flight
    quint64 m_tokensRequest = 0; //!< the revocation check's read in flight
    RelayMetrics *m_metrics = nullptr;
    DeliveryLimits m_limits;
    DescriptorReactor m_reactor; //!< the sessions' sockets, one entry in the event loop
    QHash<WebSocketConnection *, Session> m_sessions;
    qint64 m_broadcastSeq = 0; //!< highest seq broadcastStored() was given: the log holds at least that far
    QHash<QByteArray, int> m_sessionsPerToken;
    QTimer m_keepaliveTimer;
    QTimer m_revocationTimer;
    // Rejected notices waiting for the interval to end.
    QTimer m_noticeTimer;
    qint64 m_rejectedPending = 0;
    QString m_rejectedReason;
    QByteArray m_rejectedType;
    QDateTime m_rejectedAt;
    // Failed token attempts: counted per address, logged in aggregate once a minute.
    TokenAttemptLimiter m_attempts;
    QElapsedTimer m_clock;
    QTimer m_tokenReport;
    int m_tokenFailuresUnreported = 0;
    QString m_lastTokenFailure;
};

} // namespace ct
