// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace ct {

/*!
 * \brief Keeps the webhook secrets and the relay token out of the settings file.
 *
 * In the OS keychain through QtKeychain where a Secret Service answers; otherwise in a separate
 * file readable by the user only (0600), and usingFallback() says so, so the UI can warn.
 * CIRCLETRAY_SECRET_BACKEND=file forces the file (headless tests, `make run`).
 */
class SecretStore
{
public:
    //! \a fallbackFile: where secrets go when no keychain answers.
    explicit SecretStore(const QString &fallbackFile);

    QList<QByteArray> webhookSecrets() const;
    bool setWebhookSecrets(const QList<QByteArray> &secrets);
    QByteArray relayToken() const;
    bool setRelayToken(const QByteArray &token);
    bool usingFallback() const { return m_fallback; }
    QString fallbackFile() const { return m_file; }

private:
    QByteArray read(const QString &key) const;
    bool write(const QString &key, const QByteArray &value);
    QByteArray readFile(const QString &key) const;
    bool writeFile(const QString &key, const QByteArray &value);

    QString m_file;
    mutable bool m_fallback = false;
};

} // namespace ct
