// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace ct {

/*!
 * \brief The relay's certificate chain and key, checked, in a server TLS configuration.
 *
 * Refused (nullopt and an error): no certificate, no usable key, or a key that is not the leaf
 * certificate's (every handshake would fail). Served with a warning: a certificate that has
 * expired or expires within 14 days. TLS 1.2 or later; TLS 1.2 offers only ECDHE key exchange
 * with AEAD ciphers (forward secrecy, no CBC or SHA-1 MACs); TLS 1.3's suites are all kept.
 */
struct TlsCredentials
{
    QSslConfiguration configuration;
    QDateTime expiresAt; //!< of the leaf certificate
    QString warning; //!< "expired on …", "expires in 9 days (…)"; empty when fine

    static constexpr int expiryWarningDays = 14;

    static std::optional<TlsCredentials> load(const QString &certPath, const QString &keyPath, QString *error);
    //! The TLS 1.2 and 1.3 ciphers the relay offers, strongest first as OpenSSL orders them.
    static QList<QSslCipher> serverCiphers();
    //! The warning for a leaf certificate valid until \a expiresAt, seen at \a now.
    static QString expiryWarning(const QDateTime &expiresAt, const QDateTime &now);
};

} // namespace ct
