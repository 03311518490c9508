// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace ct {

/*!
 * \brief The server's side of WebSocket framing (RFC 6455 §5), without sockets.
 *
 * Encodes the frames a server sends (final, unmasked) and reads what a client sends: masked
 * frames, fragmented messages put back together, control frames between fragments. Anything a
 * client must not send is a protocol error with the close code to answer: unmasked frames,
 * reserved bits or opcodes (1002), a message over the size limit (1009, told from the frame header,
 * before its payload is buffered), text that is not UTF-8 (1007). No extensions are negotiated.
 */
class WebSocketFramer
{
public:
    enum class Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

    struct Message
    {
        Opcode opcode = Opcode::Text; //!< Text, Binary, Close, Ping or Pong
        QByteArray payload; //!< unmasked; for a whole fragmented message, all of it
    };

    //! \a maxMessage: the largest message (or frame) a client may send, in bytes.
    explicit WebSocketFramer(qint64 maxMessage);

    /*!
     * Reads \a bytes from the client and appends every message it completes to \a out. Returns
     * false at the first protocol violation (see errorCode()); nothing more is read after it.
     * Only an incomplete frame is kept between calls.
     */
    bool feed(QByteArrayView bytes, QList<Message> &out);
    quint16 errorCode() const { return m_errorCode; } //!< the close code to answer with
    QByteArray errorReason() const { return m_errorReason; }
    qint64 buffered() const { return m_buffer.size() + m_message.size(); } //!< held for incomplete frames

    //! A final, unmasked frame (what servers send).
    static QByteArray frame(Opcode opcode, QByteArrayView payload);
    //! A close frame: the code, then the reason (cut to fit the 125-byte control frame limit).
    static QByteArray closeFrame(quint16 code, QByteArrayView reason);
    //! The code in a close frame's payload; 1005 ("no status") for an empty payload.
    static quint16 closeCode(QByteArrayView payload);

private:
    //! Parses whole frames from the start of \a data; the number of bytes used, or -1 on an error.
    qsizetype parse(QByteArrayView data, QList<Message> &out);
    qsizetype fail(quint16 code, const char *reason); //!< records the error; -1

    qint64 m_maxMessage;
    QByteArray m_buffer; //!< an incomplete frame; released once empty
    QByteArray m_message; //!< fragments of a message so far
    Opcode m_messageOpcode = Opcode::Text;
    bool m_inMessage = false;
    quint16 m_errorCode = 0;
    QByteArray m_errorReason;
};

} // namespace ct
