// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The real circletray-relay on PostgreSQL (`--database`), against a throwaway server (tests/pgserver.h):
// tokens made by `token add --database`, a signed webhook stored once however often it comes and to
// whichever relay, delivered to a desktop client; a database that is not there is a clear exit 1.
// And several relays on one log: NOTIFY wakes the other relays at once, and a soak with reconnecting
// clients: every event answered 200 reaches every client exactly once, in sequence order.
// Faults (PostgreSQL restarted, a relay killed or stopped, a listener cut off) are tst_relaypgfaults.
#include "relaypgfixture.h"

#include <QMutex>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayPostgres final : public QObject, private RelayPgFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tokensInTheDatabase();
    void storesOnceAndDelivers();
    void twoRelaysShareOneLog();
    void notifyWakesOtherRelay();
    void soakTwoRelaysReconnectingClients();
    void passwordFromFileOrPgpass();
    void unreachableDatabaseIsExit1();
    void passwordInUrlIsRefused();
};

void TestRelayPostgres::initTestCase()
{
    bool skip = false;
    const QString why = startServer(&skip);
    if (skip)
        QSKIP(qPrintable(why));
    QVERIFY2(why.isEmpty(), qPrintable(why));
}

void TestRelayPostgres::tokensInTheDatabase()
{
    const QString url = newDatabase();
    int code = -1;
    const QByteArray laptop = token(url, {u"add"_s, u"laptop"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY(laptop.startsWith("ctr_"));
    QByteArray err;
    token(url, {u"add"_s, u"laptop"_s}, &code, &err);
    QCOMPARE(code, 1);
    QVERIFY2(err.contains("revoke it first"), err.constData());
    QVERIFY(!token(url, {u"add"_s, u"wall"_s}, &code).isEmpty());
    QByteArray list = token(url, {u"list"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(list.contains("laptop\tcreated ") && list.contains("\tvalid") && list.contains("wall\t"),
             list.constData());
    QCOMPARE(token(url, {u"revoke"_s, u"laptop"_s}, &code), "revoked laptop"_ba);
    QCOMPARE(code, 0);
    list = token(url, {u"list"_s}, &code);
    QVERIFY2(list.contains("laptop\tcreated ") && list.contains("\trevoked "), list.constData());
    token(url, {u"revoke"_s, u"nobody"_s}, &code);
    QCOMPARE(code, 1);
}

void TestRelayPostgres::storesOnceAndDelivers()
{
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    QVERIFY(deviceToken.startsWith("ctr_"));
    RelayProcess relay;
    QVERIFY(relay.start({u"--database"_s, url}));
    RelayClient client;
    QVERIFY(client.open(relay.port(), deviceToken));
    QVERIFY(client.waitFor(u"hello"_s) >= 0);

    const QByteArray body = eventBody(u"pg-event-1"_s);
    QCOMPARE(post(relay.port(), body), 200);
    QCOMPARE(post(relay.port(), body), 200); // CircleCI's retry: stored once
    QVERIFY(client.waitFor(u"event"_s) >= 0);
    QCOMPARE(post(relay.port(), eventBody(u"pg-event-2"_s)), 200);
    QTRY_COMPARE(client.ofType(u"event"_s).size(), 2);
    QTest::qWait(200); // nothing more comes
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0][u"seq"_s].toInteger(), 1);
    QCOMPARE(events[0][u"body"_s].toString().toUtf8(), body); // CircleCI's bytes, for its HMAC
    QVERIFY(events[1][u"seq"_s].toInteger() > 1);
    // This test database sets no guards against a relay hung inside a transaction: the relay
    // brings its own (the example configuration's values) and says so once.
    const QByteArray relayLog = relay.errors();
    QVERIFY2(relayLog.count("idle_in_transaction_session_timeout is not set for this role or database; "
                            "the relay uses 10s")
                 == 1,
             relayLog.constData());

    ct::PgEventLog log(m_pg->connectInfo(m_database));
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    const auto rows = log.read(0, 10);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].eventId, u"pg-event-1"_s);
    QCOMPARE(rows[0].body, body);
    QCOMPARE(relay.terminate(), 0);
}

void TestRelayPostgres::twoRelaysShareOneLog()
{
    // One event id posted to both relays: one row, two 200s; a client of either relay has the same
    // relay id and cursor space.
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    const QByteArray body = eventBody(u"both-relays"_s);
    QCOMPARE(post(a.port(), body), 200);
    QCOMPARE(post(b.port(), body), 200);
    QCOMPARE(post(b.port(), eventBody(u"only-b"_s)), 200);
    RelayClient onA;
    RelayClient onB;
    QVERIFY(onA.open(a.port(), deviceToken));
    QVERIFY(onB.open(b.port(), deviceToken));
    const int helloA = onA.waitFor(u"hello"_s);
    const int helloB = onB.waitFor(u"hello"_s);
    QVERIFY(helloA >= 0 && helloB >= 0);
    QCOMPARE(onA.messages[helloA][u"relay_id"_s], onB.messages[helloB][u"relay_id"_s]);
    QTRY_COMPARE(onA.ofType(u"event"_s).size(), 2);
    QTRY_COMPARE(onB.ofType(u"event"_s).size(), 2);
    QCOMPARE(onA.ofType(u"event"_s)[0][u"body"_s].toString().toUtf8(), body);
    QCOMPARE(onB.ofType(u"event"_s)[0][u"seq"_s], onA.ofType(u"event"_s)[0][u"seq"_s]);
    QCOMPARE(metric(b.port(), "circletray_relay_events_duplicate_total"), "1"_ba);

    // And at the same moment, as CircleCI's retry can race its first try through a load balancer:
    // still one row per id, both answered 200, delivered once.
    QStringList ids {u"both-relays"_s, u"only-b"_s};
    for (int round = 0; round < 10; ++round) {
        const QByteArray same = eventBody(u"at-once-%1"_s.arg(round));
        std::atomic<int> ready {0};
        int statuses[2] = {0, 0};
        std::thread threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i] = std::thread([&, i, port = i ? b.port() : a.port()] {
                ++ready;
                while (ready.load() < 2) { } // both start together
                statuses[i] = blockingPost(port, same);
            });
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(statuses[0], 200);
        QCOMPARE(statuses[1], 200);
        ids.append(u"at-once-%1"_s.arg(round));
    }
    QStringList stored = storedIds();
    QCOMPARE(stored.size(), ids.size());
    std::sort(stored.begin(), stored.end());
    std::sort(ids.begin(), ids.end());
    QCOMPARE(stored, ids);
    QTRY_COMPARE(onA.ofType(u"event"_s).size(), ids.size());
    QTRY_COMPARE(onB.ofType(u"event"_s).size(), ids.size());
    QTest::qWait(200);
    QCOMPARE(exactlyOnceInOrder(eventsOf(onA), ids), QString());
    QCOMPARE(exactlyOnceInOrder(eventsOf(onB), ids), QString());
}

void TestRelayPostgres::notifyWakesOtherRelay()
{
    // POST on A, client on B: there in well under B's 1.5 s fallback read, because NOTIFY woke it.
    // (With the listeners killed: tst_relaypgfaults listenerTerminated.)
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
    // The fallback alone would deliver within 1.5 s at a uniformly random delay: six events all
    // under 1 s with a median under 400 ms are the notification's doing.
    QStringList posted;
    const QList<qint64> ms = latencies(a, onB, posted, u"notified"_s, 6);
    QVERIFY2(ms.size() == 6, "an event did not arrive");
    qInfo() << "A → B with NOTIFY (ms):" << ms;
    QVERIFY2(ms.constLast() < 1000 && ms.at(3) < 400, qPrintable(u"too slow: %1"_s.arg(ms.constLast())));
    QCOMPARE(exactlyOnceInOrder(eventsOf(onB), posted), QString());
    QVERIFY(!b.errors().contains("lost the notification connection"));
    QVERIFY(!onB.disconnected);
    QCOMPARE(a.terminate(), 0);
    QCOMPARE(b.terminate(), 0);
}

void TestRelayPostgres::soakTwoRelaysReconnectingClients()
{
    // 4 writers post unique events to 2 relays at random small intervals; 3 clients per relay drop
    // and reconnect at random (to either relay) with since=<last seq>. Every client ends with every
    // accepted event exactly once, in strictly increasing seq order.
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess relays[2];
    for (RelayProcess &r : relays)
        QVERIFY(r.start({u"--database"_s, url}));
    const quint16 ports[2] = {relays[0].port(), relays[1].port()};
    std::vector<Follower> followers(6);
    for (size_t i = 0; i < followers.size(); ++i)
        QVERIFY(followers[i].client->open(ports[i % 2], deviceToken));

    const int perWriter = 100 * soakScale();
    QMutex mutex;
    QStringList accepted;
    int refused = 0;
    std::atomic<int> writersDone {0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            QRandomGenerator random(quint32(w + 1));
            for (int i = 0; i < perWriter; ++i) {
                const QString id = u"soak-%1-%2"_s.arg(w).arg(i);
                const int status = blockingPost(ports[(w + i) % 2], eventBody(id));
                {
                    QMutexLocker lock(&mutex);
                    if (status == 200)
                        accepted.append(id);
                    else
                        ++refused;
                }
                QThread::msleep(random.bounded(2, 30));
            }
            ++writersDone;
        });
    }
    QElapsedTimer elapsed;
    elapsed.start();
    while (writersDone.load() < 4 && !elapsed.hasExpired(60000 * soakScale())) {
        QTest::qWait(QRandomGenerator::global()->bounded(10, 80));
        Follower &f = followers[QRandomGenerator::global()->bounded(int(followers.size()))];
        if (!f.reconnect(ports[QRandomGenerator::global()->bounded(2)], deviceToken))
            qWarning("a reconnection failed");
    }
    for (std::thread &t : writers)
        t.join();
    QCOMPARE(refused, 0);
    QCOMPARE(accepted.size(), 4 * perWriter);
    int connections = 0;
    for (Follower &f : followers) {
        QTRY_VERIFY_WITH_TIMEOUT(f.all().size() >= accepted.size(), 15000);
        connections += f.connections;
    }
    QTest::qWait(300); // nothing more comes
    for (const Follower &f : followers)
        QCOMPARE(exactlyOnceInOrder(f.all(), accepted), QString());
    qInfo() << accepted.size() << "events," << connections << "reconnections in" << elapsed.elapsed() << "ms";
    QVERIFY(connections >= 10);
}

void TestRelayPostgres::passwordFromFileOrPgpass()
{
    // A role that must log in with a password: from --database-password-file, or libpq's PGPASSFILE.
    newDatabase();
    QString error;
    QVERIFY2(m_pg->addPasswordRole(u"relayrole"_s, u"Pa55 word"_s, m_database, &error), qPrintable(error));
    const QString url = m_pg->url(m_database, u"relayrole"_s);
    const QString file = m_dir.filePath(u"relayrole-password"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("Pa55 word\n");
    f.close();

    int code = -1;
    QByteArray err;
    token(url, {u"list"_s}, &code, &err); // no password at all
    QCOMPARE(code, 1);
    QVERIFY2(err.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())) && err.contains("password"),
             err.constData());
    QVERIFY(!token(url, {u"add"_s, u"laptop"_s, u"--database-password-file"_s, file}, &code, &err).isEmpty());
    QVERIFY2(code == 0, err.constData());

    QFile pgpass(m_dir.filePath(u"pgpass-file"_s));
    QVERIFY(pgpass.open(QIODevice::WriteOnly));
    pgpass.write("*:*:*:relayrole:Pa55 word\n");
    pgpass.close();
    QVERIFY(pgpass.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)); // libpq insists
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PGPASSFILE"_s, pgpass.fileName());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CT_RELAY_PATH), {u"token"_s, u"list"_s, u"--database"_s, url});
    QVERIFY(p.waitForFinished(15000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY(p.readAllStandardOutput().startsWith("laptop\tcreated "));

    RelayProcess relay; // and serve
    QVERIFY(relay.start({u"--database"_s, url, u"--database-password-file"_s, file}));
    QCOMPARE(post(relay.port(), eventBody(u"with-password"_s)), 200);
    QVERIFY(!relay.errors().contains("Pa55"));
    QCOMPARE(relay.terminate(), 0);
}

void TestRelayPostgres::unreachableDatabaseIsExit1()
{
    // No server at that socket: a clear message naming the database, exit 1, and never the password.
    QFile password(m_dir.filePath(u"pgpass"_s));
    QVERIFY(password.open(QIODevice::WriteOnly));
    password.write("s3cret-Pa55\n");
    password.close();
    const QString url = u"postgresql://ct@/circletray?host=%1"_s.arg(m_dir.filePath(u"no-server-here"_s));
    RelayProcess relay;
    QVERIFY(!relay.start({u"--database"_s, url, u"--database-password-file"_s, password.fileName()}));
    QCOMPARE(relay.terminate(), 1);
    const QByteArray err = relay.errors();
    QVERIFY2(err.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())), err.constData());
    QVERIFY2(!err.contains("s3cret"), err.constData());
    QVERIFY(!relay.output().contains("s3cret"));

    int code = -1;
    QByteArray tokenErr;
    token(url, {u"list"_s}, &code, &tokenErr);
    QCOMPARE(code, 1);
    QVERIFY2(tokenErr.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())), tokenErr.constData());
}

void TestRelayPostgres::passwordInUrlIsRefused()
{
    RelayProcess relay;
    QVERIFY(!relay.start({u"--database"_s, u"postgresql://ct:hunter2@db.example/circletray"_s}));
    QCOMPARE(relay.terminate(), 2);
    const QByteArray err = relay.errors();
    QVERIFY2(err.contains("must not contain a password") && err.contains("--database-password-file"), err.constData());
    QVERIFY2(!err.contains("hunter2"), err.constData());
}

QTEST_GUILESS_MAIN(TestRelayPostgres)
#include "tst_relaypostgres.moc"
