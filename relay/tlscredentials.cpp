// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/tlscredentials.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslKey>

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    //! Does \a keyPem hold the private key of \a certPem? Through OpenSSL: Qt has no such check.
    bool keyMatchesCertificate(const QByteArray &certPem, const QByteArray &keyPem)
    {
        const std::unique_ptr<BIO, decltype(&BIO_free)> certBio(
            BIO_new_mem_buf(certPem.constData(), int(certPem.size())), &BIO_free);
        const std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())),
                                                               &BIO_free);
        if (!certBio || !keyBio)
            return false;
        const std::unique_ptr<X509, decltype(&X509_free)> cert(
            PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr), &X509_free);
        // No passphrase callback that asks: an encrypted key simply does not load.
        pem_password_cb *noPassphrase = [](char *, int, int, void *) { return 0; };
        const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
            PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr), &EVP_PKEY_free);
        return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
    }

} // namespace

QString TlsCredentials::expiryWarning(const QDateTime &expiresAt, const QDateTime &now)
{
    if (!expiresAt.isValid())
        return {};
    const QString when = expiresAt.toUTC().toString(Qt::ISODate);
    if (expiresAt <= now)
        return u"the TLS certificate expired on %1: clients refuse it"_s.arg(when);
    const qint64 days = now.secsTo(expiresAt) / 86400; // whole days left
    if (now.addDays(expiryWarningDays) >= expiresAt)
        return u"the TLS certificate expires in %1 day(s), on %2: renew it and send SIGHUP"_s.arg(days).arg(when);
    return {};
}

QList<QSslCipher> TlsCredentials::serverCiphers()
{
    QList<QSslCipher> out;
    for (const QSslCipher &c : QSslConfiguration::supportedCiphers()) {
        if (c.protocol() == QSsl::TlsV1_3) {
            out.append(c);
            continue;
        }
        if (c.protocol() != QSsl::TlsV1_2)
            continue;
        const QString name = c.name();
        const bool forwardSecret = name.startsWith(u"ECDHE-"_s);
        const bool aead = name.contains(u"-GCM-"_s) || name.contains(u"CHACHA20-POLY1305"_s);
        if (forwardSecret && aead)
            out.append(c);
    }
    return out;
}

std::optional<TlsCredentials> TlsCredentials::load(const QString &certPath, const QString &keyPath, QString *error)
{
    QFile certFile(certPath);
    if (!certFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(certPath, certFile.errorString());
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate in %1"_s.arg(certPath);
        return std::nullopt;
    }
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(keyPath, keyFile.errorString());
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec);
    if (key.isNull()) {
        *error = u"%1 holds no unencrypted RSA or EC private key in PEM"_s.arg(keyPath);
        return std::nullopt;
    }
    if (!keyMatchesCertificate(chain.first().toPem(), pem)) {
        *error = u"the key in %1 does not belong to the first certificate in %2 (every handshake would fail)"_s.arg(
            keyPath, certPath);
        return std::nullopt;
    }
    TlsCredentials out;
    out.configuration = QSslConfiguration::defaultConfiguration();
    out.configuration.setLocalCertificateChain(chain);
    out.configuration.setPrivateKey(key);
    out.configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are authenticated by token
    out.configuration.setProtocol(QSsl::TlsV1_2OrLater);
    out.configuration.setCiphers(serverCiphers());
    out.expiresAt = chain.first().expiryDate();
    out.warning = expiryWarning(out.expiresAt, QDateTime::currentDateTimeUtc());
    return out;
}

} // namespace ct
