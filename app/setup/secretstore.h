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
 * file readable by the user only (0600), and usingFallback() says so, so the UI can warn. Each
 * read or write asks the keychain again; when it answers, a value the file holds for that secret
 * (stored while it did not) moves into it first, and leaves the file only once the keychain gives
 * it back. An empty value deletes the entry.
 * CIRCLETRAY_SECRET_BACKEND=file forces the file (tests of the fallback, the app benchmark).
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
    //! A CircleCI personal API token (Settings → CircleCI account): webhooks, catch-up, rerun.
    QByteArray circleCiToken() const;
    bool setCircleCiToken(const QByteArray &token);
    //! Whether the last read or write found no usable keychain (or the file is forced), so secrets
    //! are in fallbackFile().
    bool usingFallback() const { return m_fallback; }
    QString fallbackFile() const { return m_file; }

private:
    QByteArray read(const QString &key) const;
    bool write(const QString &key, const QByteArray &value);
    QByteArray readFile(const QString &key) const;
    bool writeFile(const QString &key, const QByteArray &value);
    // const: they move a secret between the keychain and the file, which changes nothing it reads.
    bool removeFromFile(const QString &key) const;
    bool moveToKeychain(const QString &key) const;
    void keychainAnswered(bool answered, const QString &why) const;

    QString m_file;
    bool m_fileOnly = false;
    mutable bool m_fallback = false;
};

} // namespace ct
