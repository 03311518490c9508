// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Runs inside scripts/headless-desktop: a real session bus, dunst as the notification daemon, trayer.
#include "app/appcontroller.h"
#include "app/notifications/dbusnotifier.h"
#include "app/setup/settings.h"
#include "app/sources/directsource.h"
#include "app/trayicon.h"
#include "dunst.h"
#include "fixtures.h"
#include "relayprocess.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QJsonArray>
#include <QMenu>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

//! Summaries of closed notifications, newest first (dunstctl history).
QStringList historySummaries()
{
    QStringList out;
    for (const auto &n : dunstHistory())
        out.append(n.first);
    return out;
}

} // namespace

class TestDesktopNotifications final : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void openUrl(const QUrl &url) { m_opened.append(url); } // QDesktopServices' handler for https

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void popupReachesTheDaemonAndOpensTheWorkflow();
    void laterEventReplacesItsPopup();
    void fixedReplacesTheStaleBroken();
    void namedActionOpensTheWorkflow();
    void trayIconShowsState();
    void appSwitchesToTheDaemonWhenItAppears();
    void unwritableDataFolderIsAClearError();
    void unreadableSecretFileIsAClearError();
    void oneInstancePerUserWhateverTheDataDir();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ct::HistoryStore> m_store;
    std::unique_ptr<ct::DBusNotifier> m_notifier;
    std::unique_ptr<ct::AppController> m_app;
    std::unique_ptr<ct::DirectSource> m_source;
    QList<QUrl> m_opened;
};

void TestDesktopNotifications::initTestCase()
{
    QVERIFY2(ct::DBusNotifier::isAvailable(), "run this test inside scripts/headless-desktop");
    QDesktopServices::setUrlHandler(u"https"_s, this, "openUrl");
}

void TestDesktopNotifications::init()
{
    dunstctl({u"close-all"_s});
    m_opened.clear();
    static int round = 0;
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"h%1.sqlite"_s.arg(++round)));
    QString error;
    QVERIFY(m_store->open(&error));
    m_notifier = std::make_unique<ct::DBusNotifier>();
    m_app = std::make_unique<ct::AppController>(m_store.get(), m_notifier.get());
    m_source = std::make_unique<ct::DirectSource>(0, QList<QByteArray> {relaySecret});
    m_app->setSource(m_source.get());
    m_source->start();
    QVERIFY(m_source->isConnected());
}

void TestDesktopNotifications::cleanup()
{
    m_app.reset();
    m_source.reset();
    m_notifier.reset();
    m_store.reset();
}

void TestDesktopNotifications::popupReachesTheDaemonAndOpensTheWorkflow()
{
    // A signed POST to the direct receiver: a first-seen failure is "Broken".
    QCOMPARE(post(m_source->port(), fixture(u"github-oauth-unicode-failed.json")), 200);
    QTRY_COMPARE(displayed(), 1);
    dunstctl({u"action"_s, u"0"_s}); // a click on the popup: the default action
    QTRY_COMPARE(m_opened.size(), 1);
    QCOMPARE(m_opened.first(),
             QUrl(u"https://app.circleci.com/pipelines/github/example-org/tray-notifier/418/workflows/"
                  "dcdeed02-00c0-466b-ba46-ba9a1d603890"_s));
    dunstctl({u"close-all"_s});
    QTRY_VERIFY(!historySummaries().isEmpty());
    QCOMPARE(historySummaries().first(), u"Broken: tray-notifier · fix/tray-flicker · build-and-test"_s);
}

void TestDesktopNotifications::laterEventReplacesItsPopup()
{
    QByteArray body = eventBody(u"first"_s, "failed");
    QCOMPARE(post(m_source->port(), body), 200);
    QTRY_COMPARE(displayed(), 1);
    // CircleCI sends another completion for the same workflow (cancel storms, retries with new ids).
    body.replace("\"id\":\"first\"", "\"id\":\"second\"");
    body.replace("\"happened_at\":\"2026-03-14T09:27:41.508213Z\"", "\"happened_at\":\"2026-03-14T09:28:00.000000Z\"");
    QCOMPARE(post(m_source->port(), body), 200);
    QTest::qWait(300);
    QCOMPARE(displayed(), 1); // replaced, not stacked
}

void TestDesktopNotifications::fixedReplacesTheStaleBroken()
{
    // Issue 15 (12): "Fixed" stood beside the "Broken" of the run before (another workflow id).
    QCOMPARE(post(m_source->port(), eventBody(u"run-1"_s, "failed")), 200);
    QTRY_COMPARE(displayed(), 1);
    QByteArray fixed = eventBody(u"run-2"_s, "success", QDateTime::currentDateTimeUtc().addSecs(60));
    QCOMPARE(post(m_source->port(), fixed), 200);
    QTest::qWait(300);
    QCOMPARE(displayed(), 1); // replaced: the stale "Broken" is gone
    dunstctl({u"close-all"_s});
    QTRY_VERIFY(historySummaries().value(0).startsWith(u"Fixed"_s));
}

void TestDesktopNotifications::namedActionOpensTheWorkflow()
{
    QCOMPARE(post(m_source->port(), eventBody(u"named"_s, "failed")), 200);
    QTRY_COMPARE(displayed(), 1);
    QFile action(qEnvironmentVariable("CT_DUNST_ACTION_FILE"));
    QVERIFY(action.open(QIODevice::WriteOnly));
    action.write("open\n");
    action.close();
    dunstctl({u"context"_s}); // dunst's menu picks "Open workflow"
    QTRY_COMPARE(m_opened.size(), 1);
    QCOMPARE(m_opened.first(), QUrl(u"https://app.circleci.com/x"_s));
}

void TestDesktopNotifications::trayIconShowsState()
{
    QVERIFY(QSystemTrayIcon::isSystemTrayAvailable());
    ct::Settings settings(m_dir.filePath(u"tray.ini"_s));
    ct::TrayIcon tray(m_app.get(), m_store.get(), &settings);
    tray.setConnected(true, m_source->describe());
    tray.tray()->show();
    QTRY_VERIFY(tray.tray()->isVisible());
    QVERIFY(tray.tray()->toolTip().contains(u"No builds seen yet"_s));
    QCOMPARE(post(m_source->port(), eventBody(u"tray"_s, "failed")), 200);
    QTRY_VERIFY(tray.tray()->toolTip().contains(u"Something is failing"_s));
    QCOMPARE(m_app->overallStatus(), ct::OverallStatus::Failing);
    const QList<QAction *> actions = tray.tray()->contextMenu()->actions();
    QVERIFY(actions.size() >= 5);
    QVERIFY2(actions.first()->text().startsWith(u"api · main · build"_s), qPrintable(actions.first()->text()));
    QStringList labels;
    for (QAction *a : actions)
        labels.append(a->text());
    QVERIFY(labels.contains(u"History…"_s) && labels.contains(u"Settings…"_s) && labels.contains(u"Quit"_s));
    tray.setConnected(false, m_source->describe());
    QVERIFY(tray.tray()->toolTip().contains(u"Disconnected"_s));
}

void TestDesktopNotifications::appSwitchesToTheDaemonWhenItAppears()
{
    // At login the app may start before the notification daemon: it falls back to tray balloons
    // and must take native notifications as soon as the daemon shows up.
    QProcess ps;
    ps.start(u"ps"_s, {u"-o"_s, u"args="_s, u"-C"_s, u"dunst"_s});
    QVERIFY(ps.waitForFinished(5000));
    const QStringList dunstArgs = QString::fromLocal8Bit(ps.readAllStandardOutput()).trimmed().split(u' ');
    QVERIFY2(!dunstArgs.isEmpty() && dunstArgs.first().endsWith(u"dunst"_s), "no dunst running");
    QProcess::execute(u"pkill"_s, {u"-x"_s, u"dunst"_s});
    QTRY_VERIFY(!ct::DBusNotifier::isAvailable());

    QTemporaryDir dir;
    QFile secret(dir.filePath(u"secret"_s));
    QVERIFY(secret.open(QIODevice::WriteOnly) && secret.write(relaySecret + '\n') > 0);
    secret.close();
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    QProcess app;
    app.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_LOGGING_RULES"_s, u"circletray.*.info=true"_s);
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(CT_APP_PATH),
              {u"--port"_s, QString::number(port), u"--secret-file"_s, secret.fileName(), u"--data-dir"_s,
               dir.filePath(u"data"_s)});
    QByteArray log;
    QVERIFY(QTest::qWaitFor(
        [&] {
            log += app.readAll();
            return log.contains("receiving webhooks");
        },
        15000));
    const auto send = [port](const QByteArray &body) {
        HttpTestClient c;
        if (!c.connectTo(port))
            return 0;
        c.send(signedPost(body));
        const auto r = c.read(10000);
        return r ? r->status : 0;
    };
    QCOMPARE(send(eventBody(u"late-1"_s, "failed")), 200); // a balloon: nobody to ask for a popup yet

    QVERIFY(QProcess::startDetached(dunstArgs.first(), dunstArgs.mid(1)));
    QTRY_VERIFY(ct::DBusNotifier::isAvailable());
    QVERIFY(QTest::qWaitFor(
        [&] {
            log += app.readAll();
            return log.contains("a notification service appeared");
        },
        10000));
    QCOMPARE(send(eventBody(u"late-2"_s, "success")), 200);
    QTRY_COMPARE(displayed(), 1); // the "Fixed" popup, from the daemon that came late
    dunstctl({u"close-all"_s});
    QTRY_VERIFY(historySummaries().value(0).startsWith(u"Fixed"_s));
    app.terminate();
    QVERIFY(app.waitForFinished(10000));
}

void TestDesktopNotifications::unwritableDataFolderIsAClearError()
{
    // Issue 15 (4): a data folder that cannot be written was found out only when builds were lost.
    QTemporaryDir dir;
    QFile notAFolder(dir.filePath(u"history-here"_s));
    QVERIFY(notAFolder.open(QIODevice::WriteOnly)); // a file where the folder should be
    notAFolder.close();
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CIRCLETRAY_NO_ERROR_DIALOG"_s, u"1"_s); // the same text, without a modal box to click
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(CT_APP_PATH), {u"--data-dir"_s, notAFolder.fileName() + u"/data"_s});
    QVERIFY(app.waitForFinished(15000));
    QCOMPARE(app.exitCode(), 1);
    const QByteArray err = app.readAllStandardError();
    QVERIFY2(err.contains("Cannot write the history in"), err.constData());
    QVERIFY2(err.contains("--data-dir"), err.constData());
}

void TestDesktopNotifications::unreadableSecretFileIsAClearError()
{
    // Issue 15 (5): an unreadable --secret-file was ignored and the app ran without a secret.
    QTemporaryDir dir;
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CIRCLETRAY_NO_ERROR_DIALOG"_s, u"1"_s);
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(CT_APP_PATH),
              {u"--port"_s, u"0"_s, u"--secret-file"_s, dir.filePath(u"missing"_s), u"--data-dir"_s,
               dir.filePath(u"data"_s)});
    QVERIFY(app.waitForFinished(15000));
    QCOMPARE(app.exitCode(), 1);
    const QByteArray err = app.readAllStandardError();
    QVERIFY2(err.contains("cannot read --secret-file"), err.constData());
}

void TestDesktopNotifications::oneInstancePerUserWhateverTheDataDir()
{
    // Issue 15 (11): another --data-dir started a second full instance with a second tray icon.
    QTemporaryDir dir;
    QFile secret(dir.filePath(u"secret"_s));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write(relaySecret + '\n');
    secret.close();
    QProcess first;
    first.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_LOGGING_RULES"_s, u"circletray.*.info=true"_s);
    first.setProcessEnvironment(env);
    first.start(QStringLiteral(CT_APP_PATH),
                {u"--port"_s, u"0"_s, u"--secret-file"_s, secret.fileName(), u"--data-dir"_s, dir.filePath(u"one"_s)});
    QByteArray log;
    QVERIFY(QTest::qWaitFor(
        [&] {
            log += first.readAll();
            return log.contains("receiving webhooks");
        },
        15000));
    QProcess second;
    second.start(QStringLiteral(CT_APP_PATH), {u"--data-dir"_s, dir.filePath(u"two"_s)});
    QVERIFY(second.waitForFinished(15000));
    QCOMPARE(second.exitCode(), 0);
    QVERIFY2(second.readAllStandardOutput().contains("already running"), "the second start did not hand over");
    QVERIFY(second.readAllStandardError().contains("quit the running CircleTray first"));
    QVERIFY(!QFileInfo::exists(dir.filePath(u"two/history.sqlite"_s))); // it never opened a history
    QCOMPARE(first.state(), QProcess::Running);
    first.terminate();
    QVERIFY(first.waitForFinished(10000));
}

QTEST_MAIN(TestDesktopNotifications)
#include "tst_desktopnotifications.moc"
