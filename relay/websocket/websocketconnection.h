// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/websocket/descriptorreactor.h"
#include "relay/websocket/websocketframer.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace ct {

/*!
 * \brief One server-side WebSocket after its handshake: frames out, pings answered, close handshake.
 *
 * A relay holds thousands of these, nearly all idle, so an idle one holds next to nothing: on a
 * plain TCP connection (Unix) the socket descriptor is taken from the QTcpSocket, which is then
 * deleted with its buffers; writes go straight to the kernel, and only what it does not take is
 * queued here; readiness comes from a DescriptorReactor shared by all of them. A TLS socket
 * (QSslSocket) stays the transport, with its own buffers.
 *
 * What the peer sends is read for liveness and control only: pings are answered, a close is
 * answered and ends the connection, a protocol error or an oversized message is closed with its
 * code (1002, 1007, 1009). Signals are never emitted from inside a send*() call, so a caller may
 * send to many connections in a loop.
 */
class WebSocketConnection final : public QObject, private DescriptorReactor::Handler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketConnection)

public:
    //! \a maxIncomingMessage: larger messages from the peer are closed with 1009. \a reactor watches
    //! the descriptor; it must outlive this.
    WebSocketConnection(qint64 maxIncomingMessage, DescriptorReactor *reactor, QObject *parent = nullptr);
    //! Takes \a socket (the HTTP server's, with the handshake request still unread in it), sends
    //! \a handshakeResponse (the 101), and reads frames from the bytes after the request.
    void start(QTcpSocket *socket, const QByteArray &handshakeResponse);
    ~WebSocketConnection() override; //!< closes the connection at once, without a close frame

    void sendText(QByteArrayView utf8); //!< one text frame
    void sendFrame(QByteArrayView frame); //!< an encoded frame (WebSocketFramer::frame), e.g. one broadcast
    void ping();
    //! Sends a close frame; disconnected() follows once the peer answers or goes. Nothing more is sent.
    void close(quint16 code, QByteArrayView reason);
    void abort(); //!< closes now; no disconnected()

    qint64 bytesToWrite() const; //!< queued in the relay, not yet taken by the kernel
    bool isClosing() const { return m_closeSent || m_finishing; }
    bool isConnected() const { return m_state != State::Closed; }

Q_SIGNALS:
    void received(); //!< the peer sent at least one whole frame (any kind): it is alive
    void bytesWritten(); //!< queued bytes went to the kernel
    void disconnected(); //!< once, queued: the peer closed, the connection failed, or the close handshake ended

private:
    enum class State { Open, Closed };

    void readable() override { readReady(); }
    void writable() override { flush(); }
    void write(QByteArrayView bytes);
    void readReady();
    bool handle(QByteArrayView bytes); //!< true when the peer sent at least one whole frame
    void flush(); //!< descriptor: queued bytes to the kernel
    //! Descriptor: as much of \a bytes as the kernel takes now; -1 when the connection is gone (finished).
    qsizetype sendNow(QByteArrayView bytes);
    void finishWhenFlushed(); //!< close once everything queued is written
    void finish(); //!< closes the transport and announces disconnected()
    void closeDescriptor();

    WebSocketFramer m_framer;
    DescriptorReactor *m_reactor = nullptr;
    int m_fd = -1; //!< the descriptor, when this owns one
    QByteArray m_out; //!< what the kernel did not take yet (descriptor only)
    qsizetype m_outPos = 0;
    QPointer<QTcpSocket> m_socket; //!< the transport when there is no descriptor (TLS)
    State m_state = State::Open;
    bool m_closeSent = false;
    bool m_finishing = false;
    bool m_announced = false;
};

} // namespace ct
