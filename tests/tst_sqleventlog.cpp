// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/sqleventlog.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QList<ct::StoredEvent> batch(int from, int count, const QDateTime &at = QDateTime::currentDateTimeUtc())
{
    QList<ct::StoredEvent> out;
    for (int i = from; i < from + count; ++i)
        out.append(
            {0, u"id-%1"_s.arg(i), at, "workflow-completed"_ba, "v1=00"_ba, "{\"n\":" + QByteArray::number(i) + '}'});
    return out;
}

} // namespace

class TestSqlEventLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsAndMigrates();
    void appendAndRead();
    void sequenceSurvivesPruneAndReopen();
    void pruneByAgeAndCount();
    void tokens();
    void sessions();
    void migratesSchema1();
    void refusesNewerSchema();
    void walIsCheckpointedWhileWriting();

private:
    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
};

void TestSqlEventLog::createsAndMigrates()
{
    ct::SqlEventLog log(path("new.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    QVERIFY(!log.relayId().isEmpty());
    QCOMPARE(log.headSeq(), 0);
    QCOMPARE(log.oldestSeq(), 1);
    QVERIFY(log.isHealthy());
    QCOMPARE(QFile(path("new.sqlite")).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner); // nobody else may read webhook bodies
    const QString id = log.relayId();
    log.close();
    ct::SqlEventLog again(path("new.sqlite"), ct::Durability::Full);
    QVERIFY2(again.open(&error), qPrintable(error));
    QCOMPARE(again.relayId(), id);
}

void TestSqlEventLog::appendAndRead()
{
    ct::SqlEventLog log(path("rw.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY(log.open(&error));
    auto events = batch(1, 3);
    events[1].body = QByteArray("\x00\xff binary-safe", 14);
    QVERIFY2(log.append(events, &error), qPrintable(error));
    QCOMPARE(events[0].seq, 1);
    QCOMPARE(events[2].seq, 3);
    QCOMPARE(log.headSeq(), 3);
    const auto read = log.read(1, 10);
    QCOMPARE(read.size(), 2);
    QCOMPARE(read[0].seq, 2);
    QCOMPARE(read[0].body, events[1].body);
    QCOMPARE(read[0].eventId, u"id-2"_s);
    QCOMPARE(read[0].signature, "v1=00"_ba);
    QCOMPARE(read[0].receivedAt.toMSecsSinceEpoch(), events[1].receivedAt.toMSecsSinceEpoch());
    QCOMPARE(log.read(0, 2).size(), 2);
    QCOMPARE(log.read(3, 10).size(), 0);
    QCOMPARE(log.eventIds().size(), 3);
}

void TestSqlEventLog::sequenceSurvivesPruneAndReopen()
{
    QString error;
    {
        ct::SqlEventLog log(path("seq.sqlite"), ct::Durability::Normal);
        QVERIFY(log.open(&error));
        auto events = batch(1, 5);
        QVERIFY(log.append(events, &error));
        QCOMPARE(log.prune(QDateTime::currentDateTimeUtc().addDays(1), 1000, 100).size(), 5); // all gone
        QCOMPARE(log.oldestSeq(), 6);
        QCOMPARE(log.headSeq(), 5);
    }
    ct::SqlEventLog log(path("seq.sqlite"), ct::Durability::Normal);
    QVERIFY(log.open(&error));
    QCOMPARE(log.headSeq(), 5); // kept in meta, not derived from MAX(seq)
    auto more = batch(6, 1);
    QVERIFY(log.append(more, &error));
    QCOMPARE(more.first().seq, 6); // never reused
    QCOMPARE(log.oldestSeq(), 6);
}

void TestSqlEventLog::pruneByAgeAndCount()
{
    ct::SqlEventLog log(path("prune.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY(log.open(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto old = batch(1, 3, now.addDays(-40));
    auto recent = batch(4, 5, now);
    QVERIFY(log.append(old, &error));
    QVERIFY(log.append(recent, &error));
    QCOMPARE(log.prune(now.addDays(-30), 100, 100), QStringList({u"id-1"_s, u"id-2"_s, u"id-3"_s}));
    QCOMPARE(log.oldestSeq(), 4);
    // In slices: two, then the rest.
    QCOMPARE(log.prune(now.addDays(-30), 2, 2), QStringList({u"id-4"_s, u"id-5"_s}));
    QCOMPARE(log.oldestSeq(), 6);
    QCOMPARE(log.prune(now.addDays(-30), 2, 2), QStringList({u"id-6"_s}));
    QCOMPARE(log.oldestSeq(), 7);
    QVERIFY(log.prune(now.addDays(-30), 2, 2).isEmpty());
}

void TestSqlEventLog::tokens()
{
    ct::SqlEventLog log(path("tokens.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY(log.open(&error));
    QVERIFY(log.addToken(u"laptop"_s, "hash-1"_ba, &error));
    QVERIFY(!log.addToken(u"laptop"_s, "hash-2"_ba, &error)); // exists
    QVERIFY(error.contains(u"revoke"_s));
    QCOMPARE(log.tokenName("hash-1"_ba), u"laptop"_s);
    QVERIFY(!log.tokenName("hash-2"_ba));
    QVERIFY(log.revokeToken(u"laptop"_s));
    QVERIFY(!log.revokeToken(u"laptop"_s));
    QVERIFY(!log.tokenName("hash-1"_ba));
    QVERIFY(log.tokens().first().revokedAt.isValid());
    QVERIFY(log.addToken(u"laptop"_s, "hash-3"_ba, &error)); // a revoked name can be issued again
    QCOMPARE(log.tokenName("hash-3"_ba), u"laptop"_s);
    QVERIFY(!log.tokenName("hash-1"_ba));
}

void TestSqlEventLog::sessions()
{
    ct::SqlEventLog log(path("sessions.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY(log.open(&error));
    QVERIFY(log.addToken(u"wall"_s, "token-1"_ba, &error));
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QVERIFY(log.addSession({"s-old"_ba, "token-1"_ba, t0.addDays(-40), t0}, &error));
    QVERIFY(log.addSession({"s-idle"_ba, "token-1"_ba, t0, t0.addDays(-8)}, &error));
    QVERIFY(log.addSession({"s-live"_ba, "token-1"_ba, t0, t0}, &error));
    QVERIFY(!log.addSession({"s-live"_ba, "token-1"_ba, t0, t0}, &error)); // a hash is one session
    const auto live = log.session("s-live"_ba);
    QVERIFY(live);
    QCOMPARE(live->tokenHash, "token-1"_ba);
    QCOMPARE(live->createdAt, t0);
    log.touchSession("s-live"_ba, t0.addSecs(60));
    QCOMPARE(log.session("s-live"_ba)->lastSeenAt, t0.addSecs(60));
    QVERIFY(!log.session("s-unknown"_ba));
    // Idle over 7 days or older than 30: gone.
    QCOMPARE(log.pruneSessions(t0.addDays(-7), t0.addDays(-30)), 2);
    QVERIFY(log.session("s-live"_ba));
    QVERIFY(!log.session("s-idle"_ba));
    // Revoking the token ends its sessions at once, and pruning removes them.
    QVERIFY(log.revokeToken(u"wall"_s));
    QVERIFY(!log.session("s-live"_ba));
    QVERIFY(log.addToken(u"wall"_s, "token-2"_ba, &error)); // the same name again: not the same sessions
    QVERIFY(!log.session("s-live"_ba));
    QCOMPARE(log.pruneSessions(t0.addDays(-7), t0.addDays(-30)), 1);
    QVERIFY(log.addSession({"s-2"_ba, "token-2"_ba, t0, t0}, &error));
    log.removeSession("s-2"_ba);
    QVERIFY(!log.session("s-2"_ba));
}

void TestSqlEventLog::migratesSchema1()
{
    // A relay from before the dashboard: schema 1, events and tokens kept, sessions added.
    const QString file = path("schema1.sqlite");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"schema1"_s);
        db.setDatabaseName(file);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const QString &sql :
             {u"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s,
              u"INSERT INTO meta VALUES ('relay_id', 'old-relay'), ('head_seq', '0'), ('schema_version', '1')"_s,
              u"CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, received_at INTEGER NOT NULL, "
              "event_type TEXT NOT NULL, signature TEXT NOT NULL, body BLOB NOT NULL)"_s,
              u"CREATE TABLE tokens (name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL, "
              "revoked_at INTEGER)"_s,
              u"INSERT INTO events VALUES (7, 'e7', 1, 'workflow-completed', 'v1=00', '{}')"_s,
              u"INSERT INTO tokens VALUES ('laptop', X'01', 1, NULL)"_s})
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"schema1"_s);
    ct::SqlEventLog log(file, ct::Durability::Normal);
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    QCOMPARE(log.relayId(), u"old-relay"_s);
    QCOMPARE(log.headSeq(), 7);
    QCOMPARE(log.tokenName(QByteArray(1, '\x01')), u"laptop"_s);
    QVERIFY(log.addSession({"s"_ba, QByteArray(1, '\x01'), QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()},
                           &error));
    QVERIFY(log.session("s"_ba));
}

void TestSqlEventLog::refusesNewerSchema()
{
    QString error;
    {
        ct::SqlEventLog log(path("future.sqlite"), ct::Durability::Normal);
        QVERIFY(log.open(&error));
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"edit"_s);
        db.setDatabaseName(path("future.sqlite"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"UPDATE meta SET value = '99' WHERE key = 'schema_version'"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"edit"_s);
    ct::SqlEventLog log(path("future.sqlite"), ct::Durability::Normal);
    QVERIFY(!log.open(&error));
    QVERIFY2(error.contains(u"99"_s), qPrintable(error));
}

void TestSqlEventLog::walIsCheckpointedWhileWriting()
{
    // Automatic checkpoints are off (they would stall the event loop); the checkpointer thread must
    // keep the WAL from growing with everything ever written.
    ct::SqlEventLog log(path("wal.sqlite"), ct::Durability::Normal);
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    const QByteArray body(2500, 'x');
    qint64 written = 0;
    qint64 largestWal = 0;
    // 8 s of writing: the WAL must level off at what a checkpoint interval or two brings (a slow,
    // loaded machine or ASan may delay one checkpoint), far below all that was written.
    for (int round = 0; round < 80; ++round) {
        QList<ct::StoredEvent> events = batch(round * 100, 100);
        for (ct::StoredEvent &e : events)
            e.body = body;
        QVERIFY2(log.append(events, &error), qPrintable(error));
        written += 100 * body.size();
        QTest::qWait(100); // checkpoints are due once a second
        largestWal = std::max(largestWal, QFileInfo(path("wal.sqlite") + u"-wal"_s).size());
    }
    QCOMPARE(log.headSeq(), 8000);
    QVERIFY2(largestWal < written / 2,
             qPrintable(u"WAL reached %1 bytes after %2 bytes written"_s.arg(largestWal).arg(written)));
    log.close(); // the last checkpoint truncates it
    QCOMPARE(QFileInfo(path("wal.sqlite") + u"-wal"_s).size(), 0);
}

QTEST_GUILESS_MAIN(TestSqlEventLog)
#include "tst_sqleventlog.moc"
