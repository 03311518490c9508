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

    //! Runs a QtKeychain job to completion (they are asynchronous), with a timeout.
    bool runJob(QKeychain::Job *job)
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
        return finished && job->error() == QKeychain::NoError;
    }
} // namespace

SecretStore::SecretStore(const QString &fallbackFile)
    : m_file(fallbackFile)
{
    m_fallback = qEnvironmentVariable("CIRCLETRAY_SECRET_BACKEND") == u"file";
}

QByteArray SecretStore::readFile(const QString &key) const
{
    return QSettings(m_file, QSettings::IniFormat).value(u"secrets/"_s + key).toByteArray();
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
    s.setValue(u"secrets/"_s + key, value);
    s.sync();
    return s.status() == QSettings::NoError;
}

QByteArray SecretStore::read(const QString &key) const
{
    if (!m_fallback) {
        QKeychain::ReadPasswordJob job(service);
        job.setKey(key);
        if (runJob(&job))
            return job.binaryData();
        if (job.error() != QKeychain::EntryNotFound) {
            qCInfo(lcApp) << "no usable keychain (" << job.errorString() << "): secrets are kept in" << m_file;
            m_fallback = true;
        } else {
            return readFile(key); // not in the keychain: maybe saved while it was unavailable
        }
    }
    return readFile(key);
}

bool SecretStore::write(const QString &key, const QByteArray &value)
{
    if (!m_fallback) {
        QKeychain::WritePasswordJob job(service);
        job.setKey(key);
        job.setBinaryData(value);
        if (runJob(&job)) {
            writeFile(key, QByteArray()); // none left behind in the file
            return true;
        }
        qCInfo(lcApp) << "no usable keychain (" << job.errorString() << "): secrets are kept in" << m_file;
        m_fallback = true;
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

} // namespace ct
