// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/deliveryhub.h"

#include "core/relaymessage.h"
#include "core/timestamp.h"
#include "relay/ingestor.h"
#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"

#include <QCryptographicHash>
#include <QSet>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    constexpr int replayPage = 200;
    constexpr qint64 replayHighWater = 256 * 1024; // keep at most this much unsent while catching up
    constexpr int closeGraceMs = 10'000; // a closed client that does not answer is dropped after this

    QByteArray eventMessage(const StoredEvent &e)
    {
        return RelayMessage::event(e.seq, e.receivedAt, e.eventType, e.signature, e.body);
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

DeliveryHub::DeliveryHub(EventLog *log, RelayMetrics *metrics, const DeliveryLimits &limits, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_metrics(metrics)
    , m_limits(limits)
    , m_server(u"circletray-relay"_s, QWebSocketServer::NonSecureMode) // TLS, if any, is already on the socket
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &DeliveryHub::handleNewSocket);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &DeliveryHub::keepalive);
    connect(&m_revocationTimer, &QTimer::timeout, this, &DeliveryHub::checkRevocations);
    m_keepaliveTimer.start(m_limits.keepaliveInterval);
    m_revocationTimer.start(m_limits.revocationCheck);
}

DeliveryHub::~DeliveryHub()
{
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        disconnect(it.key(), nullptr, this, nullptr);
        it.key()->abort();
    }
}

QByteArray DeliveryHub::hashToken(QByteArrayView token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

void DeliveryHub::handleUpgrade(const HttpRequest &request, const HttpResponder &responder)
{
    // The token first: a plain GET with a good token gets 426, so a client can test its settings
    // without a WebSocket (and tell a wrong token, 401, from everything else).
    const QByteArrayView token = bearer(request.header("authorization").value_or(""));
    if (token.isEmpty()) {
        responder.respond(HttpResponse::text(401, "missing bearer token"_ba));
        return;
    }
    if (!m_log->tokenName(hashToken(token))) {
        qCInfo(lcRelayDelivery).noquote()
            << "refused a client with an unknown or revoked token from" << responder.peerAddress().toString();
        responder.respond(HttpResponse::text(401, "unknown or revoked token"_ba));
        return;
    }
    if (!request.upgrade || request.header("upgrade").value_or("").compare("websocket", Qt::CaseInsensitive) != 0) {
        HttpResponse r = HttpResponse::text(426, "token accepted; WebSocket upgrade required"_ba);
        r.headers.append({"Upgrade"_ba, "websocket"_ba});
        responder.respond(r);
        return;
    }
    if (!sinceFrom(QString::fromLatin1(request.query))) {
        responder.respond(HttpResponse::text(400, "since must be a sequence number (0 or more)"_ba));
        return;
    }
    if (QTcpSocket *socket = responder.takeOver())
        m_server.handleConnection(socket);
}

void DeliveryHub::handleNewSocket()
{
    while (QWebSocket *ws = m_server.nextPendingConnection()) {
        ws->setParent(this);
        connect(ws, &QWebSocket::disconnected, this, [this, ws] {
            m_sessions.remove(ws);
            ws->deleteLater();
        });
        // The token was checked before the handshake; look it up again in case it was revoked since.
        const auto name = m_log->tokenName(hashToken(bearer(ws->request().rawHeader("Authorization"))));
        const auto since = sinceFrom(ws->requestUrl().query());
        if (!name || !since) {
            ws->close(QWebSocketProtocol::CloseCode(4001), u"token revoked"_s);
            continue;
        }
        Session &s = m_sessions[ws];
        s.socket = ws;
        s.tokenName = *name;
        s.lastSent = *since;
        s.lastHeard.start();
        const auto heard = [this, ws] {
            if (auto it = m_sessions.find(ws); it != m_sessions.end())
                it->lastHeard.restart();
        };
        connect(ws, &QWebSocket::pong, this, heard);
        connect(ws, &QWebSocket::textMessageReceived, this, heard);
        connect(ws, &QWebSocket::binaryMessageReceived, this, heard);
        connect(ws, &QWebSocket::bytesWritten, this, [this, ws] {
            if (auto it = m_sessions.find(ws); it != m_sessions.end() && !it->live)
                pump(*it);
        });
        qCInfo(lcRelayDelivery).noquote()
            << "client" << s.tokenName << "connected from" << ws->peerAddress().toString() << "since" << s.lastSent;
        const qint64 head = m_log->headSeq();
        const qint64 oldest = m_log->oldestSeq();
        send(s, RelayMessage::hello(m_log->relayId(), head, oldest));
        if (s.lastSent + 1 < oldest && s.lastSent < head)
            send(s, RelayMessage::gap(s.lastSent + 1, oldest - 1));
        pump(s);
    }
}

void DeliveryHub::pump(Session &s)
{
    while (!s.live && !s.closing && s.socket->bytesToWrite() < replayHighWater) {
        const QList<StoredEvent> page = m_log->read(s.lastSent, replayPage);
        for (const StoredEvent &e : page) {
            send(s, eventMessage(e));
            s.lastSent = e.seq;
            ++m_metrics->replayed;
        }
        if (page.size() < replayPage) {
            s.live = true;
            send(s, RelayMessage::live());
        }
    }
}

void DeliveryHub::send(Session &s, const QByteArray &json)
{
    send(s, QString::fromUtf8(json));
}

void DeliveryHub::send(Session &s, const QString &json)
{
    s.socket->sendTextMessage(json);
}

void DeliveryHub::broadcastStored(const QList<StoredEvent> &events, const QList<qint64> &receivedNs)
{
    if (m_sessions.isEmpty())
        return;
    // Converted to the QString QWebSocket wants once per event, not once per client.
    QList<QString> messages;
    messages.reserve(events.size());
    for (const StoredEvent &e : events)
        messages.append(QString::fromUtf8(eventMessage(e)));
    // Over a copy of the keys: closing a session may remove it.
    const QList<QWebSocket *> sockets = m_sessions.keys();
    for (QWebSocket *ws : sockets) {
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
            send(s, messages[i]);
            s.lastSent = events[i].seq;
            ++m_metrics->delivered;
            m_metrics->observeLatency(double(steadyNowNs() - receivedNs.value(i)) / 1e9);
        }
    }
}

void DeliveryHub::broadcastRejected(int httpStatus, const QString &reason, const QByteArray &eventType)
{
    Q_UNUSED(httpStatus)
    const QByteArray message = RelayMessage::rejected(QDateTime::currentDateTimeUtc(), reason, eventType);
    for (Session &s : m_sessions) {
        if (!s.closing)
            send(s, message);
    }
}

void DeliveryHub::closeSession(Session &s, quint16 code, const QString &reason, const QByteArray &metric)
{
    if (s.closing)
        return;
    s.closing = true;
    ++m_metrics->clientsClosed[metric];
    qCInfo(lcRelayDelivery).noquote() << "closing client" << s.tokenName << "with" << code << '-' << reason;
    QWebSocket *ws = s.socket;
    ws->close(QWebSocketProtocol::CloseCode(code), reason);
    QTimer::singleShot(closeGraceMs, ws, [ws] { ws->abort(); });
}

void DeliveryHub::closeAll()
{
    const QList<QWebSocket *> sockets = m_sessions.keys();
    for (QWebSocket *ws : sockets) {
        if (const auto it = m_sessions.find(ws); it != m_sessions.end())
            closeSession(*it, QWebSocketProtocol::CloseCodeGoingAway, u"relay shutting down"_s, "shutdown"_ba);
    }
}

void DeliveryHub::keepalive()
{
    const QList<QWebSocket *> sockets = m_sessions.keys();
    for (QWebSocket *ws : sockets) {
        Session &s = m_sessions[ws];
        if (s.lastHeard.hasExpired(m_limits.keepaliveTimeout.count())) {
            ++m_metrics->clientsClosed["silent"_ba];
            qCInfo(lcRelayDelivery).noquote() << "dropping silent client" << s.tokenName;
            ws->abort(); // disconnected → removed
            continue;
        }
        ws->ping();
    }
}

void DeliveryHub::checkRevocations()
{
    if (m_sessions.isEmpty())
        return;
    QSet<QString> valid;
    for (const TokenInfo &t : m_log->tokens()) {
        if (!t.revokedAt.isValid())
            valid.insert(t.name);
    }
    const QList<QWebSocket *> sockets = m_sessions.keys();
    for (QWebSocket *ws : sockets) {
        if (const auto it = m_sessions.find(ws); it != m_sessions.end() && !valid.contains(it->tokenName))
            closeSession(*it, 4001, u"token revoked"_s, "revoked"_ba);
    }
}

} // namespace ct
