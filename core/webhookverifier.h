// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <array>
#include <memory>
#include <optional>

namespace ct {

//! Why a delivery's signature was or was not accepted. Everything but Valid is answered 401.
enum class VerifyResult {
    Valid,
    MissingHeader, //!< no circleci-signature header at all
    BadFormat, //!< header present, but no v1 entry, or v1 is not exactly 64 hex digits
    Mismatch, //!< well-formed v1 that no configured secret produces
};

//! A short, log-safe English reason ("signature mismatch"); never contains the signature.
QByteArray verifyResultReason(VerifyResult result);

using Sha256Digest = std::array<unsigned char, 32>;

//! Outcome of reading a circleci-signature header: the decoded v1 digest, or why there is none.
struct SignatureHeader
{
    VerifyResult status = VerifyResult::MissingHeader; //!< Valid when v1 was found and decoded
    Sha256Digest v1 {};
};

SignatureHeader parseSignatureHeader(std::optional<QByteArrayView> header);

/*!
 * \brief Verifies CircleCI webhook signatures (HMAC-SHA256 over the raw body) against one or more secrets.
 *
 * Keeps one keyed OpenSSL EVP_MAC context per secret and reuses it for every request, which is
 * cheaper than keying a fresh HMAC each time. Not thread-safe: use one verifier per thread.
 * Empty secrets are ignored, so a blank line in a secrets file can never make a forged request valid.
 */
class WebhookVerifier
{
public:
    explicit WebhookVerifier(const QList<QByteArray> &secrets = {});
    ~WebhookVerifier();
    WebhookVerifier(const WebhookVerifier &) = delete;
    WebhookVerifier &operator=(const WebhookVerifier &) = delete;
    WebhookVerifier(WebhookVerifier &&) noexcept;
    WebhookVerifier &operator=(WebhookVerifier &&) noexcept;

    void setSecrets(const QList<QByteArray> &secrets);
    qsizetype secretCount() const;

    //! \a header is the circleci-signature value, or std::nullopt when the request had none.
    VerifyResult verify(QByteArrayView rawBody, std::optional<QByteArrayView> header) const;

    //! Lowercase hex HMAC-SHA256 of \a body with \a secret: what `circletray-hook send` puts after "v1=".
    static QByteArray sign(QByteArrayView body, QByteArrayView secret);

private:
    struct Key;
    std::vector<std::unique_ptr<Key>> m_keys;
};

//! One-shot convenience over WebhookVerifier.
VerifyResult verifySignature(QByteArrayView rawBody, std::optional<QByteArrayView> header,
                             const QList<QByteArray> &secrets);

} // namespace ct
