// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <optional>

namespace ct {

//! One parsed HTTP/1.x request. Header names are lower-cased; values are kept as sent.
struct HttpRequest
{
    QByteArray method; //!< "GET", "POST", …
    QByteArray target; //!< the request target as sent ("/events?since=4")
    QByteArray path; //!< target without the query ("/events")
    QByteArray query; //!< after '?', without it; empty when none
    int versionMajor = 1;
    int versionMinor = 1;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = true; //!< the client allows another request on this connection
    bool upgrade = false; //!< Connection: Upgrade (e.g. a WebSocket handshake)

    //! First value of header \a lowerCaseName, or nullopt when absent.
    std::optional<QByteArrayView> header(QByteArrayView lowerCaseName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerCaseName)
                return QByteArrayView(h.second);
        }
        return std::nullopt;
    }
};

} // namespace ct
