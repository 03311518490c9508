// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Fuzzes the incremental HTTP request reader, feeding the input in pieces whose sizes come from the input.
#include "core/httprequestreader.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    ct::HttpReaderLimits limits;
    limits.maxHeaderBytes = 2048;
    limits.maxBodyBytes = 4096;
    ct::HttpRequestReader reader(limits);
    // First byte: the piece size (1..16, or everything at once), so splits are explored too.
    const size_t step = data[0] % 17 == 0 ? size : data[0] % 17;
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const size_t n = size - 1;
    qint64 fed = 0;
    qint64 lastConsumed = 0;
    for (size_t at = 0; at < n; at += step) {
        const size_t len = std::min(step, n - at);
        reader.append(QByteArrayView(bytes + at, qsizetype(len)));
        fed += qint64(len);
        while (true) {
            const ct::ParseResult r = reader.next();
            if (reader.consumedBytes() < lastConsumed || reader.consumedBytes() > fed)
                std::abort(); // offsets only move forward, never past what was fed
            lastConsumed = reader.consumedBytes();
            if (r.status == ct::ParseStatus::Ok) {
                if (r.request.body.size() > limits.maxBodyBytes || r.request.method.isEmpty())
                    std::abort();
                if (r.request.versionMajor != 1 || r.request.versionMinor > 1)
                    std::abort(); // only HTTP/1.0 and 1.1 get through
                if (r.request.upgrade
                    && (r.request.method != "GET" || !r.request.body.isEmpty() || r.request.keepAlive))
                    std::abort(); // only a bodiless GET is handed over, and never kept alive as HTTP
                for (const auto &h : r.request.headers) {
                    if (h.first != h.first.toLower())
                        std::abort(); // names are lower-cased
                }
                continue;
            }
            if (r.status != ct::ParseStatus::Incomplete) {
                if (ct::httpStatusFor(r.status) < 400 || r.reason.isEmpty())
                    std::abort();
                return 0; // errors are final
            }
            break;
        }
    }
    return 0;
}
