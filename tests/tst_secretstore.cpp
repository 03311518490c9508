// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"
#include "umask.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr QFileDevice::Permissions ownerFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions anyBits = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
    | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
    | QFileDevice::WriteOther | QFileDevice::ExeOther;

//! The permission bits of \a path as chmod has them (QFileInfo adds the "User" flags of whoever asks).
QFileDevice::Permissions mode(const QString &path)
{
    return QFileInfo(path).permissions() & anyBits;
}

/*!
 * The files of a folder as the kernel reports them (inotify), for one question: did a file that
 * appeared (created, linked or renamed into place) or was written while watched have its
 * permissions changed afterwards? Then it was there for a moment with others, the ones it was
 * created with (the umask's), and another user could have opened it and kept reading through that
 * descriptor. Tightening a file that was there before the watch began is no such case.
 */
class FolderWatch
{
public:
    explicit FolderWatch(const QString &folder)
        : m_fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
    {
        if (m_fd >= 0
            && inotify_add_watch(m_fd, QFile::encodeName(folder).constData(),
                                 IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)
                < 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~FolderWatch()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FolderWatch(const FolderWatch &) = delete;
    FolderWatch &operator=(const FolderWatch &) = delete;

    bool isValid() const { return m_fd >= 0; }

    //! Files whose permissions changed after they appeared or were written, since the watch began.
    QStringList changedAfterAppearing()
    {
        alignas(inotify_event) char buffer[16384];
        for (;;) {
            const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n;) {
                const auto *e = reinterpret_cast<const inotify_event *>(buffer + i);
                const QString name = e->len ? QFile::decodeName(e->name) : QString();
                if (e->mask & (IN_CREATE | IN_MOVED_TO | IN_MODIFY))
                    m_appeared.insert(name);
                if (e->mask & (IN_DELETE | IN_MOVED_FROM))
                    m_appeared.remove(name);
                if ((e->mask & IN_ATTRIB) && m_appeared.contains(name))
                    m_offenders.append(name);
                i += ssize_t(sizeof(inotify_event)) + e->len;
            }
        }
        return m_offenders;
    }

private:
    int m_fd = -1;
    QSet<QString> m_appeared;
    QStringList m_offenders;
};

} // namespace

class TestSecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fileFallbackIsPrivate();
    void issue14_secretsFileNeverLooser_data();
    void issue14_secretsFileNeverLooser();
};

void TestSecretStore::initTestCase()
{
    // No Secret Service on a test machine: the file fallback.
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
}

void TestSecretStore::fileFallbackIsPrivate()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    {
        ct::SecretStore store(file);
        QVERIFY(store.usingFallback()); // and it must say so
        QVERIFY(store.webhookSecrets().isEmpty());
        QVERIFY(store.setWebhookSecrets({"new-secret"_ba, "old-secret"_ba}));
        QVERIFY(store.setRelayToken("ctr_token\n"_ba));
    }
    QCOMPARE(
        QFile(file).permissions()
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());
    ct::SecretStore again(file);
    QCOMPARE(again.webhookSecrets(), QList<QByteArray>({"new-secret"_ba, "old-secret"_ba}));
    QCOMPARE(again.relayToken(), "ctr_token"_ba);
}

void TestSecretStore::issue14_secretsFileNeverLooser_data()
{
    QTest::addColumn<QByteArray>("existing"); // secrets.ini before the app writes, "" for none
    QTest::newRow("first secret") << QByteArray();
    QTest::newRow("copied in with 0644") << "[secrets]\nrelay-token=ctr_old\n"_ba;
}

void TestSecretStore::issue14_secretsFileNeverLooser()
{
    // With the usual umask a new file is 0644: the secrets file must be 0600 from its first byte
    // on, not made so after the secret is in it.
    QFETCH(QByteArray, existing);
    const ct::test::Umask umask(022);
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    if (!existing.isEmpty()) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(existing);
        f.close();
        QCOMPARE(mode(file), ownerFile | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^"_s + QRegularExpression::escape(file)
                                                + u" could be read by other users \\(0644\\): made it owner-only"_s));
    }
    FolderWatch watch(dir.path());
    QVERIFY(watch.isValid());
    ct::SecretStore store(file);
    QVERIFY(store.setWebhookSecrets({"new-secret"_ba}));
    QCOMPARE(mode(file), ownerFile);
    QVERIFY(store.setRelayToken("ctr_token"_ba));
    QCOMPARE(mode(file), ownerFile);
    const QStringList late = watch.changedAfterAppearing();
    QVERIFY2(late.isEmpty(), qPrintable(u"permissions changed after it was there: "_s + late.join(u", "_s)));
    QCOMPARE(store.webhookSecrets(), QList<QByteArray>({"new-secret"_ba}));
    QCOMPARE(store.relayToken(), "ctr_token"_ba);
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
