// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"

#include "app/applogging.h"
#include "app/privatefiles.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    const QString service = u"CircleTray"_s;

    QString fileKey(const QString &key)
    {
        return u"secrets/"_s + key;
    }

    //! Runs a QtKeychain job to completion (they are asynchronous), with a timeout.
    QKeychain::Error runJob(QKeychain::Job *job)
    {
        QEventLoop loop;
        bool finished = false;
        QObject::connect(job, &QKeychain::Job::finished, &loop, [&] {
            finished = true;
            loop.quit();
        });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        job->setAutoDelete(false);
        job->start();
        if (!finished)
            loop.exec();
        return finished ? job->error() : QKeychain::OtherError;
    }

    //! Reads \a key into \a value (empty if there is no entry); false, with \a why, if the keychain fails.
    bool keychainRead(const QString &key, QByteArray *value, QString *why)
    {
        QKeychain::ReadPasswordJob job(service);
        job.setKey(key);
        const QKeychain::Error error = runJob(&job);
        *value = error == QKeychain::NoError ? job.binaryData() : QByteArray();
        *why = job.errorString();
        return error == QKeychain::NoError || error == QKeychain::EntryNotFound;
    }

    //! Stores \a value under \a key, or deletes the entry if \a value is empty (none is no error).
    bool keychainWrite(const QString &key, const QByteArray &value, QString *why)
    {
        if (value.isEmpty()) {
            QKeychain::DeletePasswordJob job(service);
            job.setKey(key);
            const QKeychain::Error error = runJob(&job);
            *why = job.errorString();
            return error == QKeychain::NoError || error == QKeychain::EntryNotFound;
        }
        QKeychain::WritePasswordJob job(service);
        job.setKey(key);
        job.setBinaryData(value);
        const QKeychain::Error error = runJob(&job);
        *why = job.errorString();
        return error == QKeychain::NoError;
    }
} // namespace

SecretStore::SecretStore(const QString &fallbackFile)
    : m_file(fallbackFile)
    , m_fileOnly(qEnvironmentVariable("CIRCLETRAY_SECRET_BACKEND") == u"file")
    , m_fallback(m_fileOnly)
{ }

QByteArray SecretStore::readFile(const QString &key) const
{
    return QSettings(m_file, QSettings::IniFormat).value(fileKey(key)).toByteArray();
}

bool SecretStore::writeFile(const QString &key, const QByteArray &value)
{
    // 0600 before the first secret goes in: QSettings saves through a temporary file that takes the
    // existing file's permissions (a new one would get the umask's until a chmod afterwards).
    makePrivateFolder(QFileInfo(m_file).absolutePath());
    QString error;
    if (!makePrivateFile(m_file, &error)) {
        qCWarning(lcApp).noquote() << "not writing secrets:" << error;
        return false;
    }
    QSettings s(m_file, QSettings::IniFormat);
    if (value.isEmpty())
        s.remove(fileKey(key));
    else
        s.setValue(fileKey(key), value);
    s.sync();
    return s.status() == QSettings::NoError;
}

bool SecretStore::removeFromFile(const QString &key) const
{
    if (!QFileInfo::exists(m_file))
        return true;
    QSettings s(m_file, QSettings::IniFormat);
    if (!s.contains(fileKey(key)))
        return true;
    tightenPrivateFile(m_file); // what else it holds stays for the user only
    s.remove(fileKey(key));
    s.sync();
    if (s.status() != QSettings::NoError) {
        qCWarning(lcApp).noquote() << "could not remove" << key << "from" << m_file;
        return false;
    }
    return true;
}

/*!
 * A value the file holds for \a key was stored while no keychain answered, so it is newer than what
 * the keychain has: stores it there, reads it back, and only then removes it from the file. False
 * if the keychain failed: then the file still has it, nothing is lost.
 *
 * A deletion while no keychain answered leaves the keychain's old value: a locked keychain reads as
 * empty, so an empty value saved then is no proof that the user meant to delete anything.
 */
bool SecretStore::moveToKeychain(const QString &key) const
{
    const QByteArray value = readFile(key);
    if (value.isEmpty())
        return removeFromFile(key); // nothing, or an empty value older versions left behind
    QString why;
    QByteArray readBack;
    bool moved = keychainWrite(key, value, &why) && keychainRead(key, &readBack, &why);
    if (moved && readBack != value) {
        moved = false;
        why = u"it read back different"_s;
    }
    if (!moved) {
        qCWarning(lcApp).noquote() << "not moving" << key << "into the keychain (" << why << "): it stays in" << m_file;
        m_fallback = true;
        return false;
    }
    qCInfo(lcApp).noquote() << "moved" << key << "from" << m_file << "into the keychain";
    return removeFromFile(key);
}

void SecretStore::keychainAnswered(bool answered, const QString &why) const
{
    if (!answered && !m_fallback)
        qCInfo(lcApp).noquote() << "no usable keychain (" << why << "): secrets are kept in" << m_file;
    m_fallback = !answered;
}

QByteArray SecretStore::read(const QString &key) const
{
    if (!m_fileOnly && moveToKeychain(key)) {
        QByteArray value;
        QString why;
        const bool answered = keychainRead(key, &value, &why);
        keychainAnswered(answered, why);
        if (answered)
            return value;
    }
    return readFile(key);
}

bool SecretStore::write(const QString &key, const QByteArray &value)
{
    if (!m_fileOnly) {
        QString why;
        const bool answered = keychainWrite(key, value, &why);
        keychainAnswered(answered, why);
        if (answered)
            return removeFromFile(key); // an older value there would otherwise move over it later
    }
    return writeFile(key, value);
}

QList<QByteArray> SecretStore::webhookSecrets() const
{
    QList<QByteArray> out;
    for (const QByteArray &line : read(u"webhook-secrets"_s).split('\n')) {
        if (!line.trimmed().isEmpty())
            out.append(line.trimmed());
    }
    return out;
}

bool SecretStore::setWebhookSecrets(const QList<QByteArray> &secrets)
{
    return write(u"webhook-secrets"_s, QByteArrayList(secrets).join('\n'));
}

QByteArray SecretStore::relayToken() const
{
    return read(u"relay-token"_s).trimmed();
}

bool SecretStore::setRelayToken(const QByteArray &token)
{
    return write(u"relay-token"_s, token.trimmed());
}

QByteArray SecretStore::circleCiToken() const
{
    return read(u"circleci-token"_s).trimmed();
}

bool SecretStore::setCircleCiToken(const QByteArray &token)
{
    return write(u"circleci-token"_s, token.trimmed());
}

} // namespace ct
