// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace ct {

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers; //!< Content-Length and Connection are added by serialize()
    QByteArray body;
    bool closeConnection = false; //!< close after sending, even if the client wants keep-alive

    //! A text/plain response whose body is \a message plus a newline (readable with curl).
    static HttpResponse text(int status, const QByteArray &message);
    static HttpResponse json(int status, const QByteArray &json);

    QByteArray serialize(bool keepAlive) const;
    static QByteArray reasonPhrase(int status);
};

} // namespace ct
