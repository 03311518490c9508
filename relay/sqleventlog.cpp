// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/sqleventlog.h"

#include "relay/relaylogging.h"
#include "relay/walcheckpointer.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include <atomic>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    // Each entry migrates the schema from version i to i + 1.
    const QList<QStringList> migrations = {
        {
            u"CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, received_at INTEGER NOT NULL, "
            "event_type TEXT NOT NULL, signature TEXT NOT NULL, body BLOB NOT NULL)"_s,
            u"CREATE TABLE tokens (name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL, "
            "revoked_at INTEGER)"_s,
        },
        {
            // Dashboard sign-ins (schema 2): the hash of the session id, never the id.
            u"CREATE TABLE sessions (hash BLOB PRIMARY KEY, token_hash BLOB NOT NULL, created_at INTEGER NOT NULL, "
            "last_seen_at INTEGER NOT NULL)"_s,
        },
    };

    QString lastError(const QSqlQuery &q)
    {
        return q.lastError().text();
    }

    qint64 toMs(const QDateTime &t)
    {
        return t.isValid() ? t.toMSecsSinceEpoch() : 0;
    }

    QDateTime fromMs(const QVariant &v)
    {
        return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
    }

    //! Switching a new file to WAL needs it to itself for a moment, and SQLite answers "locked" at
    //! once rather than waiting: try again for a while when another connection opens it too.
    bool execWhileBusy(QSqlQuery &q, const QString &sql)
    {
        QDeadlineTimer deadline(5000);
        while (!q.exec(sql)) {
            if (q.lastError().nativeErrorCode() != u"5" || deadline.hasExpired()) // SQLITE_BUSY
                return false;
            QThread::msleep(10);
        }
        return true;
    }

} // namespace

SqlEventLog::SqlEventLog(const QString &path, Durability durability)
    : m_path(path)
    , m_durability(durability)
    , m_connectionName(u"ct-eventlog-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

SqlEventLog::~SqlEventLog()
{
    close();
}

bool SqlEventLog::open(QString *error)
{
    // Webhook bodies (commit messages, e-mail addresses) and token hashes: owner only. SQLite gives
    // the -wal and -shm files the database file's permissions.
    if (!QFile::exists(m_path)) {
        QFile file(m_path);
        // Created 0600, never for a moment with the umask's permissions.
        const bool created =
            file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        // Lost the race to another process or thread creating it (a relay and `token add` starting together): fine.
        if ((!created && !QFile::exists(m_path))
            || (created && !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))) {
            *error = u"cannot create %1: %2"_s.arg(m_path, file.errorString());
            return false;
        }
    }
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(m_path);
    // Token commands run as separate processes: wait for their short writes rather than fail.
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!m_db.open()) {
        *error = u"cannot open %1: %2"_s.arg(m_path, m_db.lastError().text());
        return false;
    }
    QSqlQuery q(m_db);
    const QStringList pragmas = {
        u"PRAGMA page_size=16384"_s, // ~3 KB rows: fewer overflow pages (only takes effect on a new file)
        u"PRAGMA journal_mode=WAL"_s,
        m_durability == Durability::Full ? u"PRAGMA synchronous=FULL"_s : u"PRAGMA synchronous=NORMAL"_s,
        u"PRAGMA wal_autocheckpoint=0"_s, // WalCheckpointer does it off the event loop
    };
    for (const QString &pragma : pragmas) {
        if (!execWhileBusy(q, pragma)) {
            *error = u"cannot configure %1: %2"_s.arg(m_path, lastError(q));
            return false;
        }
    }
    if (q.exec(u"PRAGMA journal_mode"_s) && q.next() && q.value(0).toString() != u"wal") {
        *error = u"%1: the file system does not support SQLite's WAL mode"_s.arg(m_path);
        return false;
    }
    q.finish();
    if (!migrate(error))
        return false;

    if (!q.exec(u"SELECT key, value FROM meta"_s)) {
        *error = lastError(q);
        return false;
    }
    while (q.next()) {
        if (q.value(0).toString() == u"relay_id")
            m_relayId = q.value(1).toString();
        else if (q.value(0).toString() == u"head_seq")
            m_head = q.value(1).toLongLong();
    }
    // meta.head_seq is written when pruning (so numbers are never reused even if every row goes);
    // appends do not touch it: the newest row says where the log is.
    if (q.exec(u"SELECT MAX(seq) FROM events"_s) && q.next() && !q.value(0).isNull())
        m_head = std::max(m_head, q.value(0).toLongLong());
    q.finish();
    refreshOldest();

    m_checkpointThread = new QThread;
    m_checkpointThread->setObjectName(u"wal-checkpoint"_s);
    m_checkpointer = new WalCheckpointer(m_path);
    m_checkpointer->moveToThread(m_checkpointThread);
    QObject::connect(m_checkpointThread, &QThread::finished, m_checkpointer, &QObject::deleteLater);
    m_checkpointThread->start();
    static std::atomic_bool told = false; // a relay opens several connections (writer, readers): said once
    if (!told.exchange(true))
        qCInfo(lcRelayStore).noquote() << "event log" << m_path << "relay id" << m_relayId << "head" << m_head
                                       << "oldest" << m_oldest;
    return true;
}

void SqlEventLog::close()
{
    if (m_checkpointThread) {
        QMetaObject::invokeMethod(m_checkpointer, &WalCheckpointer::finish, Qt::BlockingQueuedConnection);
        m_checkpointThread->quit();
        m_checkpointThread->wait();
        delete m_checkpointThread;
        m_checkpointThread = nullptr;
        m_checkpointer = nullptr;
    }
    m_insert.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool SqlEventLog::migrate(QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(u"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s)) {
        *error = lastError(q);
        return false;
    }
    for (;;) {
        // IMMEDIATE: the write lock before reading the version, so that of two processes opening a
        // new file at once the second waits and then finds the schema done.
        if (!q.exec(u"BEGIN IMMEDIATE"_s)) {
            *error = lastError(q);
            return false;
        }
        int version = 0;
        if (q.exec(u"SELECT value FROM meta WHERE key = 'schema_version'"_s) && q.next())
            version = q.value(0).toInt();
        q.finish(); // an open SELECT would keep the migration's transaction from committing
        if (version >= schemaVersion) {
            q.exec(u"COMMIT"_s);
            if (version == schemaVersion)
                return true;
            *error = u"%1 has schema version %2; this relay knows up to %3 (downgrade?)"_s.arg(m_path).arg(version).arg(
                schemaVersion);
            return false;
        }
        if (!migrateFrom(version, error))
            return false;
    }
}

bool SqlEventLog::migrateFrom(int v, QString *error)
{
    // Inside migrate()'s BEGIN IMMEDIATE: one version step, committed or rolled back here.
    QSqlQuery q(m_db);
    QStringList statements = migrations.at(v);
    if (v == 0) {
        statements << u"INSERT INTO meta (key, value) VALUES ('relay_id', '%1')"_s.arg(
            QUuid::createUuid().toString(QUuid::WithoutBraces))
                   << u"INSERT INTO meta (key, value) VALUES ('head_seq', '0')"_s
                   << u"INSERT INTO meta (key, value) VALUES ('schema_version', '0')"_s;
    }
    statements << u"UPDATE meta SET value = '%1' WHERE key = 'schema_version'"_s.arg(v + 1) << u"COMMIT"_s;
    for (const QString &sql : std::as_const(statements)) {
        if (!q.exec(sql)) {
            *error = u"migration to schema %1 failed: %2"_s.arg(v + 1).arg(lastError(q));
            q.exec(u"ROLLBACK"_s);
            return false;
        }
    }
    qCInfo(lcRelayStore) << "migrated" << m_path << "to schema version" << v + 1;
    return true;
}

qint64 SqlEventLog::headSeq() const
{
    if (!m_db.isOpen())
        return m_head;
    // Appends raise MAX(seq); pruning keeps meta.head_seq, so a number is never reused.
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT MAX(seq), (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'head_seq') FROM events"_s)
        && q.next()) {
        m_head = std::max({m_head, q.value(0).toLongLong(), q.value(1).toLongLong()});
    }
    return m_head;
}

qint64 SqlEventLog::oldestSeq() const
{
    if (!m_db.isOpen())
        return m_oldest;
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT MIN(seq) FROM events"_s) && q.next())
        m_oldest = q.value(0).isNull() ? headSeq() + 1 : q.value(0).toLongLong();
    return m_oldest;
}

void SqlEventLog::refreshOldest()
{
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT MIN(seq) FROM events"_s) && q.next() && !q.value(0).isNull())
        m_oldest = q.value(0).toLongLong();
    else
        m_oldest = m_head + 1;
}

bool SqlEventLog::append(QList<StoredEvent> &events, QString *error)
{
    if (events.isEmpty())
        return true;
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    if (!m_insert) {
        // Prepared once: preparing per transaction cost as much as binding a row.
        m_insert.emplace(m_db);
        if (!m_insert->prepare(u"INSERT INTO events (seq, event_id, received_at, event_type, signature, body) "
                               "VALUES (?, ?, ?, ?, ?, ?)"_s)) {
            *error = lastError(*m_insert);
            m_insert.reset();
            m_db.rollback();
            return false;
        }
    }
    QSqlQuery &insert = *m_insert;
    qint64 seq = m_head;
    QString failure;
    for (const StoredEvent &e : std::as_const(events)) {
        insert.bindValue(0, ++seq);
        insert.bindValue(1, e.eventId);
        insert.bindValue(2, toMs(e.receivedAt));
        insert.bindValue(3, QString::fromLatin1(e.eventType));
        insert.bindValue(4, QString::fromLatin1(e.signature));
        insert.bindValue(5, e.body);
        if (!insert.exec()) {
            failure = lastError(insert);
            break;
        }
    }
    if (failure.isEmpty() && !m_db.commit())
        failure = m_db.lastError().text();
    if (!failure.isEmpty()) {
        *error = failure;
        m_db.rollback();
        return false;
    }
    seq = m_head;
    for (StoredEvent &e : events)
        e.seq = ++seq;
    if (m_oldest > m_head)
        m_oldest = m_head + 1;
    m_head = seq;
    if (m_checkpointer)
        m_checkpointer->noteWrite();
    return true;
}

QList<StoredEvent> SqlEventLog::read(qint64 afterSeq, int limit, qint64 maxBytes, bool *ok)
{
    QList<StoredEvent> out;
    if (ok)
        *ok = false;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT seq, event_id, received_at, event_type, signature, body FROM events "
              "WHERE seq > ? ORDER BY seq LIMIT ?"_s);
    q.addBindValue(afterSeq);
    q.addBindValue(limit);
    if (!q.exec()) {
        qCWarning(lcRelayStore) << "read failed:" << lastError(q);
        return out;
    }
    qint64 bytes = 0;
    while (bytes < maxBytes && q.next()) {
        out.append({q.value(0).toLongLong(), q.value(1).toString(), fromMs(q.value(2)),
                    q.value(3).toString().toLatin1(), q.value(4).toString().toLatin1(), q.value(5).toByteArray()});
        bytes += out.constLast().body.size();
    }
    if (q.lastError().isValid()) { // the rows stopped coming: not the end of the log
        qCWarning(lcRelayStore) << "read failed:" << lastError(q);
        return {};
    }
    if (ok)
        *ok = true;
    return out;
}

QStringList SqlEventLog::eventIds()
{
    QStringList ids;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (q.exec(u"SELECT event_id FROM events"_s)) {
        while (q.next())
            ids.append(q.value(0).toString());
    }
    return ids;
}

QStringList SqlEventLog::prune(const QDateTime &before, qint64 keepAtMost, int limit)
{
    // Everything up to a cut-off sequence number goes: the newest seq received before `before`,
    // or the one that leaves `keepAtMost` events, whichever is higher — at most `limit` per call,
    // so that a large clean-up never holds the event loop for long.
    qint64 cut = 0;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT MAX(seq) FROM events WHERE received_at < ?"_s);
    q.addBindValue(toMs(before));
    if (q.exec() && q.next() && !q.value(0).isNull())
        cut = q.value(0).toLongLong();
    if (keepAtMost >= 0)
        cut = std::max(cut, m_head - keepAtMost);
    QStringList removed;
    if (cut < m_oldest || limit <= 0)
        return removed;
    q.prepare(u"SELECT seq, event_id FROM events WHERE seq <= ? ORDER BY seq LIMIT ?"_s);
    q.addBindValue(cut);
    q.addBindValue(limit);
    qint64 last = 0;
    if (q.exec()) {
        while (q.next()) {
            last = q.value(0).toLongLong();
            removed.append(q.value(1).toString());
        }
    }
    if (removed.isEmpty())
        return removed;
    m_db.transaction();
    QSqlQuery head(m_db);
    head.exec(u"UPDATE meta SET value = '%1' WHERE key = 'head_seq'"_s.arg(m_head));
    q.prepare(u"DELETE FROM events WHERE seq <= ?"_s);
    q.addBindValue(last);
    if (!q.exec() || !m_db.commit()) {
        qCWarning(lcRelayStore) << "pruning failed:" << lastError(q);
        m_db.rollback();
        return {};
    }
    refreshOldest();
    if (m_checkpointer)
        m_checkpointer->noteWrite();
    return removed;
}

bool SqlEventLog::isHealthy()
{
    QSqlQuery q(m_db);
    return q.exec(u"SELECT 1"_s) && q.next();
}

bool SqlEventLog::addToken(const QString &name, const QByteArray &hash, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT revoked_at FROM tokens WHERE name = ?"_s);
    q.addBindValue(name);
    if (q.exec() && q.next() && q.value(0).isNull()) {
        *error = u"a token named \"%1\" exists; revoke it first"_s.arg(name);
        return false;
    }
    q.prepare(u"INSERT OR REPLACE INTO tokens (name, hash, created_at, revoked_at) VALUES (?, ?, ?, NULL)"_s);
    q.addBindValue(name);
    q.addBindValue(hash);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec()) {
        *error = lastError(q);
        return false;
    }
    return true;
}

bool SqlEventLog::revokeToken(const QString &name)
{
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"_s);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(name);
    return q.exec() && q.numRowsAffected() == 1;
}

QList<TokenInfo> SqlEventLog::tokens()
{
    QList<TokenInfo> out;
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT name, hash, created_at, revoked_at FROM tokens ORDER BY name"_s)) {
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toByteArray(), fromMs(q.value(2)), fromMs(q.value(3))});
    }
    return out;
}

std::optional<QString> SqlEventLog::tokenName(const QByteArray &hash)
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT name FROM tokens WHERE hash = ? AND revoked_at IS NULL"_s);
    q.addBindValue(hash);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return std::nullopt;
}

bool SqlEventLog::addSession(const WebSession &session, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO sessions (hash, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?)"_s);
    q.addBindValue(session.hash);
    q.addBindValue(session.tokenHash);
    q.addBindValue(toMs(session.createdAt));
    q.addBindValue(toMs(session.lastSeenAt));
    if (!q.exec()) {
        *error = lastError(q);
        return false;
    }
    return true;
}

std::optional<WebSession> SqlEventLog::session(const QByteArray &hash)
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT s.token_hash, s.created_at, s.last_seen_at FROM sessions s "
              "JOIN tokens t ON t.hash = s.token_hash AND t.revoked_at IS NULL WHERE s.hash = ?"_s);
    q.addBindValue(hash);
    if (q.exec() && q.next())
        return WebSession {hash, q.value(0).toByteArray(), fromMs(q.value(1)), fromMs(q.value(2))};
    return std::nullopt;
}

void SqlEventLog::touchSession(const QByteArray &hash, const QDateTime &at)
{
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE sessions SET last_seen_at = ? WHERE hash = ?"_s);
    q.addBindValue(toMs(at));
    q.addBindValue(hash);
    if (!q.exec())
        qCWarning(lcRelayStore) << "cannot record session activity:" << lastError(q);
}

void SqlEventLog::removeSession(const QByteArray &hash)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM sessions WHERE hash = ?"_s);
    q.addBindValue(hash);
    if (!q.exec())
        qCWarning(lcRelayStore) << "cannot remove a session:" << lastError(q);
}

int SqlEventLog::pruneSessions(const QDateTime &idleBefore, const QDateTime &createdBefore)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ? OR token_hash NOT IN "
              "(SELECT hash FROM tokens WHERE revoked_at IS NULL)"_s);
    q.addBindValue(toMs(idleBefore));
    q.addBindValue(toMs(createdBefore));
    if (!q.exec()) {
        qCWarning(lcRelayStore) << "cannot remove expired sessions:" << lastError(q);
        return 0;
    }
    return q.numRowsAffected();
}

} // namespace ct
