// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/setup/settingsdialog.h"
#include "umask.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>
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

using Stored = std::optional<QByteArray>; // a value, or no entry at all

/*!
 * What the Secret Service holds for \a key of CircleTray, asked with secret-tool (libsecret's own
 * client, not QtKeychain): nullopt when there is no such item. QtKeychain stores the binary data
 * base64-encoded (its "type" attribute says "base64").
 */
Stored inKeychain(const QString &key)
{
    QProcess tool;
    tool.start(u"secret-tool"_s, {u"lookup"_s, u"server"_s, u"CircleTray"_s, u"user"_s, key});
    if (!tool.waitForFinished(10000) || tool.exitStatus() != QProcess::NormalExit || tool.exitCode() != 0)
        return std::nullopt;
    return QByteArray::fromBase64(tool.readAllStandardOutput().trimmed());
}

bool clearKeychain()
{
    // secret-tool fails when there was nothing to clear: ask afterwards instead.
    QProcess::execute(u"secret-tool"_s, {u"clear"_s, u"server"_s, u"CircleTray"_s});
    return !inKeychain(u"relay-token"_s) && !inKeychain(u"webhook-secrets"_s);
}

//! The fallback file's entry for \a key, nullopt when it has none.
Stored inFile(const QString &file, const QString &key)
{
    const QSettings s(file, QSettings::IniFormat);
    if (!s.contains(u"secrets/"_s + key))
        return std::nullopt;
    return s.value(u"secrets/"_s + key).toByteArray();
}

QByteArray fileText(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

//! A store on the file only, as when no keychain answered (or CIRCLETRAY_SECRET_BACKEND=file).
std::unique_ptr<ct::SecretStore> fileOnlyStore(const QString &file)
{
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    auto store = std::make_unique<ct::SecretStore>(file);
    qunsetenv("CIRCLETRAY_SECRET_BACKEND");
    return store;
}

// The two kinds of secret, each as a list: the webhook secrets (current, previous), the relay
// token as one item; the keychain holds them as one value each.
QList<QByteArray> secretsOf(const ct::SecretStore &store, const QString &key)
{
    if (key == u"webhook-secrets")
        return store.webhookSecrets();
    const QByteArray token = store.relayToken();
    return token.isEmpty() ? QList<QByteArray>() : QList<QByteArray>({token});
}

bool setSecrets(ct::SecretStore &store, const QString &key, const QList<QByteArray> &secrets)
{
    return key == u"webhook-secrets" ? store.setWebhookSecrets(secrets) : store.setRelayToken(secrets.value(0));
}

Stored stored(const QList<QByteArray> &secrets)
{
    if (secrets.isEmpty())
        return std::nullopt;
    return QByteArrayList(secrets).join('\n');
}

/*!
 * Locks or unlocks the test keyring's "login" collection, as a screen lock would. Unlocking through
 * the Secret Service API would ask in a prompt; gnome-keyring's own interface takes the password
 * (CT_KEYRING_PASSWORD, from scripts/headless-desktop) in a "plain" session.
 */
bool setKeyringLocked(bool locked)
{
    const QString service = u"org.freedesktop.secrets"_s;
    const QString path = u"/org/freedesktop/secrets"_s;
    const QDBusObjectPath login(u"/org/freedesktop/secrets/collection/login"_s);
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (locked) {
        QDBusMessage lock =
            QDBusMessage::createMethodCall(service, path, u"org.freedesktop.Secret.Service"_s, u"Lock"_s);
        lock << QVariant::fromValue(QList<QDBusObjectPath>({login}));
        return bus.call(lock).type() == QDBusMessage::ReplyMessage;
    }
    QDBusMessage open =
        QDBusMessage::createMethodCall(service, path, u"org.freedesktop.Secret.Service"_s, u"OpenSession"_s);
    open << u"plain"_s << QVariant::fromValue(QDBusVariant(QString()));
    const QDBusMessage opened = bus.call(open);
    if (opened.type() != QDBusMessage::ReplyMessage || opened.arguments().size() != 2)
        return false;
    QDBusArgument secret; // (session, parameters, value, content type)
    secret.beginStructure();
    secret << opened.arguments().at(1).value<QDBusObjectPath>() << QByteArray() << qgetenv("CT_KEYRING_PASSWORD")
           << u"text/plain"_s;
    secret.endStructure();
    QDBusMessage unlock = QDBusMessage::createMethodCall(
        service, path, u"org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"_s, u"UnlockWithMasterPassword"_s);
    unlock << QVariant::fromValue(login) << QVariant::fromValue(secret);
    return bus.call(unlock).type() == QDBusMessage::ReplyMessage;
}

} // namespace

namespace QTest {
template <> char *toString(const Stored &value)
{
    return value ? QTest::toString(*value) : qstrdup("(no entry)");
}
} // namespace QTest

class TestSecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void fileFallbackIsPrivate();
    void issue14_secretsFileNeverLooser_data();
    void issue14_secretsFileNeverLooser();
    void keychainWhereOneAnswers();
    void keychainStoresReplacesDeletes_data();
    void keychainStoresReplacesDeletes();
    void fileSecretsMoveIntoTheKeychain_data();
    void fileSecretsMoveIntoTheKeychain();
    void fileSecretsStayWhenTheKeychainRefuses();

private:
    bool m_keychain = false; // a Secret Service runs (scripts/headless-desktop starts gnome-keyring)
};

void TestSecretStore::initTestCase()
{
    // Outside the headless desktop these tests would read, overwrite and clear the user's own keyring.
    const QString service = qEnvironmentVariable("CT_SECRET_SERVICE");
    QVERIFY2(service == u"gnome-keyring" || service == u"none",
             "run this test inside scripts/headless-desktop (it must not touch your own keyring)");
    m_keychain = service == u"gnome-keyring";
    if (m_keychain)
        QVERIFY2(QDBusConnection::sessionBus().interface()->isServiceRegistered(u"org.freedesktop.secrets"_s),
                 "no Secret Service on the headless desktop's bus");
}

void TestSecretStore::init()
{
    qunsetenv("CIRCLETRAY_SECRET_BACKEND");
    if (m_keychain)
        QVERIFY(clearKeychain());
}

void TestSecretStore::fileFallbackIsPrivate()
{
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
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
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
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

void TestSecretStore::keychainWhereOneAnswers()
{
    // Issue 15 (16): the keychain where a Secret Service answers, else the file; Settings warns only
    // about the file, also when it is opened before anything was read.
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    ct::SecretStore store(file);
    QVERIFY(store.setRelayToken("ctr_where"_ba));
    QCOMPARE(store.usingFallback(), !m_keychain);
    QCOMPARE(inFile(file, u"relay-token"_s), m_keychain ? Stored() : Stored("ctr_where"_ba));
    if (m_keychain)
        QCOMPARE(inKeychain(u"relay-token"_s), Stored("ctr_where"_ba));

    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore fresh(file); // nothing asked yet: the dialog must find out itself
    ct::SettingsDialog dialog(&settings, &fresh);
    const auto *warning = dialog.findChild<QLabel *>(u"fallbackWarning"_s);
    QVERIFY(warning);
    QCOMPARE(warning->isHidden(), m_keychain);
    QVERIFY(warning->text().contains(file) || m_keychain);
}

void TestSecretStore::keychainStoresReplacesDeletes_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QList<QByteArray>>("first");
    QTest::addColumn<QList<QByteArray>>("replacement");
    using L = QList<QByteArray>;
    // clang-format off
    QTest::newRow("relay token")             << u"relay-token"_s     << L{"ctr_first"}      << L{"ctr_second"};
    QTest::newRow("webhook secret")          << u"webhook-secrets"_s << L{"whs-a"}          << L{"whs-b"};
    QTest::newRow("rotated: previous added") << u"webhook-secrets"_s << L{"whs-a"}          << L{"whs-b", "whs-a"};
    QTest::newRow("previous removed")        << u"webhook-secrets"_s << L{"whs-b", "whs-a"} << L{"whs-b"};
    // clang-format on
}

void TestSecretStore::keychainStoresReplacesDeletes()
{
    if (!m_keychain)
        QSKIP("no Secret Service (CT_SECRET_SERVICE=none)");
    // Issue 15 (16): an emptied secret was stored in the keychain as an empty item, and every write
    // left an empty entry in the fallback file.
    QFETCH(QString, key);
    QFETCH(QList<QByteArray>, first);
    QFETCH(QList<QByteArray>, replacement);
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    ct::SecretStore store(file);
    QVERIFY(secretsOf(store, key).isEmpty());
    for (const QList<QByteArray> &secrets : {first, replacement, QList<QByteArray>()}) {
        // Set, then read back here, by another store (another run of the app), and from the keychain
        // itself; the fallback file never holds it. An empty list deletes: no item left behind.
        QVERIFY(setSecrets(store, key, secrets));
        QVERIFY(!store.usingFallback());
        QCOMPARE(secretsOf(store, key), secrets);
        QCOMPARE(secretsOf(ct::SecretStore(file), key), secrets);
        QCOMPARE(inKeychain(key), stored(secrets));
        QCOMPARE(inFile(file, key), Stored());
        for (const QByteArray &secret : first + replacement)
            QVERIFY(!fileText(file).contains(secret));
        QCOMPARE(secretsOf(*fileOnlyStore(file), key), QList<QByteArray>());
    }
}

void TestSecretStore::fileSecretsMoveIntoTheKeychain_data()
{
    // Secrets written while no keychain answered, and what the keychain held from before.
    QTest::addColumn<QString>("key");
    QTest::addColumn<QList<QByteArray>>("keychainHad");
    QTest::addColumn<QList<QByteArray>>("fileHas");
    QTest::addColumn<QList<QByteArray>>("expected");
    using L = QList<QByteArray>;
    // clang-format off
    QTest::newRow("relay token")                << u"relay-token"_s     << L{}               << L{"ctr_file"}           << L{"ctr_file"};
    QTest::newRow("webhook secret, previous")   << u"webhook-secrets"_s << L{}               << L{"whs-new", "whs-old"} << L{"whs-new", "whs-old"};
    QTest::newRow("newer than the keychain's")  << u"relay-token"_s     << L{"ctr_old"}      << L{"ctr_new"}            << L{"ctr_new"};
    QTest::newRow("previous dropped meanwhile") << u"webhook-secrets"_s << L{"whs-b", "whs-a"} << L{"whs-b"}            << L{"whs-b"};
    // An empty value saved while the keychain was away (a locked one reads as empty) deletes nothing there.
    QTest::newRow("token emptied meanwhile")    << u"relay-token"_s     << L{"ctr_old"}      << L{}                     << L{"ctr_old"};
    // clang-format on
}

void TestSecretStore::fileSecretsMoveIntoTheKeychain()
{
    if (!m_keychain)
        QSKIP("no Secret Service (CT_SECRET_SERVICE=none)");
    // Issue 15 (16): secrets saved to the file stayed there once a keychain answered, and a value
    // the keychain had from before won over the newer one in the file.
    QFETCH(QString, key);
    QFETCH(QList<QByteArray>, keychainHad);
    QFETCH(QList<QByteArray>, fileHas);
    QFETCH(QList<QByteArray>, expected);
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    if (!keychainHad.isEmpty()) {
        ct::SecretStore before(file);
        QVERIFY(setSecrets(before, key, keychainHad));
        QCOMPARE(inKeychain(key), stored(keychainHad));
    }
    QVERIFY(setSecrets(*fileOnlyStore(file), key, fileHas));
    QCOMPARE(inFile(file, key), stored(fileHas));

    // The keychain answers now: the first read moves the file's value over, and it is the one read.
    ct::SecretStore store(file);
    QCOMPARE(secretsOf(store, key), expected);
    QVERIFY(!store.usingFallback());
    QCOMPARE(inKeychain(key), stored(expected));
    QCOMPARE(inFile(file, key), Stored());
    for (const QByteArray &secret : fileHas + keychainHad)
        QVERIFY(!fileText(file).contains(secret));
    QCOMPARE(secretsOf(ct::SecretStore(file), key), expected);
    QCOMPARE(secretsOf(*fileOnlyStore(file), key), QList<QByteArray>());
}

void TestSecretStore::fileSecretsStayWhenTheKeychainRefuses()
{
    // Issue 15 (16): a keychain that answers but takes nothing (locked; no prompt can unlock it here): the secrets
    // stay in the file, nothing is lost, and the store says it uses the file. Once it is unlocked
    // they move over.
    if (!m_keychain)
        QSKIP("no Secret Service (CT_SECRET_SERVICE=none)");
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    {
        auto before = fileOnlyStore(file);
        QVERIFY(before->setRelayToken("ctr_kept"_ba));
        QVERIFY(before->setWebhookSecrets({"whs-kept"_ba, "whs-prev"_ba}));
    }
    QVERIFY(setKeyringLocked(true));
    auto unlock = qScopeGuard([] { setKeyringLocked(false); });
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^not moving relay-token into the keychain"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^not moving webhook-secrets into the keychain"_s));
    ct::SecretStore store(file);
    QCOMPARE(store.relayToken(), "ctr_kept"_ba);
    QCOMPARE(store.webhookSecrets(), QList<QByteArray>({"whs-kept"_ba, "whs-prev"_ba}));
    QVERIFY(store.usingFallback());
    QCOMPARE(inFile(file, u"relay-token"_s), Stored("ctr_kept"_ba));
    QCOMPARE(inFile(file, u"webhook-secrets"_s), Stored("whs-kept\nwhs-prev"_ba));
    QVERIFY(store.setRelayToken("ctr_newer"_ba)); // into the file too
    QCOMPARE(inFile(file, u"relay-token"_s), Stored("ctr_newer"_ba));

    unlock.dismiss();
    QVERIFY(setKeyringLocked(false));
    QCOMPARE(inKeychain(u"relay-token"_s), Stored()); // nothing went in while it was locked
    QCOMPARE(store.relayToken(), "ctr_newer"_ba);
    QCOMPARE(store.webhookSecrets(), QList<QByteArray>({"whs-kept"_ba, "whs-prev"_ba}));
    QVERIFY(!store.usingFallback());
    QCOMPARE(inKeychain(u"relay-token"_s), Stored("ctr_newer"_ba));
    QCOMPARE(inKeychain(u"webhook-secrets"_s), Stored("whs-kept\nwhs-prev"_ba));
    QCOMPARE(inFile(file, u"relay-token"_s), Stored());
    QCOMPARE(inFile(file, u"webhook-secrets"_s), Stored());
}

QTEST_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
