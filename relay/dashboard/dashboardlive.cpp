// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/dashboard/dashboardlive.h"

#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"

#include <QJsonDocument>
#include <QSet>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

namespace {

    constexpr int closeGraceMs = 10'000;
    constexpr qint64 maxIncoming = 1024; // pages send nothing; a pong's payload is what we pinged

    QString compact(const QJsonObject &o)
    {
        return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    }

} // namespace

DashboardLive::DashboardLive(RelayMetrics *metrics, Limits limits, Callbacks callbacks, QObject *parent)
    : QObject(parent)
    , m_metrics(metrics)
    , m_limits(limits)
    , m_callbacks(std::move(callbacks))
    , m_server(u"circletray-relay dashboard"_s, QWebSocketServer::NonSecureMode) // TLS is already on the socket
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &DashboardLive::handleNewSocket);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &DashboardLive::keepalive);
    connect(&m_sessionTimer, &QTimer::timeout, this, &DashboardLive::checkSessions);
    m_keepaliveTimer.start(m_limits.keepaliveInterval);
    m_sessionTimer.start(m_limits.sessionCheck);
    m_sinceTouch.start();
}

DashboardLive::~DashboardLive()
{
    for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
        disconnect(it.key(), nullptr, this, nullptr);
        it.key()->abort();
    }
}

void DashboardLive::accept(QTcpSocket *socket)
{
    m_server.handleConnection(socket);
}

void DashboardLive::handleNewSocket()
{
    while (QWebSocket *ws = m_server.nextPendingConnection()) {
        ws->setParent(this);
        ws->setMaxAllowedIncomingFrameSize(quint64(maxIncoming));
        ws->setMaxAllowedIncomingMessageSize(quint64(maxIncoming));
        if (ws->state() != QAbstractSocket::ConnectedState) {
            ws->abort();
            ws->deleteLater();
            continue;
        }
        // Checked before the handshake; looked up again in case the session ended since.
        const std::optional<QByteArray> session = m_callbacks.sessionOf(ws->request().rawHeader("Cookie"));
        if (!session) {
            // A session the log cannot look up right now is not an ended one: "try again later".
            if (m_callbacks.storageHealthy())
                ws->close(QWebSocketProtocol::CloseCode(4001), u"signed out"_s);
            else
                ws->close(QWebSocketProtocol::CloseCodeBadOperation, u"storage unavailable; retry"_s);
            QTimer::singleShot(closeGraceMs, ws, [ws] { ws->abort(); });
            connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
            continue;
        }
        connect(ws, &QWebSocket::disconnected, this, [this, ws] { remove(ws); });
        Page &page = m_pages[ws];
        page.socket = ws;
        page.session = *session;
        page.lastHeard.start();
        ++m_perSession[page.session];
        connect(ws, &QWebSocket::pong, this, [this, ws] {
            if (auto it = m_pages.find(ws); it != m_pages.end())
                it->lastHeard.restart();
        });
        const auto refuseData = [this, ws] {
            if (auto it = m_pages.find(ws); it != m_pages.end())
                close(*it, QWebSocketProtocol::CloseCodePolicyViolated, u"the dashboard stream is one-way"_s,
                      "dashboard_sent_data"_ba);
        };
        connect(ws, &QWebSocket::textMessageReceived, this, refuseData);
        connect(ws, &QWebSocket::binaryMessageReceived, this, refuseData);
        bool ok = false;
        const qint64 since = QUrlQuery(ws->requestUrl().query()).queryItemValue(u"since"_s).toLongLong(&ok);
        const qint64 head = m_callbacks.head();
        if (ok && since == head) {
            ws->sendTextMessage(compact(
                QJsonObject {{u"type"_s, u"hello"_s}, {u"relay_id"_s, m_callbacks.relayId()}, {u"head_seq"_s, head}}));
        } else {
            QJsonObject state = m_callbacks.state();
            state.insert(u"type"_s, u"state"_s);
            ws->sendTextMessage(compact(state));
        }
        qCDebug(lcRelayDashboard) << "dashboard page connected from" << ws->peerAddress().toString();
    }
}

void DashboardLive::remove(QWebSocket *ws)
{
    if (const auto it = m_pages.find(ws); it != m_pages.end()) {
        if (auto count = m_perSession.find(it->session); count != m_perSession.end() && --*count <= 0)
            m_perSession.erase(count);
        m_pages.erase(it);
    }
    ws->deleteLater();
}

void DashboardLive::close(Page &page, quint16 code, const QString &reason, const QByteArray &metric)
{
    if (page.closing)
        return;
    page.closing = true;
    ++m_metrics->clientsClosed[metric];
    QWebSocket *ws = page.socket;
    ws->close(QWebSocketProtocol::CloseCode(code), reason);
    QTimer::singleShot(closeGraceMs, ws, [this, ws] {
        if (m_pages.contains(ws)) {
            disconnect(ws, nullptr, this, nullptr);
            remove(ws);
            ws->abort();
        }
    });
}

void DashboardLive::broadcast(const QJsonObject &message)
{
    if (m_pages.isEmpty())
        return;
    const QString text = compact(message);
    const QList<QWebSocket *> sockets = m_pages.keys();
    for (QWebSocket *ws : sockets) {
        const auto it = m_pages.find(ws);
        if (it == m_pages.end() || it->closing)
            continue;
        if (ws->bytesToWrite() > m_limits.bufferLimit) {
            close(*it, 4008, u"too slow: reconnect"_s, "dashboard_too_slow"_ba);
            continue;
        }
        ws->sendTextMessage(text);
        ++m_metrics->dashboardUpdates;
    }
}

void DashboardLive::endSession(const QByteArray &sessionHash)
{
    const QList<QWebSocket *> sockets = m_pages.keys();
    for (QWebSocket *ws : sockets) {
        if (const auto it = m_pages.find(ws); it != m_pages.end() && it->session == sessionHash)
            close(*it, 4001, u"signed out"_s, "dashboard_signed_out"_ba);
    }
}

void DashboardLive::closeAll()
{
    const QList<QWebSocket *> sockets = m_pages.keys();
    for (QWebSocket *ws : sockets) {
        if (const auto it = m_pages.find(ws); it != m_pages.end())
            close(*it, QWebSocketProtocol::CloseCodeGoingAway, u"relay shutting down"_s, "shutdown"_ba);
    }
}

void DashboardLive::keepalive()
{
    const QList<QWebSocket *> sockets = m_pages.keys();
    for (QWebSocket *ws : sockets) {
        const auto it = m_pages.find(ws);
        if (it == m_pages.end())
            continue;
        if (it->lastHeard.hasExpired(m_limits.keepaliveTimeout.count())) {
            ++m_metrics->clientsClosed["dashboard_silent"_ba];
            disconnect(ws, nullptr, this, nullptr);
            remove(ws);
            ws->abort();
            continue;
        }
        ws->ping();
    }
}

void DashboardLive::checkSessions()
{
    if (m_pages.isEmpty() || !m_callbacks.storageHealthy())
        return; // pages stay while the log cannot be asked; they are checked again when it can
    // Revoked tokens, expiry and sign-outs on another relay: each session looked up once.
    const bool touchNow = m_sinceTouch.hasExpired(60'000);
    if (touchNow)
        m_sinceTouch.restart();
    const QList<QByteArray> sessions = m_perSession.keys();
    for (const QByteArray &session : sessions) {
        if (!m_callbacks.sessionValid(session))
            endSession(session);
        else if (touchNow)
            m_callbacks.touch(session);
    }
}

} // namespace ct
