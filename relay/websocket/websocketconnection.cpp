// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/websocket/websocketconnection.h"

#include "relay/relaylogging.h"

#include <QSslSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ct {

namespace {

    constexpr int kReadChunk = 16 * 1024;
    constexpr int kReadRounds = 4; // per wake-up, so that one busy peer cannot hold the event loop
    constexpr int kLingerMs = 5000; // after our last frame: how long a peer gets to close its side

    using Opcode = WebSocketFramer::Opcode;

} // namespace

WebSocketConnection::WebSocketConnection(qint64 maxIncomingMessage, DescriptorReactor *reactor, QObject *parent)
    : QObject(parent)
    , m_framer(maxIncomingMessage)
    , m_reactor(reactor)
{ }

void WebSocketConnection::start(QTcpSocket *socket, const QByteArray &handshakeResponse)
{
    // The handshake request is still in the socket's buffer, perhaps followed by the first frames.
    QByteArray pending = socket->readAll();
    qsizetype start = 0; // blank lines before the request line, which the HTTP parser skips too
    while (pending.sliced(start).startsWith("\r\n"))
        start += 2;
    const qsizetype headEnd = pending.indexOf("\r\n\r\n", start);
    pending = headEnd < 0 ? QByteArray() : pending.sliced(headEnd + 4);
#ifdef Q_OS_UNIX
    if (!qobject_cast<QSslSocket *>(socket) && socket->socketDescriptor() >= 0)
        m_fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
#endif
    if (m_fd >= 0) {
        // Qt closes its descriptor (no shutdown: the connection lives on in ours) and the socket
        // goes, with its buffers and notifiers.
        socket->abort();
        socket->deleteLater();
        if (!m_reactor->add(m_fd, this)) {
            ::close(m_fd);
            m_fd = -1;
            m_state = State::Closed;
            m_announced = true;
            QMetaObject::invokeMethod(this, &WebSocketConnection::disconnected, Qt::QueuedConnection);
            return;
        }
    } else {
        m_socket = socket;
        socket->setParent(this);
        connect(socket, &QIODevice::readyRead, this, &WebSocketConnection::readReady);
        connect(socket, &QIODevice::bytesWritten, this, &WebSocketConnection::bytesWritten);
        connect(socket, &QAbstractSocket::disconnected, this, &WebSocketConnection::finish);
    }
    write(handshakeResponse);
    if (!pending.isEmpty())
        handle(pending);
}

WebSocketConnection::~WebSocketConnection()
{
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    closeDescriptor();
}

void WebSocketConnection::closeDescriptor()
{
#ifdef Q_OS_UNIX
    if (m_fd >= 0) {
        m_reactor->remove(m_fd);
        ::close(m_fd);
        m_fd = -1;
    }
#endif
    m_out = QByteArray();
    m_outPos = 0;
}

qint64 WebSocketConnection::bytesToWrite() const
{
    if (m_socket)
        return m_socket->bytesToWrite();
    return m_out.size() - m_outPos;
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    if (!isClosing())
        write(WebSocketFramer::frame(Opcode::Text, utf8));
}

void WebSocketConnection::sendFrame(QByteArrayView frame)
{
    if (!isClosing())
        write(frame);
}

void WebSocketConnection::ping()
{
    if (!isClosing())
        write(WebSocketFramer::frame(Opcode::Ping, {}));
}

void WebSocketConnection::close(quint16 code, QByteArrayView reason)
{
    if (isClosing() || m_state == State::Closed)
        return;
    write(WebSocketFramer::closeFrame(code, reason));
    m_closeSent = true; // the peer's close ends it (handle()); the caller bounds the wait
}

void WebSocketConnection::abort()
{
    m_announced = true;
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    closeDescriptor();
    m_state = State::Closed;
}

void WebSocketConnection::write(QByteArrayView bytes)
{
    if (m_state == State::Closed || m_finishing || bytes.isEmpty())
        return;
    if (m_socket) {
        m_socket->write(bytes.data(), bytes.size());
        return;
    }
#ifdef Q_OS_UNIX
    if (m_outPos == m_out.size()) {
        // Nothing queued: straight to the kernel, which nearly always takes all of it.
        const qsizetype done = sendNow(bytes);
        if (done < 0 || done == bytes.size())
            return;
        bytes = bytes.sliced(done);
        m_out = QByteArray();
        m_outPos = 0;
    }
    m_out.append(bytes);
    m_reactor->setWriteInterest(m_fd, true);
#endif
}

qsizetype WebSocketConnection::sendNow(QByteArrayView bytes)
{
    qsizetype done = 0;
#ifdef Q_OS_UNIX
    while (done < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.data() + done, size_t(bytes.size() - done), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break; // the kernel's buffer is full
        } else {
            // Reset or gone. Announced later: callers may be looping over connections.
            finish();
            return -1;
        }
    }
#endif
    return done;
}

void WebSocketConnection::flush()
{
#ifdef Q_OS_UNIX
    const qsizetype done = sendNow(QByteArrayView(m_out).sliced(m_outPos));
    if (done < 0)
        return;
    m_outPos += done;
    if (m_outPos == m_out.size()) {
        m_out = QByteArray(); // an idle connection holds no buffer
        m_outPos = 0;
        m_reactor->setWriteInterest(m_fd, false);
    } else if (m_outPos > 64 * 1024 && m_outPos > m_out.size() / 2) {
        m_out.remove(0, m_outPos);
        m_outPos = 0;
    }
    if (m_finishing && bytesToWrite() == 0)
        finishWhenFlushed();
    else
        Q_EMIT bytesWritten();
#endif
}

void WebSocketConnection::readReady()
{
    bool heard = false;
    if (m_socket) {
        const QByteArray bytes = m_socket->readAll();
        if (!bytes.isEmpty() && !m_finishing)
            heard = handle(bytes);
    }
#ifdef Q_OS_UNIX
    char buffer[kReadChunk];
    for (int round = 0; m_fd >= 0 && round < kReadRounds; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            if (!m_finishing) // after our last frame, what the peer sends is only drained
                heard = handle(QByteArrayView(buffer, n)) || heard;
            if (n < kReadChunk)
                break;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            finish(); // the peer closed (or reset) the connection
        break;
    }
#endif
    if (heard)
        Q_EMIT received();
}

bool WebSocketConnection::handle(QByteArrayView bytes)
{
    QList<WebSocketFramer::Message> messages;
    const bool ok = m_framer.feed(bytes, messages);
    for (const WebSocketFramer::Message &m : std::as_const(messages)) {
        switch (m.opcode) {
        case Opcode::Ping:
            if (!m_closeSent)
                write(WebSocketFramer::frame(Opcode::Pong, m.payload));
            break;
        case Opcode::Close:
            if (!m_closeSent) {
                // Echo the peer's code (RFC 6455 §5.5.1); "no status" cannot be sent back.
                const quint16 code = WebSocketFramer::closeCode(m.payload);
                write(WebSocketFramer::closeFrame(code == 1005 ? 1000 : code, {}));
                m_closeSent = true;
            }
            finishWhenFlushed();
            return true;
        default:
            break; // clients have nothing to say to the relay: data only proves they are there
        }
    }
    if (!ok) {
        qCDebug(lcRelayDelivery).noquote() << "closing a WebSocket:" << m_framer.errorReason();
        if (!m_closeSent) {
            write(WebSocketFramer::closeFrame(m_framer.errorCode(), m_framer.errorReason()));
            m_closeSent = true;
        }
        finishWhenFlushed();
    }
    return !messages.isEmpty();
}

void WebSocketConnection::finishWhenFlushed()
{
    if (m_state == State::Closed)
        return;
    const bool first = !m_finishing;
    m_finishing = true;
    if (m_socket) {
        m_socket->disconnectFromHost(); // writes what is queued first; disconnected() → finish()
    } else if (bytesToWrite() == 0) {
#ifdef Q_OS_UNIX
        // Our side is done; reading on until the peer closes its side lets it get our last frame
        // instead of a reset (which closing with its bytes unread would send).
        ::shutdown(m_fd, SHUT_WR);
#endif
    }
    if (first)
        QTimer::singleShot(kLingerMs, this, &WebSocketConnection::finish);
}

void WebSocketConnection::finish()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    closeDescriptor();
    if (!m_announced) {
        m_announced = true;
        QMetaObject::invokeMethod(this, &WebSocketConnection::disconnected, Qt::QueuedConnection);
    }
}

} // namespace ct
