// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"
#include "core/httprequestreader.h"
#include "core/httpresponder.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace ct {

class HttpConnection;

struct HttpServerLimits
{
    HttpReaderLimits reader;
    std::chrono::milliseconds headerTimeout {10'000}; //!< first byte of a request → end of its headers
    std::chrono::milliseconds bodyTimeout {30'000}; //!< end of headers → end of body
    std::chrono::milliseconds idleTimeout {30'000}; //!< keep-alive connection with no request
    //! Every socket counts: HTTP connections, TLS handshakes in progress and sockets taken over
    //! (WebSocket sessions) until they close. More are answered 503 (refused unanswered before TLS).
    int maxConnections = 1000;
    int maxConnectionsPerAddress = 0; //!< the same, from one peer address; 0 for no limit
    //! Peers the per-address limit does not apply to: a reverse proxy in front of the server,
    //! whose connections carry many clients (limit those in the proxy).
    QList<QHostAddress> perAddressExempt;
};

//! Answers a request now or later through \a responder, or takes over the socket.
using HttpHandler = std::function<void(const HttpRequest &request, HttpResponder responder)>;

/*!
 * \brief A small HTTP/1.1 server over QTcpServer and HttpRequestReader.
 *
 * Routes by method and exact path (404 for unknown paths, 405 with Allow for known paths and other
 * methods). One request per connection is handled at a time; pipelined requests wait in the socket
 * until the previous one is answered, so answers keep their order and a slow handler pushes back on
 * its client through TCP. Handlers may answer later (HttpResponder is copyable) or take the socket
 * over, with the request's bytes still unread in it (for QWebSocketServer::handleConnection).
 * Idle and slow connections are closed on timers; reader errors are answered 400/413/431 and closed.
 */
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setLimits(const HttpServerLimits &limits) { m_limits = limits; }
    const HttpServerLimits &limits() const { return m_limits; }

    void route(const QByteArray &method, const QByteArray &path, HttpHandler handler);

    /*!
     * Serve HTTPS with \a tls (certificate chain and key set); call before listen(). While listening,
     * replaces the configuration used for new connections (certificate reload). Each connection does
     * its own handshake under the header timeout, counted in the connection limits like any socket:
     * clients that never finish one cannot hold back the others.
     */
    void setTlsConfiguration(const QSslConfiguration &tls);
    bool isTls() const { return m_tls.has_value(); }

    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    void close(); //!< stops listening and drops every connection
    void stopListening(); //!< no new connections; the open ones go on (graceful shutdown)
    void disconnectAll(); //!< closes every connection once what was written to it has been sent
    bool isListening() const { return m_server->isListening(); }
    quint16 serverPort() const { return m_server->serverPort(); }
    QHostAddress serverAddress() const { return m_server->serverAddress(); }
    QString errorString() const { return m_server->errorString(); }
    int connectionCount() const { return int(m_connections.size()); } //!< HTTP connections (TLS handshakes too)
    int socketCount() const { return int(m_connections.size() + m_takenOver.size()); } //!< what maxConnections bounds
    quint64 handshakeFailures() const { return m_handshakeFailuresTotal; }
    quint64 connectionsRefused() const { return m_connectionsRefused; } //!< over a connection limit

Q_SIGNALS:
    //! A request refused before any handler saw it (400, 404, 405, 408, 413, 431, 503).
    void requestRefused(int status, const QString &reason);

private:
    friend class HttpConnection;
    class Listener;
    void handleNewConnection();
    void dispatch(HttpConnection *connection, quint64 serial, const HttpRequest &request);
    void refuseConnection(QTcpSocket *socket, const QByteArray &reason);
    void connectionFinished(HttpConnection *connection, const QHostAddress &peer, bool takenOver);
    void adoptTakenOver(QTcpSocket *socket, const QHostAddress &peer, QObject *keeper);
    void releaseAddress(const QHostAddress &peer);
    void noteHandshakeFailure(const QHostAddress &peer, const QString &reason);
    void reportHandshakeFailures();

    HttpServerLimits m_limits;
    QTcpServer *m_server = nullptr; //!< a Listener
    std::optional<QSslConfiguration> m_tls;
    QHash<QByteArray, QHash<QByteArray, HttpHandler>> m_routes; // path → method → handler
    QSet<HttpConnection *> m_connections;
    QHash<QObject *, QHostAddress> m_takenOver; //!< sockets handed out by takeOver() and still open
    QHash<QHostAddress, int> m_perAddress; //!< sockets open per peer address
    quint64 m_connectionsRefused = 0;
    // Failed TLS handshakes are logged once a minute at most, with a count: scanners make many.
    quint64 m_handshakeFailuresTotal = 0;
    int m_handshakeFailuresUnreported = 0;
    QString m_lastHandshakeFailure;
    QTimer *m_handshakeReport = nullptr;
};

} // namespace ct
