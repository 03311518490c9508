// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpserver.h"

#include "core/httpconnection.h"
#include "core/logging.h"

#include <QSslSocket>
#include <QTcpSocket>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

/*!
 * Hands every accepted socket to the HTTP server at once, as a QSslSocket not yet encrypted when
 * TLS is on. Not QSslServer: in Qt 6.4 it counts sockets still in their handshake against
 * maxPendingConnections and stops accepting while that many are open, so ~128 clients that never
 * finish a handshake wedge the listener until restart.
 */
class HttpServer::Listener final : public QTcpServer
{
public:
    explicit Listener(HttpServer *owner)
        : QTcpServer(owner)
        , m_owner(owner)
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = m_owner->m_tls ? new QSslSocket(this) : new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            qCWarning(lcHttp) << "cannot take an accepted connection:" << socket->errorString();
            delete socket;
            return;
        }
        if (auto *ssl = qobject_cast<QSslSocket *>(socket))
            ssl->setSslConfiguration(*m_owner->m_tls);
        addPendingConnection(socket);
    }

private:
    HttpServer *m_owner;
};

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new Listener(this))
    , m_handshakeReport(new QTimer(this))
{
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::handleNewConnection);
    m_handshakeReport->setSingleShot(true);
    connect(m_handshakeReport, &QTimer::timeout, this, &HttpServer::reportHandshakeFailures);
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &tls)
{
    m_tls = tls;
}

void HttpServer::noteHandshakeFailure(const QHostAddress &peer, const QString &reason)
{
    ++m_handshakeFailuresTotal;
    m_lastHandshakeFailure = peer.toString() + u": "_s + reason;
    if (m_handshakeReport->isActive()) {
        ++m_handshakeFailuresUnreported; // summed up when the minute is over
        return;
    }
    qCInfo(lcHttp).noquote() << "TLS handshake failed from" << logQuoted(m_lastHandshakeFailure, 200);
    m_handshakeReport->start(60s);
}

void HttpServer::reportHandshakeFailures()
{
    if (m_handshakeFailuresUnreported == 0)
        return;
    qCInfo(lcHttp).noquote() << m_handshakeFailuresUnreported << "more TLS handshakes failed in the last minute; last"
                             << logQuoted(m_lastHandshakeFailure, 200);
    m_handshakeFailuresUnreported = 0;
    m_handshakeReport->start(60s);
}

HttpServer::~HttpServer()
{
    close();
}

void HttpServer::route(const QByteArray &method, const QByteArray &path, HttpHandler handler)
{
    m_routes[path].insert(method, std::move(handler));
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    // Every accepted socket is taken from the queue at once: our own limits decide, not this one.
    m_server->setMaxPendingConnections(std::numeric_limits<int>::max());
    // A burst of clients (CircleCI retries, apps reconnecting after a relay restart) must not
    // overflow the kernel's accept queue: the default of 50 makes the overflow wait for SYN retries.
    m_server->setListenBacklogSize(1024);
    if (!m_server->listen(address, port)) {
        qCWarning(lcHttp).noquote() << "cannot listen on" << address.toString() << port << '-'
                                    << m_server->errorString();
        return false;
    }
    return true;
}

void HttpServer::stopListening()
{
    m_server->close();
}

void HttpServer::disconnectAll()
{
    const auto connections = m_connections;
    for (HttpConnection *c : connections) {
        if (QTcpSocket *s = c->socket())
            s->disconnectFromHost();
    }
}

void HttpServer::close()
{
    m_server->close();
    const auto connections = m_connections;
    for (HttpConnection *c : connections) {
        if (QTcpSocket *s = c->socket())
            s->abort(); // → finish(): leaves m_connections and the per-address count
        delete c;
    }
    m_connections.clear();
}

void HttpServer::handleNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const QHostAddress peer = socket->peerAddress();
        const bool overTotal = socketCount() >= m_limits.maxConnections;
        const bool overPeer = m_limits.maxConnectionsPerAddress > 0
            && m_perAddress.value(peer) >= m_limits.maxConnectionsPerAddress
            && !m_limits.perAddressExempt.contains(peer);
        if (overTotal || overPeer) {
            refuseConnection(socket,
                             overTotal ? "too many connections"_ba : "too many connections from your address"_ba);
            continue;
        }
        ++m_perAddress[peer];
        // Every answer and every WebSocket frame is written whole: with Nagle on, a second frame to a
        // client that only listens waited for its delayed ACK (~40 ms on Linux) before leaving.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        auto *connection = new HttpConnection(socket, this);
        m_connections.insert(connection);
        connection->start();
    }
}

void HttpServer::refuseConnection(QTcpSocket *socket, const QByteArray &reason)
{
    ++m_connectionsRefused;
    // One line per refusal at most, at debug: the cap itself is what an attacker runs into.
    qCDebug(lcHttp).noquote() << "refusing a connection from" << socket->peerAddress().toString() << '-' << reason;
    Q_EMIT requestRefused(503, QString::fromLatin1(reason));
    socket->setParent(nullptr);
    if (m_tls) {
        socket->abort(); // no TLS session yet: an HTTP answer would be noise to the client
        socket->deleteLater();
        return;
    }
    socket->write(HttpResponse::text(503, reason).serialize(false));
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState) {
        socket->deleteLater();
        return;
    }
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(1s, socket, [socket] { socket->abort(); }); // a peer that never reads the answer
}

void HttpServer::connectionFinished(HttpConnection *connection, const QHostAddress &peer, bool takenOver)
{
    if (!m_connections.remove(connection))
        return;
    if (!takenOver)
        releaseAddress(peer);
}

void HttpServer::adoptTakenOver(QTcpSocket *socket, const QHostAddress &peer, QObject *keeper)
{
    // Still one of our sockets until it closes, whoever drives it now: it counts against the limits.
    // With a keeper, until the keeper goes (it may carry the connection on without the socket).
    QObject *owner = keeper ? keeper : socket;
    m_takenOver.insert(owner, peer);
    const auto release = [this, owner] {
        const auto it = m_takenOver.constFind(owner);
        if (it == m_takenOver.cend())
            return;
        const QHostAddress address = *it;
        m_takenOver.erase(it);
        releaseAddress(address);
    };
    if (!keeper)
        connect(socket, &QAbstractSocket::disconnected, this, release);
    connect(owner, &QObject::destroyed, this, release);
}

void HttpServer::releaseAddress(const QHostAddress &peer)
{
    const auto it = m_perAddress.find(peer);
    if (it != m_perAddress.end() && --*it <= 0)
        m_perAddress.erase(it);
}

void HttpServer::dispatch(HttpConnection *connection, quint64 serial, const HttpRequest &request)
{
    const auto byPath = m_routes.constFind(request.path);
    if (byPath == m_routes.cend()) {
        connection->refuse(404, u"no such path"_s, false);
        return;
    }
    const auto handler = byPath->constFind(request.method);
    if (handler == byPath->cend()) {
        QStringList allowed;
        for (auto it = byPath->cbegin(); it != byPath->cend(); ++it)
            allowed.append(QString::fromLatin1(it.key()));
        allowed.sort();
        HttpResponse response = HttpResponse::text(405, "method not allowed"_ba);
        response.headers.append({"Allow"_ba, allowed.join(u", "_s).toLatin1()});
        Q_EMIT requestRefused(405, u"method not allowed"_s);
        connection->respond(serial, response);
        return;
    }
    const HttpResponder responder(connection, serial);
    try {
        (*handler)(request, responder);
    } catch (const std::exception &e) {
        qCCritical(lcHttp) << "handler for" << request.path << "threw:" << e.what();
        responder.respond(HttpResponse::text(500, "internal error"_ba));
    } catch (...) {
        qCCritical(lcHttp) << "handler for" << request.path << "threw";
        responder.respond(HttpResponse::text(500, "internal error"_ba));
    }
}

} // namespace ct
