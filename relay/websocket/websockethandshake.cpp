// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/websocket/websockethandshake.h"

#include <QCryptographicHash>

using namespace Qt::StringLiterals;

namespace ct::WebSocketHandshake {

bool isUpgrade(const HttpRequest &request)
{
    return request.upgrade
        && request.header("upgrade").value_or("").trimmed().compare("websocket", Qt::CaseInsensitive) == 0;
}

QByteArray acceptFor(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return sha1.result().toBase64();
}

std::variant<QByteArray, HttpResponse> answer(const HttpRequest &request)
{
    if (request.method != "GET" || !isUpgrade(request))
        return HttpResponse::text(400, "not a WebSocket handshake"_ba);
    if (request.header("sec-websocket-version").value_or("").trimmed() != "13") {
        HttpResponse r = HttpResponse::text(426, "WebSocket version 13 required"_ba);
        r.headers.append({"Sec-WebSocket-Version"_ba, "13"_ba});
        return r;
    }
    const QByteArrayView key = request.header("sec-websocket-key").value_or("").trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(key.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 16)
        return HttpResponse::text(400, "Sec-WebSocket-Key must be 16 bytes in base64"_ba);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "_ba
        + acceptFor(key) + "\r\n\r\n";
}

} // namespace ct::WebSocketHandshake
