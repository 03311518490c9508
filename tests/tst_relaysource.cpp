// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The app's relay client against the real circletray-relay process.
#include "app/appcontroller.h"
#include "app/notifications/notifier.h"
#include "app/notifications/rejectionnotice.h"
#include "app/sources/relaysource.h"
#include "relayprocess.h"
#include "tcpproxy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(ct::WebhookEvent)

namespace {

class RecordingNotifier final : public ct::Notifier
{
public:
    QList<ct::Notification> shown;
    void show(const ct::Notification &n) override { shown.append(n); }
};

//! Collects what a RelaySource says.
struct Collector
{
    explicit Collector(ct::RelaySource &source)
    {
        QObject::connect(&source, &ct::EventSource::eventReceived, [this](const ct::WebhookEvent &e, bool replay) {
            ids.append(e.id);
            replays.append(replay);
        });
        QObject::connect(&source, &ct::EventSource::caughtUp, [this] { ++caughtUp; });
        QObject::connect(&source, &ct::EventSource::problem, [this](const QString &p) { problems.append(p); });
        QObject::connect(&source, &ct::RelaySource::gap, [this](qint64 from, qint64 to) { gaps.append({from, to}); });
        QObject::connect(&source, &ct::RelaySource::positionChanged, [this](const QString &id, qint64 seq) {
            relayId = id;
            lastSeq = seq;
        });
    }
    QStringList ids;
    QList<bool> replays;
    int caughtUp = 0;
    QStringList problems;
    QList<QPair<qint64, qint64>> gaps;
    QString relayId;
    qint64 lastSeq = -1;
};

//! The app around a source: what arrives lands in its history and its popups.
struct AppUnderTest
{
    AppUnderTest()
        : store(dir.filePath(u"history.sqlite"_s))
    { }
    bool open(ct::EventSource *source)
    {
        QString error;
        if (!store.open(&error))
            return false;
        controller = std::make_unique<ct::AppController>(&store, &notifier);
        controller->setSource(source);
        return true;
    }
    QTemporaryDir dir;
    ct::HistoryStore store;
    RecordingNotifier notifier;
    std::unique_ptr<ct::AppController> controller;
};

QUrl urlOf(const RelayProcess &relay)
{
    return ct::RelaySource::eventsUrl(u"http://127.0.0.1:%1"_s.arg(relay.port()));
}

} // namespace

class TestRelaySource final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsUrl();
    void replayThenLive();
    void resumesAfterRelayRestartWithoutGapOrDuplicate();
    void idleLinkStaysUp();
    void survivesNetworkLoss_data();
    void survivesNetworkLoss();
    void startsOverWhenTheRelayIdChanges();
    void dropsEventsWithABadSignature();
    void deliveriesFromBeforeTheSetupNeverPopUp();
    void reportsGapsAndRejections();
    void rejectionPopupsAtMostOncePerFewMinutes();
    void refusedTokenIsOnePopupAndNoHammering();
    void appSummarisesReplayedWorkflows();
};

void TestRelaySource::eventsUrl()
{
    QCOMPARE(ct::RelaySource::eventsUrl(u"relay.example.com"_s), QUrl(u"wss://relay.example.com/events"_s));
    QCOMPARE(ct::RelaySource::eventsUrl(u"https://relay.example.com"_s), QUrl(u"wss://relay.example.com/events"_s));
    QCOMPARE(ct::RelaySource::eventsUrl(u"http://127.0.0.1:8788/"_s), QUrl(u"ws://127.0.0.1:8788/events"_s));
    QCOMPARE(ct::RelaySource::eventsUrl(u"wss://r.example.com/custom/events?since=3"_s),
             QUrl(u"wss://r.example.com/custom/events"_s));
}

void TestRelaySource::replayThenLive()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(post(relay.port(), eventBody(u"rs-%1"_s.arg(i))), 200);
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QCOMPARE(c.ids, QStringList({u"rs-1"_s, u"rs-2"_s, u"rs-3"_s}));
    QCOMPARE(c.replays, QList<bool>({true, true, true}));
    QVERIFY(source.isConnected());
    QCOMPARE(post(relay.port(), eventBody(u"rs-4"_s)), 200);
    QTRY_COMPARE(c.ids.size(), 4);
    QCOMPARE(c.replays.last(), false); // live
    QCOMPARE(c.lastSeq, 4);
    QVERIFY(!c.relayId.isEmpty());
}

void TestRelaySource::resumesAfterRelayRestartWithoutGapOrDuplicate()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    auto relay = std::make_unique<RelayProcess>(data);
    QVERIFY(relay->start());
    const quint16 port = relay->port();
    const QByteArray token = relay->addToken(u"app"_s);
    ct::RelaySource source(urlOf(*relay), token, {relaySecret});
    AppUnderTest app; // what arrives lands in its history
    QVERIFY(app.open(&source));
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QCOMPARE(post(port, eventBody(u"before-kill"_s)), 200);
    QTRY_COMPARE(c.ids.size(), 1);
    relay->kill();
    QTRY_VERIFY(!source.isConnected());
    relay = std::make_unique<RelayProcess>(data);
    QVERIFY(relay->start({u"--port"_s, QString::number(port)})); // same address, as after a crash
    QCOMPARE(post(port, eventBody(u"after-restart"_s)), 200);
    QTRY_VERIFY_WITH_TIMEOUT(c.ids.size() >= 2, 20000); // reconnects by itself (backoff)
    QTRY_COMPARE(c.caughtUp, 2);
    QCOMPARE(c.ids, QStringList({u"before-kill"_s, u"after-restart"_s})); // no gap, no duplicate
    QCOMPARE(c.lastSeq, 2);
    QCOMPARE(app.store.count({}), 2);
    QVERIFY(app.store.workflow(u"wf-before-kill"_s) && app.store.workflow(u"wf-after-restart"_s));
}

void TestRelaySource::idleLinkStaysUp()
{
    // A healthy link with no events must not look dead: the relay's pings are invisible to
    // QWebSocket users, so the app pings too and counts the pongs.
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    source.setDeadLinkTimeout(1500ms);
    Collector c(source);
    int drops = 0;
    connect(&source, &ct::EventSource::connectionChanged, this, [&drops](bool up) { drops += up ? 0 : 1; });
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QTest::qWait(5000); // over three dead-link timeouts without an event
    QVERIFY(source.isConnected());
    QCOMPARE(drops, 0);
    QCOMPARE(c.caughtUp, 1); // never reconnected
}

void TestRelaySource::survivesNetworkLoss_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("silent loss (no FIN, no RST)") << int(TcpProxy::Mode::Blackhole);
    QTest::newRow("connections cut, then refused") << int(TcpProxy::Mode::Refuse);
}

void TestRelaySource::survivesNetworkLoss()
{
    QFETCH(int, mode);
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    TcpProxy network(relay.port());
    QVERIFY(network.listen());
    ct::RelaySource source(ct::RelaySource::eventsUrl(u"http://127.0.0.1:%1"_s.arg(network.port())), token,
                           {relaySecret});
    source.setDeadLinkTimeout(1500ms);
    source.setConnectTimeout(1500ms);
    AppUnderTest app;
    QVERIFY(app.open(&source));
    QList<bool> shown; // what the tray is told
    connect(app.controller.get(), &ct::AppController::sourceConnectionChanged, this,
            [&shown](bool up) { shown.append(up); });
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QCOMPARE(post(relay.port(), eventBody(u"before-loss"_s)), 200);
    QTRY_COMPARE(c.ids.size(), 1);

    const int attemptsBefore = network.accepted();
    network.setMode(TcpProxy::Mode(mode));
    // CircleCI still reaches the relay; the laptop does not.
    QCOMPARE(post(relay.port(), eventBody(u"during-loss-1"_s)), 200);
    QCOMPARE(post(relay.port(), eventBody(u"during-loss-2"_s, "failed")), 200);
    QTRY_VERIFY_WITH_TIMEOUT(!source.isConnected(), 10000);
    QCOMPARE(shown.value(shown.size() - 1, true), false); // the tray says disconnected
    if (TcpProxy::Mode(mode) == TcpProxy::Mode::Blackhole) {
        // Attempts into a network that swallows everything time out and are made again, rather
        // than hang in the handshake forever.
        QTRY_VERIFY_WITH_TIMEOUT(network.accepted() >= attemptsBefore + 2, 20000);
    } else {
        QTest::qWait(3000); // refused attempts back off
    }
    QCOMPARE(c.ids.size(), 1);

    network.setMode(TcpProxy::Mode::Forward);
    QTRY_VERIFY_WITH_TIMEOUT(c.ids.size() >= 3, 30000);
    QTRY_COMPARE(c.caughtUp, 2);
    QVERIFY(source.isConnected());
    QCOMPARE(shown.last(), true);
    QCOMPARE(c.ids, QStringList({u"before-loss"_s, u"during-loss-1"_s, u"during-loss-2"_s})); // no gap, no duplicate
    QVERIFY(c.gaps.isEmpty());
    QCOMPARE(c.lastSeq, 3);
    QCOMPARE(app.store.count({}), 3);
}

void TestRelaySource::startsOverWhenTheRelayIdChanges()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(post(relay.port(), eventBody(u"new-log-%1"_s.arg(i))), 200);
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    source.setPosition(u"an-older-wiped-log"_s, 2); // we had seen 2 events of another log
    Collector c(source);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(c.caughtUp, 1, 15000);
    QCOMPARE(c.ids.size(), 3); // all of the new log, not "after 2"
    QVERIFY(c.relayId != u"an-older-wiped-log"_s);
}

void TestRelaySource::dropsEventsWithABadSignature()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    QCOMPARE(post(relay.port(), eventBody(u"signed-with-relay-secret"_s)), 200);
    // The app's secret differs from CircleCI's: it must not believe what the relay passes on.
    ct::RelaySource source(urlOf(relay), token, {"the-apps-own-secret"_ba});
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QVERIFY(c.ids.isEmpty());
    QCOMPARE(c.problems.size(), 1);
    QVERIFY2(c.problems.first().contains(u"signature"_s), qPrintable(c.problems.first()));
    QCOMPARE(c.lastSeq, 1); // not asked for again
}

void TestRelaySource::deliveriesFromBeforeTheSetupNeverPopUp()
{
    // Issue 15 (9): the guide generated a new secret; the relay replays what it kept from before,
    // signed with its older one. Right after "You are set up" that must not pop up as a problem.
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    QCOMPARE(post(relay.port(), eventBody(u"kept-from-before-1"_s)), 200);
    QCOMPARE(post(relay.port(), eventBody(u"kept-from-before-2"_s)), 200);
    QTest::qWait(20); // the relay's receive times are in milliseconds
    ct::RelaySource source(urlOf(relay), token, {"the-guides-new-secret"_ba});
    source.setQuietBefore(QDateTime::currentDateTimeUtc());
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QVERIFY(c.ids.isEmpty());
    QVERIFY2(c.problems.isEmpty(), qPrintable(c.problems.join(u'\n')));
    QCOMPARE(c.lastSeq, 2); // not asked for again
    // After the setup a mismatch is news again: the secret in CircleCI is not this one.
    QCOMPARE(post(relay.port(), eventBody(u"after-the-setup"_s)), 200);
    QTRY_COMPARE(c.problems.size(), 1);
    QVERIFY2(c.problems.first().contains(u"signature"_s), qPrintable(c.problems.first()));
}

void TestRelaySource::reportsGapsAndRejections()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    {
        RelayProcess relay(data);
        QVERIFY(relay.start());
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(post(relay.port(), eventBody(u"g-%1"_s.arg(i))), 200);
        QCOMPARE(relay.terminate(), 0);
    }
    const QByteArray token = RelayProcess::tokenCommand(data, {u"add"_s, u"app"_s});
    RelayProcess relay(data);
    QVERIFY(relay.start({u"--retention-max-events"_s, u"2"_s}));
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    Collector probe(source);
    source.start();
    QTRY_COMPARE(probe.caughtUp, 1);
    const QString relayId = probe.relayId;

    ct::RelaySource resumed(urlOf(relay), token, {relaySecret});
    resumed.setPosition(relayId, 1);
    Collector c(resumed);
    resumed.start();
    QTRY_COMPARE(c.caughtUp, 1);
    const QList<QPair<qint64, qint64>> expectedGaps {{2, 3}};
    QCOMPARE(c.gaps, expectedGaps);
    QCOMPARE(c.ids, QStringList({u"g-4"_s, u"g-5"_s}));
    QCOMPARE(post(relay.port(), eventBody(u"g-6"_s), "wrong-secret"), 401);
    QTRY_VERIFY(c.problems.size() >= 2);
    QVERIFY2(c.problems.last().startsWith(u"CircleCI delivery rejected: "_s), qPrintable(c.problems.last()));
}

void TestRelaySource::rejectionPopupsAtMostOncePerFewMinutes()
{
    // Issue 14 (3): every refused delivery was a popup on every desktop. The relay coalesces them
    // per interval (1 s here); the app shows one popup per few minutes however many notices come.
    RelayProcess relay;
    QVERIFY(relay.start({u"--rejected-notice-interval"_s, u"1"_s}));
    const QByteArray token = relay.addToken(u"app"_s);
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(post(relay.port(), eventBody(u"bad-%1-%2"_s.arg(round).arg(i)), "wrong-secret"), 401);
        QTest::qWait(1200); // the relay's interval: each round reaches the app as its own notice
    }
    QCOMPARE(c.problems.size(), 1);
    QVERIFY2(c.problems.first().startsWith(u"CircleCI delivery rejected: "_s), qPrintable(c.problems.first()));
    // The next popup, once the interval has passed, counts the ones not shown.
    ct::RejectionNotice notice(std::chrono::milliseconds(200));
    QVERIFY(!notice.take(1, u"signature mismatch"_s).isEmpty());
    QVERIFY(notice.take(4, u"signature mismatch"_s).isEmpty());
    QTest::qWait(250);
    QCOMPARE(notice.take(2, u"invalid JSON"_s), u"6 CircleCI deliveries rejected; the last: invalid JSON"_s);
}

void TestRelaySource::refusedTokenIsOnePopupAndNoHammering()
{
    // Issue 15 (7): a wrong token gave endless quick retries, raw Qt errors and no clear message.
    RelayProcess relay;
    QVERIFY(relay.start());
    ct::RelaySource source(urlOf(relay), "ctr_not-a-token", {relaySecret});
    source.setTokenOrigin(u"--token-file /home/me/token"_s);
    source.setAuthRetryDelay(2s);
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.problems.size(), 1);
    QVERIFY2(c.problems.first().contains(u"refused this device's token (from --token-file /home/me/token)"_s),
             qPrintable(c.problems.first()));
    QVERIFY(!source.isConnected());
    const QString why = source.describe();
    QVERIFY2(why.contains(u"refused this device's token"_s) && why.contains(u"since"_s)
                 && why.contains(u"next try at"_s),
             qPrintable(why));
    // Backing off: within 1 s no second attempt (the relay counts each as a failed token).
    QTest::qWait(1000);
    QCOMPARE(metric(relay.port(), "circletray_relay_token_failures_total").toInt(), 1);
    // It does try again later, and says so only once.
    QTRY_COMPARE_WITH_TIMEOUT(metric(relay.port(), "circletray_relay_token_failures_total").toInt(), 2, 5000);
    QTest::qWait(200);
    QCOMPARE(c.problems.size(), 1);
}

void TestRelaySource::appSummarisesReplayedWorkflows()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    // 7 workflows finished while the laptop slept, 2 of them failed.
    for (int i = 1; i <= 7; ++i) {
        QByteArray body = eventBody(u"away-%1"_s.arg(i), i == 3 || i == 6 ? "failed" : "success");
        body.replace("\"slug\":\"github/org/api\"",
                     QByteArray("\"slug\":\"github/org/api-" + QByteArray::number(i) + "\""));
        body.replace("\"name\":\"api\"", QByteArray("\"name\":\"api-" + QByteArray::number(i) + "\""));
        QCOMPARE(post(relay.port(), body), 200);
    }
    ct::RelaySource source(urlOf(relay), token, {relaySecret});
    AppUnderTest app;
    QVERIFY(app.open(&source));
    Collector c(source);
    source.start();
    QTRY_COMPARE(c.caughtUp, 1);
    QCOMPARE(app.store.count({}), 7);
    QCOMPARE(app.notifier.shown.size(), 1); // one summary, not a flood
    QCOMPARE(app.notifier.shown.first().title, u"7 workflows finished while you were away"_s);
    // Issue 15 (12): it names what failed, and a click opens the history.
    QCOMPARE(app.notifier.shown.first().body, u"2 failed: api-3 · main · build, api-6 · main · build."_s);
    QVERIFY(app.notifier.shown.first().opensHistory);
    QSignalSpy historyAsked(app.controller.get(), &ct::AppController::historyRequested);
    Q_EMIT app.notifier.activated(app.notifier.shown.first());
    QCOMPARE(historyAsked.size(), 1);
    // Live again: a failure now is a popup of its own.
    QByteArray live = eventBody(u"live-1"_s, "failed");
    live.replace("\"slug\":\"github/org/api\"", "\"slug\":\"github/org/api-1\"");
    QCOMPARE(post(relay.port(), live), 200);
    QTRY_COMPARE(app.notifier.shown.size(), 2);
    QVERIFY2(app.notifier.shown.last().title.startsWith(u"Broken: api · main · build"_s),
             qPrintable(app.notifier.shown.last().title));
    QCOMPARE(app.controller->overallStatus(), ct::OverallStatus::Failing);

    // A new device's first sync reads as one, not as "while you were away".
    ct::RelaySource fresh(urlOf(relay), token, {relaySecret});
    AppUnderTest newDevice;
    QVERIFY(newDevice.open(&fresh));
    newDevice.controller->setFirstSync(true);
    Collector f(fresh);
    fresh.start();
    QTRY_COMPARE(f.caughtUp, 1);
    QCOMPARE(newDevice.notifier.shown.size(), 1);
    QCOMPARE(newDevice.notifier.shown.first().title, u"Synced with the relay: 8 workflows in its history"_s);
}

QTEST_GUILESS_MAIN(TestRelaySource)
#include "tst_relaysource.moc"
