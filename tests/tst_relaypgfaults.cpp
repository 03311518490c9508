// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Real circletray-relay processes on one PostgreSQL (tests/pgserver.h) when something breaks:
// PostgreSQL restarted mid-stream (fast and immediate), a relay SIGKILLed mid-stream, a relay
// SIGSTOPped inside its append transaction, the relays' listeners killed with pg_terminate_backend,
// a dashboard through an outage. Whatever happens, every event answered 200 is stored once and
// reaches every client exactly once, in sequence order; what was not stored was never answered 200.
// Delivery when nothing breaks is tst_relaypostgres.
#include "relaypgfixture.h"

#include <QMutex>
#include <QNetworkRequest>
#include <QScopeGuard>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <csignal>
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
    void relayStoppedInsideItsTransaction();
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
    // Each connection retries at most every 2 s while the server is away, so a relay's own
    // connection may still be waiting out its interval when its writer's is back.
    QTRY_COMPARE_WITH_TIMEOUT(health(a.port()).first, 200, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(health(b.port()).first, 200, 5000);
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

void TestRelayPgFaults::relayStoppedInsideItsTransaction()
{
    // Relay A is SIGSTOPped while its append transaction holds the append lock, as a hung host, a
    // stalled VM or a debugger stops a relay. With the guards packaging/postgresql/circletray-relay.sql
    // sets on the role (here on the database, and shorter): B's appends give up after lock_timeout
    // (503, which CircleCI retries) instead of hanging, PostgreSQL ends A's session after
    // idle_in_transaction_session_timeout, and B takes webhooks again. The batch A had in that
    // transaction goes with it and is never answered 200; after SIGCONT A reconnects and takes
    // webhooks again. Every event either relay answered 200 is stored once and reaches B's client
    // exactly once, in order.
    const int idleTimeoutMs = 3000;
    const QString url = newDatabase();
    QVERIFY(m_pg->sql(
        m_database,
        u"ALTER DATABASE \"%1\" SET idle_in_transaction_session_timeout = %2"_s.arg(m_database).arg(idleTimeoutMs)));
    QVERIFY(m_pg->sql(m_database, u"ALTER DATABASE \"%1\" SET lock_timeout = 500"_s.arg(m_database)));
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    // Named, so that pg_stat_activity tells A's sessions from B's.
    QVERIFY(a.start({u"--database"_s, url + u"&application_name=relay-a"_s}));
    QVERIFY(b.start({u"--database"_s, url + u"&application_name=relay-b"_s}));
    RelayClient onB;
    QVERIFY(onB.open(b.port(), deviceToken));
    QVERIFY(onB.waitFor(u"live"_s) >= 0);

    // Three writers post to A without a pause, so that A nearly always has a batch in a
    // transaction; each notes the id it is waiting for.
    QMutex mutex;
    QHash<QString, int> answers; // every id posted → its status (0: no answer)
    QStringList outstanding(3);
    const auto answered = [&](const QString &id, int status) {
        QMutexLocker lock(&mutex);
        answers.insert(id, status);
        return status;
    };
    std::atomic<bool> stopWriting {false};
    std::vector<std::thread> writers;
    const quint16 portA = a.port();
    for (int w = 0; w < 3; ++w) {
        writers.emplace_back([&, w] {
            for (int i = 0; !stopWriting.load(); ++i) {
                const QString id = u"to-a-%1-%2"_s.arg(w).arg(i);
                {
                    QMutexLocker lock(&mutex);
                    outstanding[w] = id;
                }
                const int status = blockingPost(portA, eventBody(id));
                answered(id, status);
                QMutexLocker lock(&mutex);
                outstanding[w].clear();
            }
        });
    }
    const auto joinWriters = qScopeGuard([&] {
        stopWriting = true;
        a.signal(SIGCONT); // whatever failed: let them finish
        for (std::thread &t : writers)
            t.join();
    });
    const auto answeredCount = [&](int status) {
        QMutexLocker lock(&mutex);
        return std::count(answers.cbegin(), answers.cend(), status);
    };
    QVERIFY(QTest::qWaitFor([&] { return answeredCount(200) >= 30; }, 15000));

    // Stop A at a random moment until it stopped inside its transaction: its backend holds the
    // append lock, idle in transaction. A statement under way finishes first (a COMMIT then
    // releases the lock: try again); between two statements the backend waits for a client that
    // will not talk.
    const qint64 key = ct::PgEventLog::appendLockKey;
    const QString holder = u"SELECT a.pid, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                           "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %1 AND l.objid = %2 "
                           "AND l.objsubid = 1 AND a.application_name = 'relay-a'"_s.arg(key >> 32)
                               .arg(key & 0xffffffff);
    const auto stuckBackend = [&] {
        qint64 pid = 0;
        [[maybe_unused]] const bool settled = QTest::qWaitFor(
            [&] {
                const QList<QVariantList> held = rows(holder);
                if (held.isEmpty())
                    return true; // not holding it
                if (held[0][1].toString() != u"idle in transaction")
                    return false; // a statement under way
                pid = held[0][0].toLongLong();
                return true;
            },
            500);
        return pid;
    };
    qint64 pid = 0;
    int tries = 0;
    QStringList inFlight; // the posts waiting for A when it stopped: its batch is among them
    QElapsedTimer hunting;
    hunting.start();
    while (pid == 0 && !hunting.hasExpired(30000)) {
        QTest::qWait(QRandomGenerator::global()->bounded(1, 40));
        QVERIFY(a.signal(SIGSTOP));
        ++tries;
        pid = stuckBackend();
        if (pid != 0) {
            QTest::qWait(100); // still there: A is stopped, not between two statements by chance
            pid = stuckBackend() == pid ? pid : 0;
        }
        if (pid == 0) {
            QVERIFY(a.signal(SIGCONT));
            continue;
        }
        QMutexLocker lock(&mutex);
        for (const QString &id : std::as_const(outstanding)) {
            if (!id.isEmpty())
                inFlight.append(id);
        }
    }
    QVERIFY2(pid != 0, "relay A was never caught inside its append transaction");
    QElapsedTimer stopped;
    stopped.start();
    qInfo() << "relay A stopped inside its transaction (backend" << pid << ") at try" << tries << "after"
            << hunting.elapsed() << "ms," << inFlight.size() << "posts waiting for it";
    QVERIFY(!inFlight.isEmpty());

    // Meanwhile B's append waits for the lock and gives up after lock_timeout: a 503, not a hang.
    QCOMPARE(answered(u"to-b-blocked"_s, post(b.port(), eventBody(u"to-b-blocked"_s))), 503);
    QVERIFY2(stopped.elapsed() < idleTimeoutMs, "too slow to tell lock_timeout from the cut-off; a loaded machine?");

    // PostgreSQL ends A's session; B takes webhooks again, within a bound.
    QVERIFY2(
        QTest::qWaitFor([&] { return rows(u"SELECT 1 FROM pg_stat_activity WHERE pid = %1"_s.arg(pid)).isEmpty(); },
                        idleTimeoutMs + 10000),
        "PostgreSQL did not cut relay A's hung session off");
    const qint64 cutOffAfter = stopped.elapsed();
    QVERIFY2(m_pg->log().contains(u"terminating connection due to idle-in-transaction timeout"_s),
             qPrintable(m_pg->log().right(2000)));
    QElapsedTimer sinceCutOff;
    sinceCutOff.start();
    int toB = 0;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     const QString id = u"to-b-%1"_s.arg(toB++);
                     return answered(id, post(b.port(), eventBody(id))) == 200;
                 },
                 5000),
             "relay B did not take webhooks again after A's session was cut off");
    const qint64 bAgainAfter = sinceCutOff.elapsed();
    for (int i = 0; i < 5; ++i) {
        const QString id = u"to-b-%1"_s.arg(toB++);
        QCOMPARE(answered(id, post(b.port(), eventBody(id))), 200);
    }
    QCOMPARE(health(b.port()).first, 200);
    qInfo() << "A's session cut off" << cutOffAfter << "ms after it was stopped; B answered 200 again" << bAgainAfter
            << "ms after that";

    // A wakes up to a connection PostgreSQL closed: that batch fails (503), A reconnects and takes
    // webhooks again; its writers' posts get answers.
    const qint64 stoppedFor = stopped.elapsed();
    QVERIFY(a.signal(SIGCONT));
    QVERIFY(QTest::qWaitFor([&] { return health(a.port()).first == 200; }, 10000));
    int toA = 0;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     const QString id = u"to-a-after-%1"_s.arg(toA++);
                     return answered(id, post(a.port(), eventBody(id))) == 200;
                 },
                 10000),
             "relay A did not take webhooks again after SIGCONT");
    const qsizetype acceptedBefore = answeredCount(200);
    QVERIFY(QTest::qWaitFor([&] { return answeredCount(200) >= acceptedBefore + 20; }, 10000));
    stopWriting = true;
    for (std::thread &t : writers)
        t.join();
    writers.clear();
    const QByteArray aLog = a.errors();
    QVERIFY2(aLog.contains("reconnecting to"), aLog.constData());

    // Every post got an answer; the cut-off batch was answered 503, never 200; every id answered
    // 200 by either relay is stored exactly once; B's client has every stored event once, in order.
    QStringList accepted;
    QStringList refused;
    QStringList unanswered;
    for (auto it = answers.cbegin(); it != answers.cend(); ++it)
        (it.value() == 200 ? accepted : it.value() == 0 ? unanswered : refused).append(it.key());
    QVERIFY2(unanswered.isEmpty(), qPrintable(unanswered.join(u' ')));
    QStringList cut;
    for (const QString &id : std::as_const(inFlight)) {
        if (answers.value(id) == 503)
            cut.append(id);
    }
    QVERIFY2(!cut.isEmpty(),
             qPrintable(u"none of the posts A had when it stopped was refused: %1"_s.arg(inFlight.join(u' '))));
    const QStringList stored = storedIds();
    for (const QString &id : std::as_const(accepted))
        QVERIFY2(stored.count(id) == 1,
                 qPrintable(u"%1 was answered 200 and is stored %2 times"_s.arg(id).arg(stored.count(id))));
    QTRY_COMPARE_WITH_TIMEOUT(onB.ofType(u"event"_s).size(), stored.size(), 10000);
    QTest::qWait(300); // nothing more comes
    QCOMPARE(exactlyOnceInOrder(eventsOf(onB), stored), QString());
    QVERIFY(!onB.disconnected);
    qInfo() << "A was stopped for" << stoppedFor << "ms;" << accepted.size() << "answered 200," << refused.size()
            << "503 (" << cut.size() << "of them A's cut-off batch:" << cut.join(u' ') << ")," << stored.size()
            << "stored";
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
