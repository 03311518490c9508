// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Real circletray-relay processes on one PostgreSQL (tests/pgserver.h) when something breaks:
// PostgreSQL restarted mid-stream (fast and immediate), a relay SIGKILLed mid-stream, the relays'
// listeners killed with pg_terminate_backend, a dashboard through an outage. Whatever happens, every event answered 200 is stored once and
// reaches every client exactly once, in sequence order; what was not stored was never answered 200.
// Delivery when nothing breaks is tst_relaypostgres.
#include "relaypgfixture.h"

#include <QMutex>
#include <QNetworkRequest>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayPgFaults final : public QObject, private RelayPgFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void postgresRestartMidStream_data();
    void postgresRestartMidStream();
    void relayKilledMidStream();
    void listenerTerminated();
    void dashboardSurvivesAnOutage();
};

void TestRelayPgFaults::initTestCase()
{
    bool skip = false;
    const QString why = startServer(&skip);
    if (skip)
        QSKIP(qPrintable(why));
    QVERIFY2(why.isEmpty(), qPrintable(why));
}

void TestRelayPgFaults::postgresRestartMidStream_data()
{
    QTest::addColumn<PgServer::StopMode>("mode");
    QTest::newRow("fast") << PgServer::StopMode::Fast;
    QTest::newRow("immediate") << PgServer::StopMode::Immediate;
}

void TestRelayPgFaults::postgresRestartMidStream()
{
    // While PostgreSQL is down: 503 to CircleCI, /healthz unavailable, clients stay connected.
    // Once it is back: 200 again (CircleCI's retries too) and every event answered 200 reaches the
    // clients of both relays exactly once, in order.
    QFETCH(PgServer::StopMode, mode);
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    RelayClient onA;
    RelayClient onB;
    QVERIFY(onA.open(a.port(), deviceToken));
    QVERIFY(onB.open(b.port(), deviceToken));
    QVERIFY(onA.waitFor(u"live"_s) >= 0 && onB.waitFor(u"live"_s) >= 0);
    QStringList accepted;
    int next = 0;
    const auto postTo = [&](RelayProcess &relay) {
        const QString id = u"restart-%1"_s.arg(next++);
        const int status = post(relay.port(), eventBody(id));
        if (status == 200)
            accepted.append(id);
        return qMakePair(id, status);
    };
    for (int i = 0; i < 6; ++i)
        QCOMPARE(postTo(i % 2 ? b : a).second, 200);

    QString error;
    QVERIFY2(m_pg->stop(mode, &error), qPrintable(error));
    QStringList refused;
    for (int i = 0; i < 4; ++i) {
        const auto [id, status] = postTo(i % 2 ? b : a);
        QCOMPARE(status, 503);
        refused.append(id);
    }
    for (RelayProcess *relay : {&a, &b}) {
        const auto [status, body] = health(relay->port());
        QCOMPARE(status, 503);
        QVERIFY2(body.contains("unavailable"), body.constData());
    }
    // A client connecting now hears 503 (retry soon), not 401 (a bad token: apps wait minutes).
    for (int i = 0; i < 3; ++i) {
        HttpTestClient c;
        QVERIFY(c.connectTo(b.port()));
        c.send("GET /events?since=0 HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer " + deviceToken + "\r\n\r\n");
        const auto r = c.read(10000);
        QVERIFY(r);
        QCOMPARE(r->status, 503);
    }
    // Several fallback reads, health checks and a token revocation check (every 5 s) meet no server.
    QTest::qWait(5500);
    QVERIFY(!onA.disconnected && !onB.disconnected);

    QVERIFY2(m_pg->startAgain(&error), qPrintable(error));
    // CircleCI retries what got 503; the first try may still meet a connection the relay has not
    // yet found dead, the next one must succeed.
    for (qsizetype i = 0; i < refused.size(); ++i) {
        RelayProcess &relay = i % 2 ? b : a;
        QVERIFY(QTest::qWaitFor([&] { return post(relay.port(), eventBody(refused[i])) == 200; }, 10000));
        accepted.append(refused[i]);
    }
    for (int i = 0; i < 6; ++i)
        QCOMPARE(postTo(i % 2 ? b : a).second, 200);
    QCOMPARE(health(a.port()).first, 200);
    QCOMPARE(health(b.port()).first, 200);
    RelayClient late; // refused during the outage, not blocked for it: catches up from 0
    QVERIFY(late.open(b.port(), deviceToken));
    QTRY_COMPARE_WITH_TIMEOUT(late.ofType(u"event"_s).size(), accepted.size(), 10000);
    QTest::qWait(200);
    QCOMPARE(exactlyOnceInOrder(eventsOf(late), accepted), QString());
    for (RelayClient *client : {&onA, &onB}) {
        QTRY_COMPARE_WITH_TIMEOUT(client->ofType(u"event"_s).size(), accepted.size(), 10000);
        QTest::qWait(200);
        QCOMPARE(exactlyOnceInOrder(eventsOf(*client), accepted), QString());
        QVERIFY(!client->disconnected);
    }
    // The listeners come back (within the backoff); their loss logged once however many attempts it took.
    QVERIFY(waitForListeners(2, 20000));
    for (RelayProcess *relay : {&a, &b}) {
        const QByteArray log = relay->errors();
        QVERIFY2(log.count("lost the notification connection") == 1 && log.count("cannot listen") == 0
                     && log.count("listening for new events again") <= 1,
                 log.constData());
    }
    QStringList stored = storedIds();
    std::sort(stored.begin(), stored.end());
    QStringList expected = accepted;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(stored, expected);
}

void TestRelayPgFaults::relayKilledMidStream()
{
    // A writer posts to A in a loop; A is SIGKILLed. Every event A answered 200 is in the log and
    // reaches B's client exactly once; A's client resumes on B with since and misses nothing.
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    Follower onA;
    RelayClient onB;
    QVERIFY(onA.client->open(a.port(), deviceToken));
    QVERIFY(onB.open(b.port(), deviceToken));
    QVERIFY(onA.client->waitFor(u"live"_s) >= 0 && onB.waitFor(u"live"_s) >= 0);

    QMutex mutex;
    QStringList accepted;
    std::atomic<int> sent {0};
    const quint16 portA = a.port();
    std::thread writer([&] {
        for (int i = 0; i < 5000; ++i) {
            const QString id = u"killed-%1"_s.arg(i);
            const int status = blockingPost(portA, eventBody(id));
            ++sent;
            if (status == 0)
                break; // A is gone
            QMutexLocker lock(&mutex);
            if (status == 200)
                accepted.append(id);
        }
    });
    QVERIFY(QTest::qWaitFor([&] { return sent.load() >= 30; }, 10000));
    a.kill();
    writer.join();
    qInfo() << sent.load() << "posted," << accepted.size() << "answered 200 before the SIGKILL";
    QVERIFY(!accepted.isEmpty());
    const QStringList stored = storedIds();
    for (const QString &id : std::as_const(accepted))
        QVERIFY2(stored.contains(id), qPrintable(id + u" was answered 200 but is not in the log"_s));

    QCOMPARE(post(b.port(), eventBody(u"after-kill"_s)), 200);
    QStringList everything = stored;
    everything.append(u"after-kill"_s);
    QTRY_COMPARE_WITH_TIMEOUT(onB.ofType(u"event"_s).size(), everything.size(), 10000);
    QCOMPARE(exactlyOnceInOrder(eventsOf(onB), everything), QString());
    QTRY_VERIFY(onA.client->disconnected);
    QVERIFY(onA.reconnect(b.port(), deviceToken));
    QTRY_COMPARE_WITH_TIMEOUT(onA.all().size(), everything.size(), 10000);
    QTest::qWait(200);
    QCOMPARE(exactlyOnceInOrder(onA.all(), everything), QString());
}

void TestRelayPgFaults::listenerTerminated()
{
    // The relays' LISTEN connections killed with pg_terminate_backend (Qt reports no signal for
    // it): events still come, by the fallback read, and once the health check has reconnected and
    // subscribed again, as fast as before.
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    RelayClient onB;
    QVERIFY(onB.open(b.port(), deviceToken));
    QVERIFY(onB.waitFor(u"live"_s) >= 0);
    QVERIFY(waitForListeners(2));
    QStringList posted;
    QList<qint64> ms = latencies(a, onB, posted, u"notified"_s, 2);
    QVERIFY2(ms.size() == 2, "an event did not arrive");

    QVERIFY(m_pg->sql(m_database,
                      u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%1'"_s.arg(
                          QLatin1StringView(ct::PgNotifier::applicationName))));
    ms = latencies(a, onB, posted, u"unheard"_s, 2); // before the health check noticed: the fallback read
    QVERIFY2(ms.size() == 2, "an event did not arrive without a listener");
    qInfo() << "A → B with the listener killed (ms):" << ms;
    QVERIFY(ms.constLast() < 3000);

    QVERIFY(waitForListeners(2));
    QTest::qWait(300);
    ms = latencies(a, onB, posted, u"resubscribed"_s, 6);
    QVERIFY2(ms.size() == 6, "an event did not arrive");
    qInfo() << "A → B after resubscribing (ms):" << ms;
    QVERIFY2(ms.constLast() < 1000 && ms.at(3) < 400, qPrintable(u"too slow: %1"_s.arg(ms.constLast())));
    QCOMPARE(exactlyOnceInOrder(eventsOf(onB), posted), QString());
    // The loss is a warning, logged once; the recovery an info line (ctest hides those), at most once.
    const QByteArray log = b.errors();
    QVERIFY2(log.count("lost the notification connection") == 1 && log.count("listening for new events again") <= 1,
             log.constData());
    QVERIFY(!onB.disconnected);
    QCOMPARE(a.terminate(), 0);
    QCOMPARE(b.terminate(), 0);
}

void TestRelayPgFaults::dashboardSurvivesAnOutage()
{
    // A wall screen signed in on one relay; PostgreSQL goes away and comes back. The page is never
    // signed out for it: its data answers 503 (the page retries), its live socket stays past a
    // session check, and afterwards the same cookie works on either relay (sessions are shared).
    const QString url = newDatabase();
    const QByteArray wallToken = token(url, {u"add"_s, u"wallboard"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    const auto request = [](quint16 port, const QByteArray &head, const QByteArray &body = {}) {
        HttpTestClient c;
        if (!c.connectTo(port))
            return RawResponse();
        const QByteArray host = "127.0.0.1:" + QByteArray::number(port);
        c.send(head + "Host: " + host + "\r\nOrigin: http://" + host
               + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return c.read(15000).value_or(RawResponse());
    };
    const RawResponse signedIn = request(
        a.port(), "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n", "token=" + wallToken);
    QCOMPARE(signedIn.status, 303);
    const QByteArray cookie = signedIn.header("set-cookie").split(';').value(0);
    const QByteArray getState = "GET /api/state HTTP/1.1\r\nCookie: " + cookie + "\r\n";
    QCOMPARE(request(b.port(), getState).status, 200); // the other relay knows the session

    QWebSocket page(u"http://127.0.0.1:%1"_s.arg(a.port()));
    QNetworkRequest live(QUrl(u"ws://127.0.0.1:%1/api/live?since=0"_s.arg(a.port())));
    live.setRawHeader("Cookie", cookie);
    page.open(live);
    QVERIFY(QTest::qWaitFor([&] { return page.state() == QAbstractSocket::ConnectedState; }, 5000));

    QString error;
    QVERIFY2(m_pg->stop(PgServer::StopMode::Fast, &error), qPrintable(error));
    const auto restart = qScopeGuard([this] { m_pg->startAgain(nullptr); }); // for the tests after, whatever happens
    QCOMPARE(request(a.port(), getState).status, 503);
    const RawResponse refusedSignIn = request(
        b.port(), "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n", "token=" + wallToken);
    QCOMPARE(refusedSignIn.status, 503); // not "invalid token", and not counted against the address
    QTest::qWait(6000); // past a session check (every 5 s)
    QCOMPARE(page.state(), QAbstractSocket::ConnectedState);

    QVERIFY2(m_pg->startAgain(&error), qPrintable(error));
    for (RelayProcess *relay : {&a, &b}) {
        int status = 0;
        QVERIFY2(QTest::qWaitFor([&] { return (status = request(relay->port(), getState).status) == 200; }, 15000),
                 qPrintable(QString::number(status)));
    }
    QCOMPARE(page.state(), QAbstractSocket::ConnectedState);
}

QTEST_GUILESS_MAIN(TestRelayPgFaults)
#include "tst_relaypgfaults.moc"
