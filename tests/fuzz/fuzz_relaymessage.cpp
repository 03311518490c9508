// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Fuzzes the relay protocol decoder (what the app reads from a relay) and its round trip.
#include "core/relaymessage.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ct::RelayMessage m =
        ct::decodeRelayMessage(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (m.type == ct::RelayMessage::Type::Invalid) {
        if (m.error.isEmpty())
            std::abort(); // a refusal says why
        return 0;
    }
    if (m.type == ct::RelayMessage::Type::Event) {
        if (m.seq <= 0)
            std::abort();
        // Encoding what was decoded and decoding it again gives the same event, body byte for byte.
        const ct::RelayMessage again =
            ct::decodeRelayMessage(ct::RelayMessage::event(m.seq, m.receivedAt, m.eventType, m.signature, m.body));
        if (again.type != ct::RelayMessage::Type::Event || again.seq != m.seq || again.body != m.body)
            std::abort();
    }
    if (m.type == ct::RelayMessage::Type::Gap && m.from > m.to)
        std::abort();
    return 0;
}
