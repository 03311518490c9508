// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpserver.h"

#include "core/httpconnection.h"
#include "core/logging.h"

#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace ct {

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::handleNewConnection);
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &tls)
{
    auto *ssl = qobject_cast<QSslServer *>(m_server);
    if (!ssl) {
        Q_ASSERT(!m_server->isListening());
        delete m_server;
        ssl = new QSslServer(this);
        m_server = ssl;
        // Emitted once the TLS handshake is done; a client that never finishes it is dropped
        // after the header timeout and never reaches the HTTP layer.
        connect(ssl, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::handleNewConnection);
        connect(ssl, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
            qCDebug(lcHttp) << "TLS connection failed:" << socket->errorString();
        });
    }
    ssl->setHandshakeTimeout(int(m_limits.headerTimeout.count()));
    ssl->setSslConfiguration(tls);
    m_tls = true;
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
    m_server->setMaxPendingConnections(128);
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
    m_connections.clear();
    for (HttpConnection *c : connections) {
        if (QTcpSocket *s = c->socket())
            s->abort();
        delete c;
    }
}

void HttpServer::handleNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections.size() >= m_limits.maxConnections) {
            qCWarning(lcHttp) << "connection limit" << m_limits.maxConnections << "reached; refusing a client";
            Q_EMIT requestRefused(503, u"too many connections"_s);
            socket->write(HttpResponse::text(503, "too many connections"_ba).serialize(false));
            socket->disconnectFromHost();
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
            continue;
        }
        // Every answer and every WebSocket frame is written whole: with Nagle on, a second frame to a
        // client that only listens waited for its delayed ACK (~40 ms on Linux) before leaving.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        auto *connection = new HttpConnection(socket, this);
        m_connections.insert(connection);
        connection->start();
    }
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
