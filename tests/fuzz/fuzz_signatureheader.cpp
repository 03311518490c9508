// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Fuzzes the circleci-signature header parser and the verifier around it.
#include "core/webhookverifier.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ct::WebhookVerifier verifier({QByteArrayLiteral("fuzz-secret")});
    const QByteArrayView header(reinterpret_cast<const char *>(data), qsizetype(size));
    const ct::SignatureHeader parsed = ct::parseSignatureHeader(header);
    if (parsed.status == ct::VerifyResult::Valid && !header.contains("v1"))
        std::abort(); // a digest was found where no v1 entry exists
    const ct::VerifyResult result = verifier.verify(header, header);
    // Forging needs HMAC-SHA256 of the input under a secret the fuzzer does not know.
    if (result == ct::VerifyResult::Valid)
        std::abort();
    if (result != parsed.status && !(parsed.status == ct::VerifyResult::Valid && result == ct::VerifyResult::Mismatch))
        std::abort(); // the verifier must report exactly what the parser found
    return 0;
}
