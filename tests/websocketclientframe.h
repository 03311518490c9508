// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>


namespace ct::test {

// A client frame: masked unless told otherwise; \a length overrides the encoded length (traps).
inline QByteArray clientFrame(quint8 first, const QByteArray &payload, bool masked = true, qint64 length = -1)
{
    const quint64 n = length < 0 ? quint64(payload.size()) : quint64(length);
    QByteArray f;
    f.append(char(first));
    const char maskBit = masked ? char(0x80) : char(0);
    if (n <= 125) {
        f.append(char(maskBit | char(n)));
    } else if (n <= 0xFFFF) {
        f.append(char(maskBit | 126));
        f.append(char(n >> 8));
        f.append(char(n & 0xFF));
    } else {
        f.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            f.append(char((n >> shift) & 0xFF));
    }
    const QByteArray mask("\x12\x34\x56\x78", 4);
    if (masked)
        f.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        f.append(masked ? char(payload[i] ^ mask[i % 4]) : payload[i]);
    return f;
}

} // namespace ct::test
