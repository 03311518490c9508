// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/webhookverifier.h"

#include "core/logging.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    QByteArrayView trimmed(QByteArrayView v)
    {
        while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
            v = v.sliced(1);
        while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
            v.chop(1);
        return v;
    }

    struct MacDeleter
    {
        void operator()(EVP_MAC *m) const { EVP_MAC_free(m); }
        void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
    };

} // namespace

QByteArray verifyResultReason(VerifyResult result)
{
    switch (result) {
    case VerifyResult::Valid:
        return "valid"_ba;
    case VerifyResult::MissingHeader:
        return "missing circleci-signature header"_ba;
    case VerifyResult::BadFormat:
        return "malformed circleci-signature header (need v1=<64 hex digits>)"_ba;
    case VerifyResult::Mismatch:
        return "signature mismatch (wrong secret, or the body was altered)"_ba;
    }
    return "unknown"_ba;
}

/*!
 * \brief Reads the v1 digest out of a circleci-signature header.
 *
 * The header is a comma-separated list of version=value pairs, each split at its first '='.
 * Only v1 counts; other versions are ignored (never used as a fallback: CircleCI warns about
 * downgrades). A missing v1, a repeated v1, or a v1 that is not exactly 64 hex digits is BadFormat.
 * The hex check comes before decoding because QByteArray::fromHex silently skips bad characters.
 */
SignatureHeader parseSignatureHeader(std::optional<QByteArrayView> header)
{
    SignatureHeader out;
    if (!header) {
        out.status = VerifyResult::MissingHeader;
        return out;
    }
    out.status = VerifyResult::BadFormat;
    bool found = false;
    QByteArrayView rest = *header;
    while (true) {
        const qsizetype comma = rest.indexOf(',');
        const QByteArrayView piece = comma < 0 ? rest : rest.first(comma);
        const qsizetype eq = piece.indexOf('=');
        const QByteArrayView key = trimmed(eq < 0 ? piece : piece.first(eq));
        if (key == "v1") {
            const QByteArrayView value = eq < 0 ? QByteArrayView() : trimmed(piece.sliced(eq + 1));
            if (found || value.size() != 64) {
                out.status = VerifyResult::BadFormat;
                return out;
            }
            for (qsizetype i = 0; i < 32; ++i) {
                const int hi = hexValue(value[2 * i]);
                const int lo = hexValue(value[2 * i + 1]);
                if (hi < 0 || lo < 0) {
                    out.status = VerifyResult::BadFormat;
                    return out;
                }
                out.v1[size_t(i)] = static_cast<unsigned char>(hi << 4 | lo);
            }
            found = true;
            out.status = VerifyResult::Valid;
        }
        if (comma < 0)
            break;
        rest = rest.sliced(comma + 1);
    }
    return out;
}

struct WebhookVerifier::Key
{
    std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx;
};

WebhookVerifier::WebhookVerifier(const QList<QByteArray> &secrets)
{
    setSecrets(secrets);
}

WebhookVerifier::~WebhookVerifier() = default;
WebhookVerifier::WebhookVerifier(WebhookVerifier &&) noexcept = default;
WebhookVerifier &WebhookVerifier::operator=(WebhookVerifier &&) noexcept = default;

void WebhookVerifier::setSecrets(const QList<QByteArray> &secrets)
{
    m_keys.clear();
    const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
    if (!mac) {
        qCCritical(lcVerifier) << "OpenSSL has no HMAC implementation; every delivery will be rejected";
        return;
    }
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    for (const QByteArray &secret : secrets) {
        if (secret.isEmpty())
            continue;
        auto key = std::make_unique<Key>();
        key->ctx.reset(EVP_MAC_CTX_new(mac.get()));
        if (!key->ctx
            || EVP_MAC_init(key->ctx.get(), reinterpret_cast<const unsigned char *>(secret.constData()),
                            size_t(secret.size()), params)
                != 1) {
            qCCritical(lcVerifier) << "could not key an HMAC context; that secret is unusable";
            continue;
        }
        m_keys.push_back(std::move(key));
    }
}

qsizetype WebhookVerifier::secretCount() const
{
    return qsizetype(m_keys.size());
}

/*!
 * \brief Checks \a header against the HMAC-SHA256 of the raw \a rawBody under every configured secret.
 *
 * Digests are compared as 32 decoded bytes with CRYPTO_memcmp (constant time), so hex case is moot
 * and no early exit leaks how many bytes matched. Every secret is tried, even after a match, so the
 * time taken does not reveal which secret matched.
 */
VerifyResult WebhookVerifier::verify(QByteArrayView rawBody, std::optional<QByteArrayView> header) const
{
    const SignatureHeader parsed = parseSignatureHeader(header);
    if (parsed.status != VerifyResult::Valid)
        return parsed.status;
    bool matched = false;
    for (const auto &key : m_keys) {
        Sha256Digest mac {};
        size_t len = 0;
        // A NULL key re-initialises the context with the key it already holds (OpenSSL 3).
        if (EVP_MAC_init(key->ctx.get(), nullptr, 0, nullptr) != 1
            || EVP_MAC_update(key->ctx.get(), reinterpret_cast<const unsigned char *>(rawBody.data()),
                              size_t(rawBody.size()))
                != 1
            || EVP_MAC_final(key->ctx.get(), mac.data(), &len, mac.size()) != 1 || len != mac.size()) {
            qCWarning(lcVerifier) << "HMAC computation failed";
            continue;
        }
        matched |= CRYPTO_memcmp(mac.data(), parsed.v1.data(), mac.size()) == 0;
    }
    return matched ? VerifyResult::Valid : VerifyResult::Mismatch;
}

QByteArray WebhookVerifier::sign(QByteArrayView body, QByteArrayView secret)
{
    Sha256Digest mac {};
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const unsigned char *>(body.data()),
         size_t(body.size()), mac.data(), &len);
    return QByteArray(reinterpret_cast<const char *>(mac.data()), qsizetype(len)).toHex();
}

VerifyResult verifySignature(QByteArrayView rawBody, std::optional<QByteArrayView> header,
                             const QList<QByteArray> &secrets)
{
    return WebhookVerifier(secrets).verify(rawBody, header);
}

} // namespace ct
