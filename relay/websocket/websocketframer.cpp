// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/websocket/websocketframer.h"

#include <QtEndian>

namespace ct {

namespace {

    bool isControl(quint8 opcode)
    {
        return opcode & 0x8;
    }

    bool isKnown(quint8 opcode)
    {
        return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
    }

    // RFC 6455 §7.4: what a peer may put in a close frame.
    bool isValidCloseCode(quint16 code)
    {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    }

} // namespace

WebSocketFramer::WebSocketFramer(qint64 maxMessage)
    : m_maxMessage(maxMessage)
{ }

qsizetype WebSocketFramer::fail(quint16 code, const char *reason)
{
    m_errorCode = code;
    m_errorReason = reason;
    m_buffer.clear();
    m_message.clear();
    return -1;
}

bool WebSocketFramer::feed(QByteArrayView bytes, QList<Message> &out)
{
    if (m_errorCode != 0)
        return false;
    if (m_buffer.isEmpty()) {
        // The usual case: whole frames, parsed where they lie; only a partial one is copied.
        const qsizetype used = parse(bytes, out);
        if (used < 0)
            return false;
        if (used < bytes.size())
            m_buffer = bytes.sliced(used).toByteArray();
        return true;
    }
    m_buffer.append(bytes);
    const qsizetype used = parse(m_buffer, out);
    if (used < 0)
        return false;
    if (used == m_buffer.size())
        m_buffer = QByteArray(); // nothing held by an idle connection
    else
        m_buffer.remove(0, used);
    return true;
}

qsizetype WebSocketFramer::parse(QByteArrayView data, QList<Message> &out)
{
    qsizetype pos = 0;
    while (data.size() - pos >= 2) {
        const auto *p = reinterpret_cast<const uchar *>(data.data()) + pos;
        const bool fin = p[0] & 0x80;
        const quint8 opcode = p[0] & 0x0F;
        if (p[0] & 0x70)
            return fail(1002, "reserved bits set (no extension was negotiated)");
        if (!isKnown(opcode))
            return fail(1002, "unknown opcode");
        if (!(p[1] & 0x80))
            return fail(1002, "client frames must be masked");
        quint64 length = p[1] & 0x7F;
        qsizetype header = 2;
        if (isControl(opcode) && (!fin || length > 125))
            return fail(1002, "control frames must be whole and at most 125 bytes");
        if (length == 126) {
            if (data.size() - pos < 4)
                break;
            length = qFromBigEndian<quint16>(p + 2);
            header = 4;
        } else if (length == 127) {
            if (data.size() - pos < 10)
                break;
            length = qFromBigEndian<quint64>(p + 2);
            header = 10;
            if (length >> 63)
                return fail(1002, "frame length out of range");
        }
        if (!isControl(opcode) && quint64(m_message.size()) + length > quint64(m_maxMessage))
            return fail(1009, "message too big");
        if (opcode == quint8(Opcode::Continuation) && !m_inMessage)
            return fail(1002, "continuation frame without a message");
        if ((opcode == quint8(Opcode::Text) || opcode == quint8(Opcode::Binary)) && m_inMessage)
            return fail(1002, "new message before the last one ended");
        header += 4; // the mask
        if (data.size() - pos < header || quint64(data.size() - pos - header) < length)
            break; // the rest of this frame has not arrived
        const uchar *mask = p + header - 4;
        QByteArray payload(qsizetype(length), Qt::Uninitialized);
        const uchar *in = p + header;
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(in[i] ^ mask[i % 4]);
        pos += header + qsizetype(length);

        if (isControl(opcode)) {
            if (opcode == quint8(Opcode::Close)) {
                if (payload.size() == 1)
                    return fail(1002, "close frame with a one-byte payload");
                if (payload.size() >= 2 && !isValidCloseCode(closeCode(payload)))
                    return fail(1002, "invalid close code");
                if (!QByteArrayView(payload).sliced(qMin<qsizetype>(2, payload.size())).isValidUtf8())
                    return fail(1007, "close reason is not UTF-8");
            }
            out.append(Message {Opcode(opcode), payload});
            continue;
        }
        if (opcode != quint8(Opcode::Continuation)) {
            m_inMessage = true;
            m_messageOpcode = Opcode(opcode);
        }
        if (fin && m_message.isEmpty()) {
            m_message = std::move(payload); // a whole message in one frame: no copy
        } else {
            m_message.append(payload);
        }
        if (!fin)
            continue;
        if (m_messageOpcode == Opcode::Text && !QByteArrayView(m_message).isValidUtf8())
            return fail(1007, "text message is not UTF-8");
        out.append(Message {m_messageOpcode, std::exchange(m_message, QByteArray())});
        m_inMessage = false;
    }
    return pos;
}

QByteArray WebSocketFramer::frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray f;
    const qsizetype n = payload.size();
    f.reserve(n + 10);
    f.append(char(0x80 | quint8(opcode)));
    if (n <= 125) {
        f.append(char(n));
    } else if (n <= 0xFFFF) {
        f.append(char(126));
        f.append(char(n >> 8));
        f.append(char(n & 0xFF));
    } else {
        f.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            f.append(char((quint64(n) >> shift) & 0xFF));
    }
    f.append(payload);
    return f;
}

QByteArray WebSocketFramer::closeFrame(quint16 code, QByteArrayView reason)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    // Cut to 123 bytes, never inside a UTF-8 sequence.
    qsizetype n = qMin<qsizetype>(reason.size(), 123);
    while (n > 0 && n < reason.size() && (quint8(reason[n]) & 0xC0) == 0x80)
        --n;
    payload.append(reason.first(n));
    return frame(Opcode::Close, payload);
}

quint16 WebSocketFramer::closeCode(QByteArrayView payload)
{
    if (payload.size() < 2)
        return 1005;
    return qFromBigEndian<quint16>(payload.data());
}

} // namespace ct
