// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/deliveryhub.h"

#include "core/logging.h"
#include "core/relaymessage.h"
#include "core/timestamp.h"
#include "relay/ingestor.h"
#include "relay/logreader.h"
#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"
#include "relay/websocket/websocketconnection.h"
#include "relay/websocket/websockethandshake.h"

#include <QCryptographicHash>
#include <QSet>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

namespace {

    constexpr int replayPage = 200;
    constexpr qint64 replayHighWater = 256 * 1024; // keep at most this much unsent while catching up
    constexpr int closeGraceMs = 10'000; // a closed client that does not answer is dropped after this

    QByteArray eventMessage(const StoredEvent &e)
    {
        return RelayMessage::event(e.seq, e.receivedAt, e.eventType, e.signature, e.body);
    }

    QByteArray textFrame(const QByteArray &json)
    {
        return WebSocketFramer::frame(WebSocketFramer::Opcode::Text, json);
    }

    std::optional<qint64> sinceFrom(const QString &query)
    {
        const QUrlQuery q(query);
        if (!q.hasQueryItem(u"since"_s))
            return 0;
        bool ok = false;
        const qint64 since = q.queryItemValue(u"since"_s).toLongLong(&ok);
        if (!ok || since < 0)
            return std::nullopt;
        return since;
    }

    QByteArrayView bearer(QByteArrayView authorization)
    {
        const QByteArrayView prefix = "Bearer ";
        if (authorization.size() <= prefix.size()
            || QByteArrayView(authorization.first(prefix.size())).compare(prefix, Qt::CaseInsensitive) != 0)
            return {};
        return authorization.sliced(prefix.size()).trimmed();
    }

} // namespace

DeliveryHub::DeliveryHub(EventLog *log, LogReader *reader, RelayMetrics *metrics, const DeliveryLimits &limits,
                         QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_reader(reader)
    , m_metrics(metrics)
    , m_limits(limits)
    , m_attempts(limits.tokenAttempts)
{
    connect(m_reader, &LogReader::pageRead, this, &DeliveryHub::replayPageRead);
    connect(m_reader, &LogReader::tokensRead, this, &DeliveryHub::revocationsRead);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &DeliveryHub::keepalive);
    connect(&m_revocationTimer, &QTimer::timeout, this, &DeliveryHub::checkRevocations);
    m_keepaliveTimer.start(m_limits.keepaliveInterval);
    m_revocationTimer.start(m_limits.revocationCheck);
    m_noticeTimer.setSingleShot(true);
    connect(&m_noticeTimer, &QTimer::timeout, this, &DeliveryHub::flushRejected);
    m_tokenReport.setSingleShot(true);
    connect(&m_tokenReport, &QTimer::timeout, this, &DeliveryHub::reportTokenFailures);
    m_clock.start();
}

DeliveryHub::~DeliveryHub()
{
    // Now, while the reactor they are registered with is still there.
    const QList<WebSocketConnection *> sockets = m_sessions.keys();
    m_sessions.clear();
    for (WebSocketConnection *ws : sockets) {
        disconnect(ws, nullptr, this, nullptr);
        ws->abort();
        delete ws;
    }
}

QByteArray DeliveryHub::hashToken(QByteArrayView token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

DeliveryHub::TokenCheck DeliveryHub::checkToken(const HttpRequest &request, const QHostAddress &peer, QString *name,
                                                qint64 *retryAfterMs)
{
    return checkTokenValue(bearer(request.header("authorization").value_or("")), peer, name, retryAfterMs);
}

DeliveryHub::TokenCheck DeliveryHub::checkTokenValue(QByteArrayView token, const QHostAddress &peer, QString *name,
                                                     qint64 *retryAfterMs)
{
    if (const qint64 wait = m_attempts.blockedFor(peer, m_clock.elapsed()); wait > 0) {
        ++m_metrics->tokenAttemptsThrottled;
        if (retryAfterMs)
            *retryAfterMs = wait;
        return TokenCheck::Blocked;
    }
    const std::optional<QString> found = token.isEmpty() ? std::nullopt : m_log->tokenName(hashToken(token));
    if (found) {
        if (name)
            *name = *found;
        return TokenCheck::Valid;
    }
    // The database did not answer (PostgreSQL restarting): not the client's failure, not counted
    // against its address; handleUpgrade() answers 503 so that apps retry soon.
    if (!token.isEmpty() && !m_log->isHealthy())
        return TokenCheck::Invalid;
    ++m_metrics->tokenFailures;
    const bool blockedNow = m_attempts.failed(peer, m_clock.elapsed());
    m_lastTokenFailure = peer.toString() + (token.isEmpty() ? u" (no token)"_s : u" (unknown or revoked token)"_s);
    if (blockedNow)
        m_lastTokenFailure += u", now refused for a while"_s;
    if (m_tokenReport.isActive()) {
        ++m_tokenFailuresUnreported; // logged in aggregate when the minute is over
    } else {
        qCInfo(lcRelayDelivery).noquote() << "refused a client from" << m_lastTokenFailure;
        m_tokenReport.start(60s);
    }
    return token.isEmpty() ? TokenCheck::Missing : TokenCheck::Invalid;
}

QHostAddress DeliveryHub::clientAddress(const HttpRequest &request, const QHostAddress &peer) const
{
    if (!m_limits.trustedProxies.contains(peer))
        return peer;
    // The proxy appends the address it saw; anything before it is what the client claimed.
    const QByteArrayView forwarded = request.header("x-forwarded-for").value_or(QByteArrayView());
    const qsizetype comma = forwarded.lastIndexOf(',');
    QHostAddress client;
    if (!client.setAddress(QString::fromLatin1(forwarded.sliced(comma + 1).trimmed())))
        return peer;
    return client;
}

void DeliveryHub::reportTokenFailures()
{
    if (m_tokenFailuresUnreported == 0)
        return;
    qCInfo(lcRelayDelivery).noquote() << m_tokenFailuresUnreported
                                      << "more clients refused for a missing, unknown or revoked token in the last "
                                         "minute; last from"
                                      << m_lastTokenFailure;
    m_tokenFailuresUnreported = 0;
    m_tokenReport.start(60s);
}

void DeliveryHub::handleUpgrade(const HttpRequest &request, const HttpResponder &responder)
{
    // The token first: a plain GET with a good token gets 426, so a client can test its settings
    // without a WebSocket (and tell a wrong token, 401, from everything else).
    QString name;
    qint64 retryAfterMs = 0;
    switch (checkToken(request, clientAddress(request, responder.peerAddress()), &name, &retryAfterMs)) {
    case TokenCheck::Valid:
        break;
    case TokenCheck::Missing:
        responder.respond(HttpResponse::text(401, "missing bearer token"_ba));
        return;
    case TokenCheck::Invalid:
        // Apps take 401 as a bad token and wait minutes: while the log cannot be asked, say so.
        if (!m_log->isHealthy())
            responder.respond(HttpResponse::text(503, "storage unavailable; retry later"_ba));
        else
            responder.respond(HttpResponse::text(401, "unknown or revoked token"_ba));
        return;
    case TokenCheck::Blocked: {
        const qint64 seconds = (retryAfterMs + 999) / 1000;
        HttpResponse r = HttpResponse::text(
            429, "too many failed token attempts from your address; retry in " + QByteArray::number(seconds) + " s");
        r.headers.append({"Retry-After"_ba, QByteArray::number(seconds)});
        responder.respond(r);
        return;
    }
    }
    if (!WebSocketHandshake::isUpgrade(request)) {
        HttpResponse r = HttpResponse::text(426, "token accepted; WebSocket upgrade required"_ba);
        r.headers.append({"Upgrade"_ba, "websocket"_ba});
        responder.respond(r);
        return;
    }
    const auto since = sinceFrom(QString::fromLatin1(request.query));
    if (!since) {
        responder.respond(HttpResponse::text(400, "since must be a sequence number (0 or more)"_ba));
        return;
    }
    const QByteArray hash = hashToken(bearer(request.header("authorization").value_or("")));
    if (m_sessionsPerToken.value(hash) >= m_limits.maxSessionsPerToken) {
        ++m_metrics->clientsClosed["too_many_sessions"_ba];
        qCInfo(lcRelayDelivery).noquote() << "refused a session for token" << logQuoted(name) << "- it has"
                                          << m_limits.maxSessionsPerToken << "already";
        responder.respond(HttpResponse::text(
            429, "this token has " + QByteArray::number(m_limits.maxSessionsPerToken) + " sessions open already"));
        return;
    }
    const auto handshake = WebSocketHandshake::answer(request);
    if (const auto *refusal = std::get_if<HttpResponse>(&handshake)) {
        responder.respond(*refusal);
        return;
    }
    auto *ws = new WebSocketConnection(m_limits.maxIncomingMessage, &m_reactor, this);
    QTcpSocket *socket = responder.takeOver(ws);
    if (!socket) {
        delete ws;
        return;
    }
    qCInfo(lcRelayDelivery).noquote() << "client" << logQuoted(name) << "connected from"
                                      << clientAddress(request, responder.peerAddress()).toString() << "since"
                                      << *since;
    ws->start(socket, std::get<QByteArray>(handshake));
    startSession(ws, name, hash, *since);
}

void DeliveryHub::startSession(WebSocketConnection *ws, const QString &tokenName, const QByteArray &tokenHash,
                               qint64 since)
{
    connect(ws, &WebSocketConnection::disconnected, this, [this, ws] { removeSession(ws); });
    Session &s = m_sessions[ws];
    s.socket = ws;
    s.tokenName = tokenName;
    s.tokenHash = tokenHash;
    s.lastSent = since;
    s.lastHeard.start();
    ++m_sessionsPerToken[tokenHash]; // checked in handleUpgrade(), with nothing in between
    // Anything from the client proves it is there. A client that sends pings and never reads makes
    // the relay queue pongs: the backlog is checked whenever it brings more (the keepalive checks it too).
    connect(ws, &WebSocketConnection::received, this, [this, ws] {
        if (auto it = m_sessions.find(ws); it != m_sessions.end()) {
            it->lastHeard.restart();
            checkBacklog(ws);
        }
    });
    connect(ws, &WebSocketConnection::bytesWritten, this, [this, ws] {
        // Refilled once half the high-water mark has drained, not on every write.
        if (auto it = m_sessions.find(ws);
            it != m_sessions.end() && !it->live && it->socket->bytesToWrite() < replayHighWater / 2)
            pump(*it);
    });
    const qint64 head = m_log->headSeq();
    const qint64 oldest = m_log->oldestSeq();
    s.helloHead = head;
    send(s, RelayMessage::hello(m_log->relayId(), head, oldest));
    if (s.lastSent + 1 < oldest && s.lastSent < head)
        send(s, RelayMessage::gap(s.lastSent + 1, oldest - 1));
    pump(s);
}

void DeliveryHub::removeSession(WebSocketConnection *ws)
{
    const auto it = m_sessions.find(ws);
    if (it != m_sessions.end()) {
        if (auto count = m_sessionsPerToken.find(it->tokenHash); count != m_sessionsPerToken.end() && --*count <= 0)
            m_sessionsPerToken.erase(count);
        m_sessions.erase(it);
    }
    ws->deleteLater();
}

void DeliveryHub::dropSession(WebSocketConnection *ws, const QByteArray &metric)
{
    ++m_metrics->clientsClosed[metric];
    disconnect(ws, nullptr, this, nullptr);
    ws->abort(); // announces nothing: the session is forgotten here
    removeSession(ws);
}

void DeliveryHub::checkBacklog(WebSocketConnection *ws)
{
    const auto it = m_sessions.find(ws);
    if (it == m_sessions.end() || ws->bytesToWrite() <= m_limits.clientBufferLimit)
        return;
    if (!it->closing) {
        closeSession(*it, 4008, u"too slow: reconnect with since"_s, "too_slow"_ba);
        return;
    }
    if (ws->bytesToWrite() > 2 * m_limits.clientBufferLimit) {
        qCInfo(lcRelayDelivery).noquote()
            << "dropping client" << logQuoted(it->tokenName) << "that keeps sending and never reads";
        dropSession(ws, "not_reading"_ba);
    }
}

void DeliveryHub::pump(Session &s)
{
    // One page at a time, read off the event loop, no larger than fits under the high-water mark
    // (at least one event): a client that stalls holds at most the mark plus one event in the
    // relay, and large events are not read 200 at a time to send a few.
    if (s.live || s.closing || s.retryPending || s.pendingRead != 0 || s.socket->bytesToWrite() >= replayHighWater)
        return;
    const qint64 maxBytes = replayHighWater - s.socket->bytesToWrite();
    s.pendingRead = m_reader->readAsync(s.lastSent, replayPage, maxBytes);
    m_readRequests.insert(s.pendingRead, s.socket);
}

void DeliveryHub::replayPageRead(quint64 request, const QList<StoredEvent> &page, bool ok)
{
    WebSocketConnection *ws = m_readRequests.take(request);
    const auto it = ws ? m_sessions.find(ws) : m_sessions.end();
    if (it == m_sessions.end() || it->pendingRead != request)
        return; // the client went meanwhile
    Session &s = *it;
    s.pendingRead = 0;
    if (s.closing)
        return;
    if (page.isEmpty()) {
        if (!ok) {
            // The database did not answer (PostgreSQL restarting): going live now would skip what
            // this client has not got yet, for good. Again shortly.
            s.retryPending = true;
            QTimer::singleShot(500, this, [this, ws] {
                if (const auto it = m_sessions.find(ws); it != m_sessions.end()) {
                    it->retryPending = false;
                    pump(*it);
                }
            });
            return;
        }
        // Nothing after lastSent, and the read did not fail. Events handed on while it was out
        // skipped this client (not live yet), and the log's head when it came is further on: read
        // until it has those too, then go live. (Bounded, should they have been pruned meanwhile.)
        if (s.lastSent < std::max(m_broadcastSeq, s.helloHead) && ++s.emptyBehind < 5) {
            pump(s);
            return;
        }
        s.live = true;
        send(s, RelayMessage::live());
        return;
    }
    s.emptyBehind = 0;
    for (const StoredEvent &e : page) {
        if (e.seq <= s.lastSent)
            continue;
        if (s.socket->bytesToWrite() >= replayHighWater)
            break; // the rest is read again once the client has taken some
        send(s, eventMessage(e));
        s.lastSent = e.seq;
        ++m_metrics->replayed;
    }
    pump(s);
}

void DeliveryHub::send(Session &s, const QByteArray &json)
{
    s.socket->sendText(json);
}

void DeliveryHub::broadcastStored(const QList<StoredEvent> &events, const QList<qint64> &receivedNs)
{
    if (!events.isEmpty())
        m_broadcastSeq = std::max(m_broadcastSeq, events.constLast().seq);
    if (m_sessions.isEmpty())
        return;
    // Framed once per event, not once per client.
    QList<QByteArray> frames;
    frames.reserve(events.size());
    for (const StoredEvent &e : events)
        frames.append(textFrame(eventMessage(e)));
    // Over a copy of the keys: closing a session may remove it.
    const QList<WebSocketConnection *> sockets = m_sessions.keys();
    for (WebSocketConnection *ws : sockets) {
        const auto it = m_sessions.find(ws);
        if (it == m_sessions.end())
            continue;
        Session &s = *it;
        if (!s.live || s.closing)
            continue; // a client still catching up reads these from the log
        if (s.socket->bytesToWrite() > m_limits.clientBufferLimit) {
            closeSession(s, 4008, u"too slow: reconnect with since"_s, "too_slow"_ba);
            continue;
        }
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (events[i].seq <= s.lastSent)
                continue;
            s.socket->sendFrame(frames[i]);
            s.lastSent = events[i].seq;
            ++m_metrics->delivered;
            if (const qint64 received = receivedNs.value(i); received > 0) // 0: another relay received it
                m_metrics->observeLatency(double(steadyNowNs() - received) / 1e9);
        }
    }
}

void DeliveryHub::noteRejected(const QString &reason, const QByteArray &eventType, bool looksLikeCircleCi)
{
    if (!looksLikeCircleCi) {
        ++m_metrics->rejectionsUnannounced; // unsigned noise from the internet: counted, not pushed
        return;
    }
    ++m_rejectedPending;
    m_rejectedReason = reason;
    m_rejectedType = eventType;
    m_rejectedAt = QDateTime::currentDateTimeUtc();
    if (!m_noticeTimer.isActive())
        flushRejected(); // the first one at once; the rest of the interval's are summed up at its end
}

void DeliveryHub::flushRejected()
{
    if (m_rejectedPending == 0)
        return; // a quiet interval: the next rejection is announced at once
    const QByteArray message =
        textFrame(RelayMessage::rejected(m_rejectedAt, m_rejectedReason, m_rejectedType, m_rejectedPending));
    const qint64 size = message.size();
    for (Session &s : m_sessions) {
        if (s.closing)
            continue;
        if (s.socket->bytesToWrite() + size > m_limits.clientBufferLimit) {
            ++m_metrics->rejectionNoticesDropped;
            continue;
        }
        s.socket->sendFrame(message);
        ++m_metrics->rejectionNotices;
    }
    m_rejectedPending = 0;
    m_noticeTimer.start(m_limits.rejectedNoticeInterval);
}

void DeliveryHub::closeSession(Session &s, quint16 code, const QString &reason, const QByteArray &metric)
{
    if (s.closing)
        return;
    s.closing = true;
    ++m_metrics->clientsClosed[metric];
    qCInfo(lcRelayDelivery).noquote() << "closing client" << logQuoted(s.tokenName) << "with" << code << '-' << reason;
    WebSocketConnection *ws = s.socket;
    ws->close(code, reason.toUtf8());
    QTimer::singleShot(closeGraceMs, ws, [this, ws] {
        if (m_sessions.contains(ws))
            dropSession(ws, "close_timeout"_ba);
    });
}

void DeliveryHub::closeAll()
{
    const QList<WebSocketConnection *> sockets = m_sessions.keys();
    for (WebSocketConnection *ws : sockets) {
        if (const auto it = m_sessions.find(ws); it != m_sessions.end())
            closeSession(*it, 1001, u"relay shutting down"_s, "shutdown"_ba);
    }
}

void DeliveryHub::keepalive()
{
    const QList<WebSocketConnection *> sockets = m_sessions.keys();
    for (WebSocketConnection *ws : sockets) {
        const auto it = m_sessions.find(ws);
        if (it == m_sessions.end())
            continue;
        if (it->lastHeard.hasExpired(m_limits.keepaliveTimeout.count())) {
            qCInfo(lcRelayDelivery).noquote() << "dropping silent client" << logQuoted(it->tokenName);
            dropSession(ws, "silent"_ba);
            continue;
        }
        // Over the buffer limit with nothing broadcast to notice it (pongs, a stalled replay).
        if (!it->closing && ws->bytesToWrite() > m_limits.clientBufferLimit) {
            closeSession(*it, 4008, u"too slow: reconnect with since"_s, "too_slow"_ba);
            continue;
        }
        ws->ping();
    }
}

void DeliveryHub::checkRevocations()
{
    if (m_sessions.isEmpty() || m_tokensRequest != 0)
        return;
    m_tokensRequest = m_reader->tokensAsync(); // off the event loop: a round trip to PostgreSQL
}

void DeliveryHub::revocationsRead(quint64 request, const QList<TokenInfo> &tokens)
{
    if (request != m_tokensRequest)
        return;
    m_tokensRequest = 0;
    // Tokens are revoked, never deleted, and these sessions signed in with one: an empty list means
    // the database did not answer (PostgreSQL restarting), not that every token went. Ending every
    // session as "revoked" then would tell the apps to stop reconnecting.
    if (tokens.isEmpty())
        return;
    // By token hash: "revoke NAME" then "add NAME" gives the name a new token, and the sessions of
    // the revoked one must end all the same.
    QSet<QByteArray> valid;
    for (const TokenInfo &t : tokens) {
        if (!t.revokedAt.isValid())
            valid.insert(t.hash);
    }
    const QList<WebSocketConnection *> sockets = m_sessions.keys();
    for (WebSocketConnection *ws : sockets) {
        if (const auto it = m_sessions.find(ws); it != m_sessions.end() && !valid.contains(it->tokenHash))
            closeSession(*it, 4001, u"token revoked"_s, "revoked"_ba);
    }
}

} // namespace ct
