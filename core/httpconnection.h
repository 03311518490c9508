// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequestreader.h"
#include "core/httpresponse.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace ct {

class HttpServer;

//! One client connection of HttpServer: reads requests, hands them out one at a time, writes answers.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(QTcpSocket *socket, HttpServer *server);
    ~HttpConnection() override;

    bool respond(quint64 serial, const HttpResponse &response);
    QTcpSocket *takeOver(quint64 serial, QObject *keeper = nullptr);
    bool isPending(quint64 serial) const { return m_state == State::Dispatched && serial == m_serial; }
    QTcpSocket *socket() const { return m_socket; }
    QHostAddress peerAddress() const { return m_peer; }
    //! Answers the current request with an error (and closes the connection when \a close is set).
    void refuse(int status, const QString &reason, bool close = true);
    void start(); //!< begins reading (queued, so the server finishes its bookkeeping first)

private:
    // Lingering: an error was answered while the client may still be sending; its bytes are drained
    // for a moment before closing, so the kernel does not reset the connection and lose the answer.
    // Handshake: a TLS connection before its session is up (under the header timeout).
    enum class State { Handshake, Idle, Reading, Dispatched, Lingering, Closing };

    void processInput();
    void handleTimeout();
    void discardUpTo(qint64 streamOffset);
    void finish(); //!< leave the server: forget the socket, delete this later

    void handshakeFailed(const QString &reason);

    HttpServer *m_server = nullptr;
    QTcpSocket *m_socket = nullptr;
    QHostAddress m_peer; //!< kept: a closed socket forgets it
    bool m_takenOver = false;
    HttpRequestReader m_reader;
    QTimer m_timer;
    State m_state = State::Idle;
    bool m_headTimerPhase = true; //!< the running Reading timer is the header timer
    quint64 m_serial = 0; //!< of the request being handled
    bool m_keepAlive = true;
    bool m_lingerAfterAnswer = false;
    QDeadlineTimer m_lingerDeadline;
    qint64 m_socketPos = 0; //!< stream offset of the next byte still in the socket
    qint64 m_fed = 0; //!< stream offset up to which bytes were given to the reader
};

} // namespace ct
