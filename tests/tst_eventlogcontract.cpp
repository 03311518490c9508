// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// What every EventLog promises, checked against both back-ends: SQLite (a file) and PostgreSQL (a
// throwaway server, tests/pgserver.h). Plus PostgreSQL's own promise when relays share it: sequence
// order is visibility order, even while another writer's transaction is open (the gap race).
#include "pgserver.h"
#include "relay/ingestor.h"
#include "relay/pgeventlog.h"
#include "relay/relaymetrics.h"
#include "relay/sqleventlog.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <latch>
#include <thread>

using namespace Qt::StringLiterals;
using ct::test::PgServer;

namespace {

enum class Backend { Sqlite, Postgres };

QList<ct::StoredEvent> batch(int from, int count, const QDateTime &at = QDateTime::currentDateTimeUtc())
{
    QList<ct::StoredEvent> out;
    for (int i = from; i < from + count; ++i)
        out.append(
            {0, u"id-%1"_s.arg(i), at, "workflow-completed"_ba, "v1=00"_ba, "{\"n\":" + QByteArray::number(i) + '}'});
    return out;
}

QList<qint64> seqsOf(const QList<ct::StoredEvent> &events)
{
    QList<qint64> out;
    for (const auto &e : events)
        out.append(e.seq);
    return out;
}

} // namespace

Q_DECLARE_METATYPE(Backend)

class TestEventLogContract final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void createsAndReopens_data() { backends(); }
    void createsAndReopens();
    void appendAndReadByteExact_data() { backends(); }
    void appendAndReadByteExact();
    void readStopsAtMaxBytes_data() { backends(); }
    void readStopsAtMaxBytes();
    void sequenceSurvivesPruneAndReopen_data() { backends(); }
    void sequenceSurvivesPruneAndReopen();
    void pruneByAgeAndCount_data() { backends(); }
    void pruneByAgeAndCount();
    void tokens_data() { backends(); }
    void tokens();
    void sessions_data() { backends(); }
    void sessions();
    void dedupeAcrossInstances_data() { backends(); }
    void dedupeAcrossInstances();
    void concurrentFirstOpen_data() { backends(); }
    void concurrentFirstOpen();
    void headAndOldestSeeOtherWriters();
    void duplicatesInTheDatabase();
    void batchKeepsInputOrder_data();
    void batchKeepsInputOrder();
    void appendWaitsForAnOpenWriter();
    void hungWriterIsCutOff();
    void refusesNewerSchema();
    void reconnectsAfterServerRestart();

private:
    void backends()
    {
        QTest::addColumn<Backend>("backend");
        QTest::newRow("sqlite") << Backend::Sqlite;
        QTest::newRow("postgresql") << Backend::Postgres;
    }
    //! A new, empty log's location for \a backend (skips the test when PostgreSQL is not here).
    bool newLocation(Backend backend);
    std::unique_ptr<ct::EventLog> make(Backend backend) const;
    std::unique_ptr<ct::EventLog> makeOpen(Backend backend) const;

    QTemporaryDir m_dir;
    std::unique_ptr<PgServer> m_pg;
    QString m_pgSkip; //!< why PostgreSQL rows are skipped
    QString m_where; //!< the current test's SQLite file or PostgreSQL database
    int m_files = 0;
};

void TestEventLogContract::initTestCase()
{
    m_pgSkip = PgServer::unavailableReason();
    if (!m_pgSkip.isEmpty())
        return;
    m_pg = std::make_unique<PgServer>();
    QString error;
    QVERIFY2(m_pg->start(&error), qPrintable(error));
}

bool TestEventLogContract::newLocation(Backend backend)
{
    if (backend == Backend::Sqlite) {
        m_where = m_dir.filePath(u"log-%1.sqlite"_s.arg(++m_files));
        return true;
    }
    if (!m_pg)
        return false;
    QString error;
    m_where = m_pg->createDatabase(&error);
    if (m_where.isEmpty())
        qWarning("cannot create a database: %s", qPrintable(error));
    return !m_where.isEmpty();
}

std::unique_ptr<ct::EventLog> TestEventLogContract::make(Backend backend) const
{
    if (backend == Backend::Sqlite)
        return std::make_unique<ct::SqlEventLog>(m_where, ct::Durability::Normal);
    return std::make_unique<ct::PgEventLog>(m_pg->connectInfo(m_where));
}

std::unique_ptr<ct::EventLog> TestEventLogContract::makeOpen(Backend backend) const
{
    auto log = make(backend);
    QString error;
    if (!log->open(&error)) {
        qWarning("open failed: %s", qPrintable(error));
        return nullptr;
    }
    return log;
}

#define CT_NEW_LOCATION(backend)                                                                                       \
    do {                                                                                                               \
        if (backend == Backend::Postgres && !m_pg)                                                                     \
            QSKIP(qPrintable(m_pgSkip));                                                                               \
        QVERIFY(newLocation(backend));                                                                                 \
    } while (false)

#define CT_POSTGRES_ONLY()                                                                                             \
    do {                                                                                                               \
        if (!m_pg)                                                                                                     \
            QSKIP(qPrintable(m_pgSkip));                                                                               \
        QVERIFY(newLocation(Backend::Postgres));                                                                       \
    } while (false)

void TestEventLogContract::createsAndReopens()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    QString id;
    {
        auto log = makeOpen(backend);
        QVERIFY(log);
        id = log->relayId();
        QVERIFY(!id.isEmpty());
        QCOMPARE(log->headSeq(), 0);
        QCOMPARE(log->oldestSeq(), 1);
        QVERIFY(log->isHealthy());
        QVERIFY(log->read(0, 10).isEmpty());
    }
    auto again = makeOpen(backend);
    QVERIFY(again);
    QCOMPARE(again->relayId(), id); // clients keep their cursors across restarts
}

void TestEventLogContract::appendAndReadByteExact()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto log = makeOpen(backend);
    QVERIFY(log);
    QString error;
    auto events = batch(1, 3);
    QByteArray binary("\x00\xff\\x00 ' \" \\\\ binary-safe \r\n", 29);
    for (int c = 0; c < 256; ++c)
        binary.append(char(c));
    events[1].body = binary;
    events[2].body = QByteArray(300 * 1024, 'z') + "ü✓"_ba; // a large body, UTF-8 inside
    events[2].receivedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
    QVERIFY2(log->append(events, &error), qPrintable(error));
    QCOMPARE(seqsOf(events), QList<qint64>({1, 2, 3}));
    for (const auto &e : std::as_const(events))
        QVERIFY(!e.duplicate);
    QCOMPARE(log->headSeq(), 3);
    QCOMPARE(log->oldestSeq(), 1);
    const auto read = log->read(1, 10);
    QCOMPARE(seqsOf(read), QList<qint64>({2, 3}));
    QCOMPARE(read[0].body, binary);
    QCOMPARE(read[0].eventId, u"id-2"_s);
    QCOMPARE(read[0].eventType, "workflow-completed"_ba);
    QCOMPARE(read[0].signature, "v1=00"_ba);
    QCOMPARE(read[0].receivedAt.toMSecsSinceEpoch(), events[1].receivedAt.toMSecsSinceEpoch());
    QCOMPARE(read[1].body, events[2].body);
    QCOMPARE(read[1].receivedAt.toMSecsSinceEpoch(), 1'700'000'000'123);
    QCOMPARE(read[1].receivedAt.timeSpec(), Qt::UTC);
    QCOMPARE(seqsOf(log->read(0, 2)), QList<qint64>({1, 2}));
    QVERIFY(log->read(3, 10).isEmpty());
    QStringList ids = log->eventIds();
    ids.sort();
    QCOMPARE(ids, QStringList({u"id-1"_s, u"id-2"_s, u"id-3"_s}));
    auto more = batch(4, 2);
    QVERIFY(log->append(more, &error));
    QCOMPARE(seqsOf(more), QList<qint64>({4, 5}));
    QCOMPARE(seqsOf(log->read(0, 100)), QList<qint64>({1, 2, 3, 4, 5}));
}

void TestEventLogContract::readStopsAtMaxBytes()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto log = makeOpen(backend);
    QVERIFY(log);
    QString error;
    auto events = batch(1, 5);
    for (auto &e : events)
        e.body = QByteArray(100, 'b');
    QVERIFY(log->append(events, &error));
    QCOMPARE(seqsOf(log->read(0, 10, 250)), QList<qint64>({1, 2, 3})); // stops once past 250 bytes
    QCOMPARE(seqsOf(log->read(0, 10, 1)), QList<qint64>({1})); // at least one, whatever its size
    QCOMPARE(seqsOf(log->read(3, 10, 250)), QList<qint64>({4, 5}));
    QCOMPARE(seqsOf(log->read(1, 2, 10'000)), QList<qint64>({2, 3})); // the limit
    // The connection is still usable after a read that stopped early.
    QCOMPARE(log->headSeq(), 5);
    QVERIFY(log->isHealthy());
}

void TestEventLogContract::sequenceSurvivesPruneAndReopen()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    QString error;
    {
        auto log = makeOpen(backend);
        QVERIFY(log);
        auto events = batch(1, 5);
        QVERIFY(log->append(events, &error));
        QCOMPARE(log->prune(QDateTime::currentDateTimeUtc().addDays(1), 1000, 100).size(), 5); // all gone
        QCOMPARE(log->oldestSeq(), 6);
        QCOMPARE(log->headSeq(), 5);
    }
    auto log = makeOpen(backend);
    QVERIFY(log);
    QCOMPARE(log->headSeq(), 5); // not derived from the (empty) table alone
    QCOMPARE(log->oldestSeq(), 6);
    auto more = batch(6, 1);
    QVERIFY(log->append(more, &error));
    QCOMPARE(more.first().seq, 6); // never reused
    QCOMPARE(log->oldestSeq(), 6);
    QCOMPARE(log->headSeq(), 6);
}

void TestEventLogContract::pruneByAgeAndCount()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto log = makeOpen(backend);
    QVERIFY(log);
    QString error;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto old = batch(1, 3, now.addDays(-40));
    auto recent = batch(4, 5, now);
    QVERIFY(log->append(old, &error));
    QVERIFY(log->append(recent, &error));
    QCOMPARE(log->prune(now.addDays(-30), 100, 100), QStringList({u"id-1"_s, u"id-2"_s, u"id-3"_s}));
    QCOMPARE(log->oldestSeq(), 4);
    // In slices: two, then the rest.
    QCOMPARE(log->prune(now.addDays(-30), 2, 2), QStringList({u"id-4"_s, u"id-5"_s}));
    QCOMPARE(log->oldestSeq(), 6);
    QCOMPARE(log->prune(now.addDays(-30), 2, 2), QStringList({u"id-6"_s}));
    QCOMPARE(log->oldestSeq(), 7);
    QVERIFY(log->prune(now.addDays(-30), 2, 2).isEmpty());
    QCOMPARE(seqsOf(log->read(0, 10)), QList<qint64>({7, 8}));
    QCOMPARE(log->headSeq(), 8);
}

void TestEventLogContract::tokens()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto log = makeOpen(backend);
    QVERIFY(log);
    QString error;
    QVERIFY(log->addToken(u"laptop"_s, "hash-1"_ba, &error));
    QVERIFY(!log->addToken(u"laptop"_s, "hash-2"_ba, &error)); // exists
    QVERIFY(error.contains(u"revoke"_s));
    QVERIFY(log->addToken(u"build-wall"_s, QByteArray("\x00\xff", 2), &error));
    QCOMPARE(log->tokenName("hash-1"_ba), u"laptop"_s);
    QCOMPARE(log->tokenName(QByteArray("\x00\xff", 2)), u"build-wall"_s);
    QVERIFY(!log->tokenName("hash-2"_ba));
    QVERIFY(log->revokeToken(u"laptop"_s));
    QVERIFY(!log->revokeToken(u"laptop"_s));
    QVERIFY(!log->revokeToken(u"nobody"_s));
    QVERIFY(!log->tokenName("hash-1"_ba));
    const auto list = log->tokens();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].name, u"build-wall"_s); // by name
    QVERIFY(!list[0].revokedAt.isValid());
    QCOMPARE(list[1].name, u"laptop"_s);
    QCOMPARE(list[1].hash, "hash-1"_ba);
    QVERIFY(list[1].revokedAt.isValid());
    QVERIFY(qAbs(list[1].createdAt.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    QVERIFY(log->addToken(u"laptop"_s, "hash-3"_ba, &error)); // a revoked name can be issued again
    QCOMPARE(log->tokenName("hash-3"_ba), u"laptop"_s);
    QVERIFY(!log->tokenName("hash-1"_ba));
    // Another instance (another relay, or `token list`) sees the same tokens.
    auto other = makeOpen(backend);
    QVERIFY(other);
    QCOMPARE(other->tokenName("hash-3"_ba), u"laptop"_s);
    QVERIFY(other->revokeToken(u"laptop"_s));
    QVERIFY(!log->tokenName("hash-3"_ba));
}

void TestEventLogContract::sessions()
{
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto log = makeOpen(backend);
    QVERIFY(log);
    QString error;
    QVERIFY(log->addToken(u"wall"_s, "token-1"_ba, &error));
    const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch() - 3'600'000, Qt::UTC);
    QVERIFY(log->addSession({"s-old"_ba, "token-1"_ba, t0.addDays(-40), t0}, &error));
    QVERIFY(log->addSession({"s-idle"_ba, "token-1"_ba, t0, t0.addDays(-8)}, &error));
    QVERIFY(log->addSession({"s-live"_ba, "token-1"_ba, t0, t0}, &error));
    QVERIFY(!log->addSession({"s-live"_ba, "token-1"_ba, t0, t0}, &error)); // a hash is one session
    const auto live = log->session("s-live"_ba);
    QVERIFY(live);
    QCOMPARE(live->hash, "s-live"_ba);
    QCOMPARE(live->tokenHash, "token-1"_ba);
    QCOMPARE(live->createdAt, t0);
    QCOMPARE(live->lastSeenAt, t0);
    log->touchSession("s-live"_ba, t0.addSecs(60));
    QCOMPARE(log->session("s-live"_ba)->lastSeenAt, t0.addSecs(60));
    QVERIFY(!log->session("s-unknown"_ba));
    // Idle over 7 days or older than 30: gone.
    QCOMPARE(log->pruneSessions(t0.addDays(-7), t0.addDays(-30)), 2);
    QVERIFY(log->session("s-live"_ba));
    QVERIFY(!log->session("s-idle"_ba));
    QVERIFY(!log->session("s-old"_ba));
    // Revoking the token ends its sessions at once, and pruning removes them.
    QVERIFY(log->revokeToken(u"wall"_s));
    QVERIFY(!log->session("s-live"_ba));
    QVERIFY(log->addToken(u"wall"_s, "token-2"_ba, &error)); // the same name again: not the same sessions
    QVERIFY(!log->session("s-live"_ba));
    QCOMPARE(log->pruneSessions(t0.addDays(-7), t0.addDays(-30)), 1);
    QVERIFY(log->addSession({"s-2"_ba, "token-2"_ba, t0, t0}, &error));
    auto other = makeOpen(backend); // the dashboard on another relay knows the sign-in
    QVERIFY(other);
    QVERIFY(other->session("s-2"_ba));
    log->removeSession("s-2"_ba);
    QVERIFY(!log->session("s-2"_ba));
    QVERIFY(!other->session("s-2"_ba));
}

void TestEventLogContract::dedupeAcrossInstances()
{
    // Two relays' logs on one store, each behind the relay's real Ingestor. SQLite: the second
    // relay starts after the first stored the event and filters it by the ids it loads
    // (RelayServer calls loadKnownIds() for SQLite only). PostgreSQL: the database's unique id.
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    auto logA = makeOpen(backend);
    QVERIFY(logA);
    ct::RelayMetrics metricsA;
    ct::Ingestor a(logA.get(), &metricsA);
    if (backend == Backend::Sqlite)
        a.loadKnownIds();
    QSignalSpy storedA(&a, &ct::Ingestor::eventsStored);
    ct::WebhookDelivery delivery;
    delivery.event.type = ct::EventType::WorkflowCompleted;
    delivery.event.id = u"same-event"_s;
    delivery.body = "{\"id\":\"same-event\"}"_ba;
    delivery.signatureHeader = "v1=00"_ba;
    a.submit(delivery, ct::HttpResponder());
    a.flush();
    QCOMPARE(storedA.size(), 1);

    auto logB = makeOpen(backend);
    QVERIFY(logB);
    ct::RelayMetrics metricsB;
    ct::Ingestor b(logB.get(), &metricsB);
    if (backend == Backend::Sqlite)
        b.loadKnownIds();
    QSignalSpy storedB(&b, &ct::Ingestor::eventsStored);
    b.submit(delivery, ct::HttpResponder());
    b.flush();
    QCOMPARE(storedB.size(), 0); // not new here
    QCOMPARE(metricsB.duplicate, 1u);
    QCOMPARE(metricsA.storageFailures + metricsB.storageFailures, 0u); // both answered 200
    QCOMPARE(metricsA.accepted + metricsB.accepted, 1u);
    QCOMPARE(logA->read(0, 10).size(), 1); // one row
    QCOMPARE(logB->headSeq(), 1);
}

void TestEventLogContract::concurrentFirstOpen()
{
    // Relays (and `token add`) starting at once on a new store: every one opens, one schema, one id.
    QFETCH(Backend, backend);
    CT_NEW_LOCATION(backend);
    constexpr int openers = 4;
    std::latch go(openers);
    QStringList ids(openers);
    QStringList errors(openers);
    std::vector<std::thread> threads;
    for (int i = 0; i < openers; ++i) {
        threads.emplace_back([&, i] {
            auto log = make(backend);
            go.arrive_and_wait();
            QString error;
            if (log->open(&error))
                ids[i] = log->relayId();
            else
                errors[i] = error;
            log->close();
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(errors, QStringList(openers));
    QVERIFY(!ids.first().isEmpty());
    QCOMPARE(ids, QStringList(openers, ids.first()));
    auto log = makeOpen(backend);
    QVERIFY(log);
    QCOMPARE(log->relayId(), ids.first());
    QString error;
    auto events = batch(1, 1);
    QVERIFY2(log->append(events, &error), qPrintable(error));
}

void TestEventLogContract::headAndOldestSeeOtherWriters()
{
    // Another relay appends and prunes: this one's head and oldest follow the database.
    CT_POSTGRES_ONLY();
    auto mine = makeOpen(Backend::Postgres);
    auto theirs = makeOpen(Backend::Postgres);
    QVERIFY(mine && theirs);
    QString error;
    auto events = batch(1, 4);
    QVERIFY(theirs->append(events, &error));
    QCOMPARE(mine->headSeq(), 4);
    QCOMPARE(mine->oldestSeq(), 1);
    QCOMPARE(theirs->prune(QDateTime::currentDateTimeUtc().addDays(1), 1000, 3).size(), 3);
    QCOMPARE(mine->oldestSeq(), 4);
    QCOMPARE(mine->headSeq(), 4);
    QCOMPARE(theirs->prune(QDateTime::currentDateTimeUtc().addDays(1), 1000, 3).size(), 1);
    QCOMPARE(mine->oldestSeq(), 5);
    QCOMPARE(mine->headSeq(), 4);
}

void TestEventLogContract::duplicatesInTheDatabase()
{
    // One row per event id whoever appends it, duplicates in the same batch included; each call
    // succeeds and says which of its events were new.
    CT_POSTGRES_ONLY();
    auto a = makeOpen(Backend::Postgres);
    auto b = makeOpen(Backend::Postgres);
    QVERIFY(a && b);
    QString error;
    auto first = batch(1, 1);
    QVERIFY(a->append(first, &error));
    QCOMPARE(first[0].seq, 1);
    QVERIFY(!first[0].duplicate);
    auto second = batch(1, 2); // id-1 again, and id-2
    second.append(batch(2, 1)); // id-2 twice in one batch
    QVERIFY2(b->append(second, &error), qPrintable(error));
    QVERIFY(second[0].duplicate);
    QCOMPARE(second[0].seq, 0);
    QVERIFY(!second[1].duplicate);
    QVERIFY(second[1].seq > 1);
    QVERIFY(second[2].duplicate);
    const auto rows = a->read(0, 10);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].eventId, u"id-1"_s);
    QCOMPARE(rows[1].eventId, u"id-2"_s);
    QCOMPARE(rows[1].seq, second[1].seq);
    // Concurrently from two threads: exactly one of them stores it.
    std::latch go(2);
    std::atomic<int> fresh = 0;
    std::atomic<int> failed = 0;
    auto appendOnce = [&] {
        ct::PgEventLog log(m_pg->connectInfo(m_where));
        QString e;
        if (!log.open(&e)) {
            ++failed;
            return;
        }
        auto events = batch(99, 1);
        go.arrive_and_wait();
        if (!log.append(events, &e))
            ++failed;
        else if (!events[0].duplicate)
            ++fresh;
    };
    std::thread t1(appendOnce);
    std::thread t2(appendOnce);
    t1.join();
    t2.join();
    QCOMPARE(failed.load(), 0);
    QCOMPARE(fresh.load(), 1);
    QCOMPARE(a->read(0, 10).size(), 3);
}

void TestEventLogContract::batchKeepsInputOrder_data()
{
    // What one append is given after `stored` was appended: ids, duplicates among them, and the
    // size of each body (large ones spread a batch over several INSERTs, as more rows do).
    QTest::addColumn<QStringList>("stored");
    QTest::addColumn<QStringList>("ids");
    QTest::addColumn<int>("bodyBytes");
    const auto words = [](const QString &text) { return text.split(u' '); };
    const auto many = [](int count, int everyNth) {
        QStringList ids;
        for (int i = 0; i < count; ++i)
            ids << (i % everyNth == everyNth - 1 ? u"e-%1"_s.arg(i / 2) : u"e-%1"_s.arg(i));
        return ids;
    };
    // clang-format off
    QTest::newRow("new events only")         << QStringList {} << words(u"a b c"_s) << 16;
    QTest::newRow("duplicate inside")        << QStringList {} << words(u"a b a c b"_s) << 16;
    QTest::newRow("duplicate of a stored")   << words(u"b"_s) << words(u"a b c"_s) << 16;
    QTest::newRow("inside and across")       << words(u"b d"_s)
                                             << words(u"a b c a d e c f"_s) << 16;
    QTest::newRow("duplicates only")         << words(u"a b"_s) << words(u"a b a"_s) << 16;
    QTest::newRow("more rows than 1 INSERT") << words(u"e-7 e-2100"_s) << many(2300, 9) << 16;
    QTest::newRow("more bytes than 1 INSERT") << words(u"c"_s)
                                              << words(u"a b c a d e"_s) << 3 * 1024 * 1024;
    // clang-format on
}

void TestEventLogContract::batchKeepsInputOrder()
{
    // One append, whatever it holds: each id stored once, every later occurrence (in the batch or
    // in the log already) a duplicate with seq 0, and the new events numbered in the batch's order.
    QFETCH(QStringList, stored);
    QFETCH(QStringList, ids);
    QFETCH(int, bodyBytes);
    CT_POSTGRES_ONLY();
    auto log = makeOpen(Backend::Postgres);
    QVERIFY(log);
    QString error;
    const auto eventsOf = [bodyBytes](const QStringList &list) {
        QList<ct::StoredEvent> out;
        for (const QString &id : list)
            out.append({0, id, QDateTime::currentDateTimeUtc(), "workflow-completed"_ba, "v1=00"_ba,
                        id.toUtf8() + ':' + QByteArray(bodyBytes, 'x')});
        return out;
    };
    auto before = eventsOf(stored);
    QVERIFY2(log->append(before, &error), qPrintable(error));
    const qint64 head = log->headSeq();
    auto events = eventsOf(ids);
    QVERIFY2(log->append(events, &error), qPrintable(error));
    QCOMPARE(events.size(), ids.size());
    QSet<QString> seen(stored.cbegin(), stored.cend());
    QStringList fresh;
    qint64 previous = head;
    for (const auto &e : std::as_const(events)) {
        const bool duplicate = seen.contains(e.eventId);
        seen.insert(e.eventId);
        QVERIFY2(e.duplicate == duplicate, qPrintable(e.eventId));
        if (duplicate) {
            QCOMPARE(e.seq, 0);
            continue;
        }
        QVERIFY2(e.seq > previous, qPrintable(u"%1: seq %2 after %3"_s.arg(e.eventId).arg(e.seq).arg(previous)));
        previous = e.seq;
        fresh << e.eventId;
    }
    QCOMPARE(log->headSeq(), fresh.isEmpty() ? head : previous);
    // Read back after the stored ones: exactly the new events, in the batch's order, bytes intact.
    QList<ct::StoredEvent> rows;
    for (qint64 after = head;;) {
        const auto page = log->read(after, 500);
        if (page.isEmpty())
            break;
        rows += page;
        after = page.constLast().seq;
    }
    QStringList readIds;
    for (const auto &r : std::as_const(rows)) {
        readIds << r.eventId;
        QCOMPARE(r.body.size(), r.eventId.size() + 1 + bodyBytes);
        QVERIFY(r.body.startsWith(QByteArray(r.eventId.toUtf8() + ':')));
    }
    QCOMPARE(readIds, fresh);
}

void TestEventLogContract::appendWaitsForAnOpenWriter()
{
    // The gap race. Another relay's append is in flight: it holds the append lock and has inserted
    // (drawn seq 1) but not committed. Our append must wait rather than draw and commit seq 2: a
    // reader that saw 2 alone would resume after it and never get 1.
    CT_POSTGRES_ONLY();
    auto reader = makeOpen(Backend::Postgres);
    QVERIFY(reader);

    const auto removeConnection = qScopeGuard([] { QSqlDatabase::removeDatabase(u"other-relay"_s); });
    QSqlDatabase other = QSqlDatabase::addDatabase(u"QPSQL"_s, u"other-relay"_s);
    other.setHostName(m_pg->socketDir());
    other.setDatabaseName(m_where);
    other.setUserName(PgServer::superuser());
    QVERIFY2(other.open(), qPrintable(other.lastError().text()));
    {
        QSqlQuery q(other);
        QVERIFY(other.transaction());
        // What PgEventLog::append() sends.
        QVERIFY(q.exec(u"SELECT pg_advisory_xact_lock(%1)"_s.arg(ct::PgEventLog::appendLockKey)));
        QVERIFY2(q.exec(u"INSERT INTO ct_events (event_id, received_at, event_type, signature, body, stored_by) "
                        "VALUES ('first', now(), 'workflow-completed', 'v1=00', '\\x7b7d', 'other') RETURNING seq"_s),
                 qPrintable(q.lastError().text()));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), 1);
    }

    std::atomic<bool> appended = false;
    std::atomic<qint64> secondSeq = 0;
    std::latch opened(1);
    std::thread relay([&] {
        ct::PgEventLog log(m_pg->connectInfo(m_where));
        QString error;
        const bool ok = log.open(&error);
        opened.count_down();
        if (!ok)
            return;
        auto events = batch(2, 1);
        if (log.append(events, &error))
            secondSeq = events[0].seq;
        appended = true;
    });
    // However this test ends, the other writer lets go (closing drops its lock) and the thread ends.
    const auto cleanup = qScopeGuard([&] {
        other.rollback();
        other.close();
        relay.join();
    });
    opened.wait();
    // Our append is blocked on the lock (PostgreSQL says so), and stays blocked.
    QTRY_VERIFY_WITH_TIMEOUT(appended
                                 || m_pg->sql(m_where,
                                              u"DO $$ BEGIN IF (SELECT count(*) FROM pg_locks "
                                              "WHERE locktype = 'advisory' AND NOT granted) = 0 THEN "
                                              "RAISE 'nobody waits'; END IF; END $$"_s),
                             10000);
    QTest::qWait(300);
    const auto early = reader->read(0, 10);
    QVERIFY2(early.isEmpty(),
             qPrintable(u"a reader saw seq %1 while seq 1 was still in flight: resuming after it would skip 1"_s.arg(
                 early.value(0).seq)));
    QCOMPARE(reader->headSeq(), 0);
    QVERIFY2(!appended, "the append went ahead while another writer's transaction was open");

    QVERIFY(other.commit());
    QTRY_VERIFY_WITH_TIMEOUT(appended, 10000);
    QCOMPARE(secondSeq.load(), 2);
    const auto rows = reader->read(0, 10);
    QCOMPARE(seqsOf(rows), QList<qint64>({1, 2}));
    QCOMPARE(rows[0].eventId, u"first"_s);
    QCOMPARE(rows[1].eventId, u"id-2"_s);
}

void TestEventLogContract::hungWriterIsCutOff()
{
    // A relay stopped (SIGSTOP, a hung host) inside its append transaction holds the append lock.
    // With the guards README and packaging/postgresql/circletray-relay.sql set on the role (here on
    // the database), the others' appends fail within lock_timeout (the relay answers 503 and
    // CircleCI retries) instead of hanging, and idle_in_transaction_session_timeout ends the hung
    // session, whose uncommitted insert — never answered 200 — goes with it.
    CT_POSTGRES_ONLY();
    QVERIFY(m_pg->sql(m_where, u"ALTER DATABASE \"%1\" SET lock_timeout = '700ms'"_s.arg(m_where)));
    QVERIFY(m_pg->sql(m_where, u"ALTER DATABASE \"%1\" SET idle_in_transaction_session_timeout = '2s'"_s.arg(m_where)));
    auto log = makeOpen(Backend::Postgres);
    QVERIFY(log);

    const auto removeConnection = qScopeGuard([] { QSqlDatabase::removeDatabase(u"hung-relay"_s); });
    QSqlDatabase hung = QSqlDatabase::addDatabase(u"QPSQL"_s, u"hung-relay"_s);
    hung.setHostName(m_pg->socketDir());
    hung.setDatabaseName(m_where);
    hung.setUserName(PgServer::superuser());
    QVERIFY2(hung.open(), qPrintable(hung.lastError().text()));
    {
        QSqlQuery q(hung);
        QVERIFY(hung.transaction());
        QVERIFY(q.exec(u"SELECT pg_advisory_xact_lock(%1)"_s.arg(ct::PgEventLog::appendLockKey)));
        QVERIFY(q.exec(u"INSERT INTO ct_events (event_id, received_at, event_type, signature, body, stored_by) "
                       "VALUES ('never-answered', now(), 'workflow-completed', 'v1=00', '\\x7b7d', 'hung')"_s));
    } // and then it stops talking, the transaction open

    QElapsedTimer timer;
    timer.start();
    auto events = batch(1, 1);
    QString error;
    QVERIFY2(!log->append(events, &error), "the append went ahead past a writer holding the lock");
    QVERIFY2(timer.elapsed() < 1900, qPrintable(QString::number(timer.elapsed()))); // lock_timeout, not forever
    QVERIFY2(error.contains(u"lock"_s), qPrintable(error));

    // The hung session is ended by the server; appends go on, and its insert is gone.
    QVERIFY(QTest::qWaitFor(
        [&] {
            events = batch(1, 1);
            return log->append(events, &error);
        },
        8000));
    const auto rows = log->read(0, 10);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].eventId, u"id-1"_s);
}

void TestEventLogContract::refusesNewerSchema()
{
    CT_POSTGRES_ONLY();
    {
        auto log = makeOpen(Backend::Postgres);
        QVERIFY(log);
    }
    QVERIFY(m_pg->sql(m_where, u"UPDATE ct_meta SET value = '99' WHERE key = 'schema_version'"_s));
    auto log = make(Backend::Postgres);
    QString error;
    QVERIFY(!log->open(&error));
    QVERIFY2(error.contains(u"99"_s) && error.contains(m_where), qPrintable(error));
}

void TestEventLogContract::reconnectsAfterServerRestart()
{
    // The server restarts (a deploy, a failover): the next calls reconnect. The first may fail
    // (the relay answers 503 and CircleCI retries), none may claim success without storing.
    // Fast: a clean shutdown; immediate: a crash, and recovery from the WAL on start.
    CT_POSTGRES_ONLY();
    auto log = makeOpen(Backend::Postgres);
    QVERIFY(log);
    QString error;
    auto before = batch(1, 1);
    QVERIFY(log->append(before, &error));
    int id = 2;
    for (const auto mode : {PgServer::StopMode::Fast, PgServer::StopMode::Immediate}) {
        QVERIFY2(m_pg->restart(mode, &error), qPrintable(error));
        auto after = batch(id++, 1);
        if (!log->append(after, &error)) {
            QVERIFY(!error.isEmpty());
            QVERIFY2(log->append(after, &error), qPrintable(error));
        }
        QVERIFY(!after[0].duplicate);
        QVERIFY(log->isHealthy());
    }
    const auto rows = log->read(0, 10);
    QCOMPARE(rows.size(), 3); // the committed one survived the crash
    QCOMPARE(rows.first().eventId, u"id-1"_s);
    QCOMPARE(rows.last().eventId, u"id-3"_s);
}

QTEST_GUILESS_MAIN(TestEventLogContract)
#include "tst_eventlogcontract.moc"
