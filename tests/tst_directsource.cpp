// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The direct receiver with the app's logic and a real SQLite history behind it (issue 15, 4): an
// event the history cannot keep is answered 503 (CircleCI never retries a 200), still pops up, and
// the user is told; one that is kept is answered 200.
#include "app/appcontroller.h"
#include "app/notifications/notifier.h"
#include "app/sources/directsource.h"
#include "relayprocess.h"

#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

class RecordingNotifier final : public ct::Notifier
{
public:
    QList<ct::Notification> shown;
    void show(const ct::Notification &n) override { shown.append(n); }
};

quint16 freePort();

//! The app's logic over a real history, fed by a direct receiver on a free port.
struct DirectApp
{
    DirectApp()
        : store(dir.filePath(QStringLiteral("history.sqlite")))
        , source(freePort(), {relaySecret})
    { }
    bool open()
    {
        QString error;
        if (!store.open(&error))
            return false;
        controller = std::make_unique<ct::AppController>(&store, &notifier);
        controller->setSource(&source);
        source.start();
        return source.isConnected();
    }
    QTemporaryDir dir;
    ct::HistoryStore store;
    RecordingNotifier notifier;
    ct::DirectSource source;
    std::unique_ptr<ct::AppController> controller;
};

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace

class TestDirectSource final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unstoredEventIs503AndStillPopsUp();
    void withoutASecretItSaysNotReady();
    void busyPortIsRetriedUntilItFrees();
    void resumeSumsUpWhatBrokeWhilePaused();
};

void TestDirectSource::unstoredEventIs503AndStillPopsUp()
{
    DirectApp app;
    QVERIFY(app.open());
    auto &store = app.store;
    auto &notifier = app.notifier;
    auto &source = app.source;
    QStringList failures;
    connect(app.controller.get(), &ct::AppController::storageFailed, this,
            [&](const QString &e) { failures.append(e); });

    QCOMPARE(post(source.port(), eventBody(u"kept"_s, "success")), 200);
    QVERIFY(store.workflow(u"wf-kept"_s));
    QVERIFY(failures.isEmpty());

    // The disk refuses writes from now on (what a full or read-only disk does to SQLite; root, who
    // runs CI, ignores file permissions, so SQLite is told so directly).
    QSqlQuery(store.database()).exec(u"PRAGMA query_only = ON"_s);
    const int shownBefore = int(notifier.shown.size());
    QCOMPARE(post(source.port(), eventBody(u"lost"_s, "failed")), 503); // CircleCI delivers it again
    QVERIFY(!store.workflow(u"wf-lost"_s));
    QCOMPARE(failures.size(), 1);
    QVERIFY2(failures.first().contains(u"readonly"_s, Qt::CaseInsensitive), qPrintable(failures.first()));
    QCOMPARE(notifier.shown.size(), shownBefore + 1); // the popup all the same
    QVERIFY2(notifier.shown.last().title.contains(u"Broken"_s), qPrintable(notifier.shown.last().title));

    // Writable again: CircleCI's redelivery of the same event is stored and answered 200.
    QSqlQuery(store.database()).exec(u"PRAGMA query_only = OFF"_s);
    QCOMPARE(post(source.port(), eventBody(u"lost"_s, "failed")), 200);
    QVERIFY(store.workflow(u"wf-lost"_s));
}

void TestDirectSource::withoutASecretItSaysNotReady()
{
    // Issue 15 (5): no secret meant a 503 for every delivery while the tooltip said "Connected".
    ct::DirectSource source(freePort(), {});
    QStringList problems;
    connect(&source, &ct::EventSource::problem, this, [&](const QString &p) { problems.append(p); });
    source.start();
    QVERIFY(!source.isConnected());
    QVERIFY2(source.describe().startsWith(u"not ready: no webhook secret"_s), qPrintable(source.describe()));
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.first().contains(u"Settings"_s));
    QCOMPARE(post(source.port(), eventBody(u"early"_s)), 503); // still listening: CircleCI retries it later
}

void TestDirectSource::busyPortIsRetriedUntilItFrees()
{
    // Issue 15 (6): a port in use was never tried again, and the tooltip gave no reason.
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    ct::DirectSource source(squatter.serverPort(), {relaySecret});
    QStringList problems;
    QList<bool> states;
    connect(&source, &ct::EventSource::problem, this, [&](const QString &p) { problems.append(p); });
    connect(&source, &ct::EventSource::connectionChanged, this, [&](bool up) { states.append(up); });
    source.start();
    QVERIFY(!source.isConnected());
    QVERIFY2(source.describe().contains(u"port %1 is not available"_s.arg(squatter.serverPort())),
             qPrintable(source.describe()));
    QCOMPARE(problems.size(), 1);
    QTest::qWait(1500); // a retry or two, still busy: one popup, not one per try
    QCOMPARE(problems.size(), 1);
    squatter.close();
    QTRY_VERIFY_WITH_TIMEOUT(source.isConnected(), 10000);
    QCOMPARE(states.last(), true);
    QVERIFY(!source.describe().startsWith(u"not ready"_s));
    QCOMPARE(post(source.port(), eventBody(u"after-retry"_s)), 200);
}

void TestDirectSource::resumeSumsUpWhatBrokeWhilePaused()
{
    // Issue 15 (12): resuming said nothing about what broke during the pause.
    DirectApp app;
    QVERIFY(app.open());
    auto &notifier = app.notifier;
    auto &source = app.source;
    auto &controller = *app.controller;
    ct::RuleSettings rules;
    rules.pausedUntil = QDateTime::currentDateTimeUtc().addMSecs(1500);
    controller.setRules(rules);
    QCOMPARE(post(source.port(), eventBody(u"paused-1"_s, "failed")), 200); // Broken, while paused
    QCOMPARE(notifier.shown.size(), 0);
    // The pause runs out by itself: one popup sums it up, and opens the history.
    QTRY_COMPARE_WITH_TIMEOUT(notifier.shown.size(), 1, 5000);
    QCOMPARE(notifier.shown.first().title, u"Notifications resumed"_s);
    QCOMPARE(notifier.shown.first().body, u"While paused, 1 workflow broke: api · main · build."_s);
    QVERIFY(notifier.shown.first().opensHistory);
    // Resumed by hand ("Resume now") with nothing broken meanwhile: no popup.
    rules.pausedUntil = QDateTime::currentDateTimeUtc().addSecs(3600);
    controller.setRules(rules);
    rules.pausedUntil = QDateTime();
    controller.setRules(rules);
    QCOMPARE(notifier.shown.size(), 1);
}

QTEST_MAIN(TestDirectSource)
#include "tst_directsource.moc"
