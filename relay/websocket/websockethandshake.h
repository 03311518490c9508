// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"
#include "core/httpresponse.h"

#include <QByteArray>

#include <variant>

namespace ct {

/*!
 * \brief The server's answer to a WebSocket opening handshake (RFC 6455 §4.2).
 *
 * The request was already parsed by the HTTP server: this checks what makes it a WebSocket
 * handshake and computes `Sec-WebSocket-Accept`. No subprotocol or extension is negotiated.
 */
namespace WebSocketHandshake {

    //! True when \a request asks to upgrade to a WebSocket (Connection: Upgrade, Upgrade: websocket).
    bool isUpgrade(const HttpRequest &request);
    //! The `101 Switching Protocols` bytes to send, or the error to answer instead: 426 with
    //! `Sec-WebSocket-Version: 13` for another version, 400 for a missing or malformed key.
    std::variant<QByteArray, HttpResponse> answer(const HttpRequest &request);
    //! `Sec-WebSocket-Accept` for \a key.
    QByteArray acceptFor(QByteArrayView key);

} // namespace WebSocketHandshake

} // namespace ct
