// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httpresponse.h"

#include <QHostAddress>
#include <QPointer>

class QTcpSocket;

namespace ct {

class HttpConnection;

/*!
 * \brief The right to answer one request: copy it, keep it, answer once, now or later.
 *
 * Answering after the client went away is harmless (respond() returns false). A request that is
 * never answered keeps its connection waiting until the client gives up; answer every request.
 */
class HttpResponder
{
public:
    HttpResponder() = default;
    HttpResponder(HttpConnection *connection, quint64 serial);

    //! Sends \a response; false if the connection is gone or this request was already answered.
    bool respond(const HttpResponse &response) const;
    //! Removes the socket from the server and returns it unparented, with the request's bytes unread;
    //! nullptr if the connection is gone or already answered. The caller owns the socket.
    //! It counts against the server's connection limits until it closes or is destroyed or, with
    //! \a keeper, until \a keeper is destroyed (which may carry the connection on without the socket).
    QTcpSocket *takeOver(QObject *keeper = nullptr) const;
    //! The client still waits for this answer.
    bool isPending() const;
    QHostAddress peerAddress() const;

private:
    QPointer<HttpConnection> m_connection;
    quint64 m_serial = 0;
};

} // namespace ct
