// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The real circletray-relay on PostgreSQL (`--database`), against a throwaway server (tests/pgserver.h):
// tokens made by `token add --database`, a signed webhook stored once however often it comes and to
// whichever relay, delivered to a desktop client; a database that is not there is a clear exit 1.
// And several relays on one log: NOTIFY wakes the other relays at once (and after their listener is
// killed), PostgreSQL restarted and a relay SIGKILLed mid-stream, and a soak with reconnecting
// clients: every event answered 200 reaches every client exactly once, in sequence order.
#include "pgserver.h"
#include "relay/pgeventlog.h"
#include "relay/pgnotifier.h"
#include "relayprocess.h"

#include <QMutex>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayPostgres final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tokensInTheDatabase();
    void storesOnceAndDelivers();
    void twoRelaysShareOneLog();
    void notifyWakesOtherRelay();
    void postgresRestartMidStream_data();
    void postgresRestartMidStream();
    void relayKilledMidStream();
    void dashboardSurvivesAnOutage();
    void soakTwoRelaysReconnectingClients();
    void passwordFromFileOrPgpass();
    void unreachableDatabaseIsExit1();
    void passwordInUrlIsRefused();

private:
    QString newDatabase(); //!< its URL; m_database is its name
    static QByteArray token(const QString &url, const QStringList &args, int *exitCode = nullptr,
                            QByteArray *err = nullptr);
    bool waitForListeners(int count, int timeoutMs = 10000); //!< relays LISTENing on the current database
    QStringList storedIds(); //!< every event id in the current database, in seq order

    std::unique_ptr<PgServer> m_pg;
    QString m_database;
    QTemporaryDir m_dir;
};

namespace {

//! A signed POST from any thread (no event loop needed): the status, 0 when no answer came.
int blockingPost(quint16 port, const QByteArray &body)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    socket.write(signedPost(body));
    QByteArray in;
    while (socket.waitForReadyRead(10000)) {
        in += socket.readAll();
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        const QByteArray head = in.left(end).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qsizetype length =
            at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        if (in.size() >= end + 4 + length)
            return in.split(' ').value(1).toInt();
    }
    return 0;
}

//! GET /healthz: the status and body.
QPair<int, QByteArray> health(quint16 port)
{
    HttpTestClient c;
    if (!c.connectTo(port))
        return {0, {}};
    c.send("GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n");
    const auto r = c.read(10000);
    return r ? qMakePair(r->status, r->body) : qMakePair(0, QByteArray());
}

struct Seen
{
    qint64 seq;
    QString id;
};

//! The events a client received: seq and CircleCI's event id.
QList<Seen> eventsOf(const RelayClient &client)
{
    QList<Seen> out;
    for (const QJsonObject &m : client.ofType(u"event"_s)) {
        const QJsonObject body = QJsonDocument::fromJson(m[u"body"_s].toString().toUtf8()).object();
        out.append({m[u"seq"_s].toInteger(), body[u"id"_s].toString()});
    }
    return out;
}

//! Empty when \a seen holds each of \a expected exactly once, nothing else, in strictly increasing seq order.
QString exactlyOnceInOrder(const QList<Seen> &seen, QStringList expected)
{
    QStringList ids;
    for (qsizetype i = 0; i < seen.size(); ++i) {
        if (i > 0 && seen[i].seq <= seen[i - 1].seq)
            return u"seq %1 after %2"_s.arg(seen[i].seq).arg(seen[i - 1].seq);
        ids.append(seen[i].id);
    }
    std::sort(ids.begin(), ids.end());
    if (const auto dup = std::adjacent_find(ids.cbegin(), ids.cend()); dup != ids.cend())
        return u"%1 delivered twice"_s.arg(*dup);
    std::sort(expected.begin(), expected.end());
    if (ids != expected) {
        QStringList missing;
        std::set_difference(expected.cbegin(), expected.cend(), ids.cbegin(), ids.cend(), std::back_inserter(missing));
        QStringList extra;
        std::set_difference(ids.cbegin(), ids.cend(), expected.cbegin(), expected.cend(), std::back_inserter(extra));
        return u"missing %1; unexpected %2"_s.arg(missing.join(u' '), extra.join(u' '));
    }
    return {};
}

//! A client that keeps what it saw across reconnections (each with since=<last seq>).
struct Follower
{
    std::unique_ptr<RelayClient> client = std::make_unique<RelayClient>();
    QList<Seen> before; //!< from earlier connections
    int connections = 0;

    QList<Seen> all() const { return before + eventsOf(*client); }
    qint64 lastSeq() const
    {
        const QList<Seen> seen = all();
        return seen.isEmpty() ? 0 : seen.constLast().seq;
    }
    bool reconnect(quint16 port, const QByteArray &token)
    {
        client->socket().abort();
        before = all();
        client = std::make_unique<RelayClient>();
        ++connections;
        return client->open(port, token, lastSeq());
    }
};

} // namespace

void TestRelayPostgres::initTestCase()
{
    const QString why = PgServer::unavailableReason();
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
    m_pg = std::make_unique<PgServer>();
    QString error;
    QVERIFY2(m_pg->start(&error), qPrintable(error));
}

QString TestRelayPostgres::newDatabase()
{
    QString error;
    m_database = m_pg->createDatabase(&error);
    if (m_database.isEmpty())
        qWarning("cannot create a database: %s", qPrintable(error));
    return m_pg->url(m_database);
}

QByteArray TestRelayPostgres::token(const QString &url, const QStringList &args, int *exitCode, QByteArray *err)
{
    QProcess p;
    p.start(QStringLiteral(CT_RELAY_PATH), QStringList {u"token"_s} + args + QStringList {u"--database"_s, url});
    p.waitForFinished(15000);
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    if (err)
        *err = p.readAllStandardError();
    return p.readAllStandardOutput().trimmed();
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

bool TestRelayPostgres::waitForListeners(int count, int timeoutMs)
{
    const QString check = u"DO $$ BEGIN IF (SELECT count(*) FROM pg_stat_activity WHERE datname = '%1' AND "
                          "application_name = '%2') < %3 THEN RAISE EXCEPTION 'not yet'; END IF; END $$"_s
                              .arg(m_database, QLatin1StringView(ct::PgNotifier::applicationName))
                              .arg(count);
    return QTest::qWaitFor([&] { return m_pg->sql(m_database, check); }, timeoutMs);
}

QStringList TestRelayPostgres::storedIds()
{
    ct::PgEventLog log(m_pg->connectInfo(m_database));
    QString error;
    if (!log.open(&error)) {
        qWarning("cannot open the log: %s", qPrintable(error));
        return {};
    }
    QStringList ids;
    for (const auto &e : log.read(0, 1000000))
        ids.append(e.eventId);
    return ids;
}

void TestRelayPostgres::notifyWakesOtherRelay()
{
    // POST on A, client on B: there in well under B's 1.5 s fallback read, because NOTIFY woke it.
    // With the listeners killed, events still come (the fallback read); once the health check has
    // reconnected and subscribed again, as fast as before.
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
    const auto latencies = [&](const QString &prefix, int count) {
        QList<qint64> ms;
        for (int i = 0; i < count; ++i) {
            posted.append(u"%1-%2"_s.arg(prefix).arg(i));
            QElapsedTimer t;
            t.start();
            if (post(a.port(), eventBody(posted.constLast())) != 200)
                return QList<qint64> {};
            const int want = int(posted.size());
            if (!QTest::qWaitFor([&] { return onB.ofType(u"event"_s).size() >= want; }, 5000))
                return QList<qint64> {};
            ms.append(t.elapsed());
            QTest::qWait(QRandomGenerator::global()->bounded(50, 250)); // not in step with any timer
        }
        std::sort(ms.begin(), ms.end());
        return ms;
    };
    // The fallback alone would deliver within 1.5 s at a uniformly random delay: six events all
    // under 1 s with a median under 400 ms are the notification's doing.
    QList<qint64> ms = latencies(u"notified"_s, 6);
    QVERIFY2(ms.size() == 6, "an event did not arrive");
    qInfo() << "A → B with NOTIFY (ms):" << ms;
    QVERIFY2(ms.constLast() < 1000 && ms.at(3) < 400, qPrintable(u"too slow: %1"_s.arg(ms.constLast())));

    QVERIFY(m_pg->sql(m_database,
                      u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%1'"_s.arg(
                          QLatin1StringView(ct::PgNotifier::applicationName))));
    ms = latencies(u"unheard"_s, 2); // before the health check noticed: the fallback read
    QVERIFY2(ms.size() == 2, "an event did not arrive without a listener");
    qInfo() << "A → B with the listener killed (ms):" << ms;
    QVERIFY(ms.constLast() < 3000);

    QVERIFY(waitForListeners(2));
    QTest::qWait(300);
    ms = latencies(u"resubscribed"_s, 6);
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

void TestRelayPostgres::postgresRestartMidStream_data()
{
    QTest::addColumn<PgServer::StopMode>("mode");
    QTest::newRow("fast") << PgServer::StopMode::Fast;
    QTest::newRow("immediate") << PgServer::StopMode::Immediate;
}

void TestRelayPostgres::postgresRestartMidStream()
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

void TestRelayPostgres::dashboardSurvivesAnOutage()
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

void TestRelayPostgres::relayKilledMidStream()
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
