// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpconnection.h"

#include "core/httpserver.h"
#include "core/logging.h"

#include <QSslSocket>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    // After an error answer: close once the client has been quiet this long, and at the latest after the max.
    constexpr qint64 kLingerQuietMs = 200;
    constexpr qint64 kLingerMaxMs = 2000;
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server)
    : QObject(server)
    , m_server(server)
    , m_socket(socket)
    , m_peer(socket->peerAddress())
    , m_reader(server->limits().reader)
{
    m_socket->setParent(this);
    // Bounded read buffer: a client that sends while its previous request is being handled is
    // pushed back by TCP instead of growing our memory. Big enough for a whole header block.
    m_socket->setReadBufferSize(std::max<qint64>(64 * 1024, 2 * server->limits().reader.maxHeaderBytes));
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::handleTimeout);
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::processInput);
    connect(m_socket, &QAbstractSocket::disconnected, this, &HttpConnection::finish);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (m_state == State::Handshake) {
            handshakeFailed(e == QAbstractSocket::RemoteHostClosedError ? u"closed during the handshake"_s
                                                                        : m_socket->errorString());
            return;
        }
        if (e != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "socket error" << e << m_socket->errorString();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            finish();
    });
    auto *ssl = qobject_cast<QSslSocket *>(m_socket);
    if (ssl && ssl->mode() == QSslSocket::UnencryptedMode) {
        m_state = State::Handshake;
        connect(ssl, &QSslSocket::encrypted, this, [this] {
            if (m_state != State::Handshake)
                return;
            m_state = State::Idle;
            m_timer.start(m_server ? m_server->limits().idleTimeout : std::chrono::milliseconds(1000));
            processInput(); // the request may have come in the same packets as the handshake's end
        });
        m_timer.start(server->limits().headerTimeout); // the handshake gets the time the headers would
        return;
    }
    m_timer.start(server->limits().idleTimeout);
}

void HttpConnection::handshakeFailed(const QString &reason)
{
    if (m_state != State::Handshake)
        return;
    m_state = State::Closing;
    if (m_server)
        m_server->noteHandshakeFailure(m_peer, reason);
    m_socket->abort();
    finish();
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::finish()
{
    if (m_server) {
        m_server->connectionFinished(this, m_peer, m_takenOver);
        m_server = nullptr;
    }
    m_state = State::Closing;
    m_timer.stop();
    deleteLater();
}

void HttpConnection::discardUpTo(qint64 streamOffset)
{
    const qint64 n = streamOffset - m_socketPos;
    if (n > 0)
        m_socketPos += m_socket->skip(n);
}

/*!
 * Bytes are peeked, not read, until a request's head is known not to be an upgrade: a socket taken
 * over (WebSocket handshake) must still hold the request for its new owner.
 */
void HttpConnection::processInput()
{
    if (m_state == State::Lingering) {
        m_socket->skip(m_socket->bytesAvailable());
        m_socketPos = m_fed = 0;
        if (m_lingerDeadline.hasExpired())
            handleTimeout();
        else
            m_timer.start(std::min<qint64>(kLingerQuietMs, std::max<qint64>(1, m_lingerDeadline.remainingTime())));
        return;
    }
    if (m_state == State::Handshake || m_state == State::Dispatched || m_state == State::Closing || !m_server)
        return; // the socket keeps the bytes until the current request is answered
    const qint64 available = m_socket->bytesAvailable();
    const qint64 buffered = m_socketPos + available;
    if (buffered > m_fed) {
        const QByteArray peeked = m_socket->peek(available);
        m_reader.append(QByteArrayView(peeked).sliced(qsizetype(m_fed - m_socketPos)));
        m_fed = buffered;
    }
    const ParseResult result = m_reader.next();
    switch (result.status) {
    case ParseStatus::Incomplete:
        if (m_reader.takeExpectContinue())
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n"_ba);
        if (m_reader.inRequest()) {
            if (m_state == State::Idle) {
                m_state = State::Reading;
                m_headTimerPhase = true;
                m_timer.start(m_server->limits().headerTimeout);
            }
            if (m_reader.headersComplete() && m_headTimerPhase) {
                m_headTimerPhase = false;
                m_timer.start(m_server->limits().bodyTimeout);
            }
        }
        if (m_reader.headersComplete() && !m_reader.upgradeRequested())
            discardUpTo(m_fed); // the body streams through the reader: no need to keep it in the socket
        else
            discardUpTo(m_reader.consumedBytes());
        return;
    case ParseStatus::Ok: {
        m_state = State::Dispatched;
        m_timer.stop();
        ++m_serial;
        m_keepAlive = result.request.keepAlive && !result.request.upgrade;
        // An upgrade request stays in the socket for takeOver(): m_socketPos is still at its start,
        // since bytes are only discarded up to the end of the previous request before its head is read.
        if (!result.request.upgrade)
            discardUpTo(m_reader.consumedBytes());
        m_server->dispatch(this, m_serial, result.request);
        return;
    }
    case ParseStatus::HeadersTooLarge:
    case ParseStatus::BodyTooLarge:
    case ParseStatus::Malformed:
        m_lingerAfterAnswer = true;
        refuse(httpStatusFor(result.status), result.reason);
        return;
    }
}

void HttpConnection::start()
{
    if (m_state == State::Handshake) {
        static_cast<QSslSocket *>(m_socket)->startServerEncryption();
        return;
    }
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::refuse(int status, const QString &reason, bool close)
{
    // 404s are what internet scanners produce all day: keep them out of the default log.
    if (status == 404)
        qCDebug(lcHttp).noquote() << "refused" << status << "from" << m_socket->peerAddress().toString();
    else
        qCInfo(lcHttp).noquote() << "refused" << status << "from" << m_socket->peerAddress().toString() << '-'
                                 << reason;
    if (m_server)
        Q_EMIT m_server->requestRefused(status, reason);
    HttpResponse response = HttpResponse::text(status, reason.toUtf8());
    response.closeConnection = close;
    m_state = State::Dispatched;
    respond(m_serial, response);
}

bool HttpConnection::respond(quint64 serial, const HttpResponse &response)
{
    if (!isPending(serial) || !m_server)
        return false;
    const bool keepAlive = m_keepAlive && !response.closeConnection;
    m_socket->write(response.serialize(keepAlive));
    if (!keepAlive && m_lingerAfterAnswer) {
        m_state = State::Lingering;
        m_lingerDeadline.setRemainingTime(kLingerMaxMs);
        processInput();
        return true;
    }
    if (!keepAlive) {
        m_state = State::Closing;
        m_socket->disconnectFromHost(); // after the answer is written
        // A peer that never reads would keep the connection: give the write the idle timeout.
        m_timer.start(m_server->limits().idleTimeout);
        return true;
    }
    m_state = State::Idle;
    m_timer.start(m_server->limits().idleTimeout);
    // Queued: a pipelined request may already wait in the socket, and handling it right here could
    // re-enter the handler that is calling respond().
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
    return true;
}

QTcpSocket *HttpConnection::takeOver(quint64 serial, QObject *keeper)
{
    if (!isPending(serial))
        return nullptr;
    QTcpSocket *socket = m_socket;
    disconnect(socket, nullptr, this, nullptr);
    socket->setParent(nullptr);
    socket->setReadBufferSize(0);
    m_socket = nullptr;
    m_takenOver = true;
    if (m_server)
        m_server->adoptTakenOver(socket, m_peer, keeper);
    finish();
    return socket;
}

void HttpConnection::handleTimeout()
{
    switch (m_state) {
    case State::Handshake:
        handshakeFailed(u"no TLS handshake within the header timeout"_s);
        return;
    case State::Lingering:
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        m_timer.start(m_server ? m_server->limits().idleTimeout : std::chrono::milliseconds(1000));
        return;
    case State::Reading:
        m_lingerAfterAnswer = true;
        refuse(408,
               m_headTimerPhase ? u"timed out waiting for the request headers"_s
                                : u"timed out waiting for the request body"_s);
        return;
    case State::Idle:
        qCDebug(lcHttp) << "closing idle connection";
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        m_timer.start(m_server ? m_server->limits().idleTimeout : std::chrono::milliseconds(1000));
        return;
    case State::Closing:
        m_socket->abort();
        finish();
        return;
    case State::Dispatched:
        return;
    }
}

} // namespace ct
