// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/pgeventlog.h"

#include "relay/relaylogging.h"

#include <QHash>
#include <QSet>
#include <QSqlError>
#include <QSysInfo>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <utility>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    constexpr qint64 reconnectIntervalMs = 2000; // while the server is away: one attempt per interval

    // Each entry migrates the schema from version i to i + 1; ct_meta exists before the first.
    const QList<QStringList> migrations = {
        {
            // seq: drawn at INSERT from the identity's sequence, after the append lock (see append()).
            u"CREATE TABLE ct_events (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "event_id text NOT NULL UNIQUE, received_at timestamptz NOT NULL, event_type text NOT NULL, "
            "signature text NOT NULL, body bytea NOT NULL, stored_by text NOT NULL)"_s,
            u"CREATE INDEX ct_events_received_at ON ct_events (received_at)"_s,
            u"CREATE TABLE ct_tokens (name text PRIMARY KEY, hash bytea NOT NULL UNIQUE, "
            "created_at timestamptz NOT NULL, revoked_at timestamptz)"_s,
            // Dashboard sign-ins: the hash of the session id, never the id.
            u"CREATE TABLE ct_sessions (hash bytea PRIMARY KEY, token_hash bytea NOT NULL, "
            "created_at timestamptz NOT NULL, last_seen_at timestamptz NOT NULL)"_s,
        },
    };

    // Times cross the driver as milliseconds since the epoch, converted by PostgreSQL exactly, so
    // neither the driver's nor the session's time zone handling can shift them.
    QString fromMsSql(const char *placeholder = "?")
    {
        return u"(timestamptz 'epoch' + CAST(%1 AS bigint) * interval '1 millisecond')"_s.arg(
            QLatin1StringView(placeholder));
    }

    QString msSql(const char *column)
    {
        return u"CAST(EXTRACT(EPOCH FROM %1) * 1000 AS bigint)"_s.arg(QLatin1StringView(column));
    }

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

    // What an INSERT of PgEventLog::maxInsertRows events binds: stored_by, then five per event.
    static_assert(1 + 5 * PgEventLog::maxInsertRows <= 65535, "PostgreSQL's limit on parameters");

    QString lockSql(const char *function, qint64 key)
    {
        return u"SELECT %1(%2)"_s.arg(QLatin1StringView(function)).arg(key);
    }

} // namespace

PgEventLog::PgEventLog(const PgConnectInfo &connection)
    : m_connection(connection)
    , m_connectionName(u"ct-pgeventlog-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_node(QSysInfo::machineHostName())
{ }

PgEventLog::~PgEventLog()
{
    close();
}

bool PgEventLog::open(QString *error)
{
    if (!connect(error) || !migrate(error) || !loadMeta(error)) {
        close();
        return false;
    }
    static std::atomic_bool told = false; // a relay opens several connections (writer, readers): said once
    if (!told.exchange(true))
        qCInfo(lcRelayStore).noquote() << "event log" << m_connection.describe() << "relay id" << m_relayId << "head"
                                       << headSeq() << "oldest" << oldestSeq();
    return true;
}

void PgEventLog::close()
{
    m_inserts.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool PgEventLog::connect(QString *error)
{
    QString failure;
    m_db = m_connection.open(m_connectionName, u"circletray-relay"_s, &failure);
    if (!m_db.isValid()) {
        *error = failure;
        return false;
    }
    if (!m_db.isOpen()) {
        // libpq's message names the host and the reason, never the password.
        *error = u"cannot connect to PostgreSQL at %1: %2"_s.arg(m_connection.describe(), failure);
        return false;
    }
    QSqlQuery q(m_db);
    // "200 only after commit": the commit must be flushed before we answer. off would let a
    // crash erase an event already pushed to clients, and its seq be given again.
    if (q.exec(u"SHOW synchronous_commit"_s) && q.next() && q.value(0).toString() == u"off") {
        qCWarning(lcRelayStore) << "synchronous_commit is off for this role or database; the relay turns it on";
        if (!q.exec(u"SET synchronous_commit TO on"_s)) {
            *error = u"cannot turn synchronous_commit on: %1"_s.arg(lastError(q));
            return false;
        }
    }
    // The guards that cut off a relay hung inside a transaction (it holds the append lock), so the
    // other relays go on: the role's or database's settings when it has them (the example
    // configuration sets them), the example's values when it has none (0: wait for ever).
    static std::atomic_bool toldOnce = false;
    for (const auto &[setting, fallback] :
         {std::pair {"idle_in_transaction_session_timeout", "10s"}, std::pair {"lock_timeout", "5s"}}) {
        if (!q.exec(u"SHOW %1"_s.arg(QLatin1StringView(setting))) || !q.next() || q.value(0).toString() != u"0")
            continue;
        if (!q.exec(u"SET %1 = '%2'"_s.arg(QLatin1StringView(setting), QLatin1StringView(fallback)))) {
            *error = u"cannot set %1: %2"_s.arg(QLatin1StringView(setting), lastError(q));
            return false;
        }
        if (!toldOnce.exchange(true))
            qCWarning(lcRelayStore).noquote() << setting << "is not set for this role or database; the relay uses"
                                              << fallback << "(see packaging/postgresql/circletray-relay.sql)";
    }
    return true;
}

bool PgEventLog::ensureConnected(QString *error)
{
    if (m_db.isValid() && m_db.isOpen() && !m_suspect)
        return true;
    // The server restarted or the connection broke. Qt reports that only as "not open", and only
    // once libpq has noticed (after an immediate shutdown, a query or two later): after a failed
    // write, start afresh rather than find out with the next event's transaction.
    // While the server is away, one attempt per interval: every caller in between is told at once,
    // instead of each waiting out its own connect (up to connect_timeout when a host is gone).
    if (m_failedConnect.isValid() && !m_failedConnect.hasExpired(reconnectIntervalMs)) {
        *error = u"PostgreSQL at %1 is unreachable; trying again every %2 s"_s.arg(m_connection.describe())
                     .arg(reconnectIntervalMs / 1000);
        return false;
    }
    qCWarning(lcRelayStore).noquote() << "reconnecting to" << m_connection.describe();
    m_suspect = false;
    m_inserts.clear();
    m_db.close();
    if (connect(error)) {
        m_failedConnect.invalidate();
        return true;
    }
    m_failedConnect.start();
    return false;
}

bool PgEventLog::rollback(QString *error, const QString &failure)
{
    *error = failure;
    m_db.rollback();
    m_suspect = true;
    return false;
}

bool PgEventLog::migrate(QString *error)
{
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    QSqlQuery q(m_db);
    // Relays starting together wait here for each other; the second finds the schema done. However
    // long a migration takes (lock_timeout is for appends; a hung session is cut off all the same).
    if (!q.exec(u"SET LOCAL lock_timeout = 0"_s) || !q.exec(lockSql("pg_advisory_xact_lock", schemaLockKey))
        || !q.exec(u"SELECT to_regclass('ct_meta') IS NULL"_s) || !q.next()) {
        return rollback(error, u"cannot read the schema version: %1"_s.arg(lastError(q)));
    }
    if (q.value(0).toBool() && !q.exec(u"CREATE TABLE ct_meta (key text PRIMARY KEY, value text NOT NULL)"_s))
        return rollback(error, u"cannot create the schema: %1"_s.arg(lastError(q)));
    if (!q.exec(u"SELECT value FROM ct_meta WHERE key = 'schema_version'"_s))
        return rollback(error, u"cannot read the schema version: %1"_s.arg(lastError(q)));
    const int version = q.next() ? q.value(0).toInt() : 0;
    if (version > schemaVersion) {
        return rollback(
            error,
            u"%1 has schema version %2; this relay knows up to %3 (downgrade?)"_s.arg(m_connection.describe())
                .arg(version)
                .arg(schemaVersion));
    }
    for (int v = version; v < schemaVersion; ++v) {
        QStringList statements = migrations.at(v);
        if (v == 0) {
            statements << u"INSERT INTO ct_meta (key, value) VALUES ('relay_id', '%1')"_s.arg(
                QUuid::createUuid().toString(QUuid::WithoutBraces))
                       << u"INSERT INTO ct_meta (key, value) VALUES ('head_seq', '0')"_s
                       << u"INSERT INTO ct_meta (key, value) VALUES ('schema_version', '0')"_s;
        }
        statements << u"UPDATE ct_meta SET value = '%1' WHERE key = 'schema_version'"_s.arg(v + 1);
        for (const QString &sql : std::as_const(statements)) {
            if (!q.exec(sql))
                return rollback(error, u"migration to schema %1 failed: %2"_s.arg(v + 1).arg(lastError(q)));
        }
    }
    if (!m_db.commit()) {
        *error = m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    if (version < schemaVersion)
        qCInfo(lcRelayStore).noquote() << "migrated" << m_connection.describe() << "to schema version" << schemaVersion;
    return true;
}

bool PgEventLog::loadMeta(QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(u"SELECT value FROM ct_meta WHERE key = 'relay_id'"_s) || !q.next()) {
        *error = u"cannot read the relay id: %1"_s.arg(lastError(q));
        return false;
    }
    m_relayId = q.value(0).toString();
    return true;
}

qint64 PgEventLog::headSeq() const
{
    // ct_meta.head_seq is raised when pruning, so numbers are never given twice even if every row
    // goes; otherwise the newest visible row says where the log is (never an uncommitted one).
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT GREATEST((SELECT MAX(seq) FROM ct_events), "
               "(SELECT CAST(value AS bigint) FROM ct_meta WHERE key = 'head_seq'))"_s)
        && q.next()) {
        m_lastHead = q.value(0).toLongLong();
    } else {
        qCWarning(lcRelayStore) << "cannot read the head sequence number:" << lastError(q);
    }
    return m_lastHead;
}

qint64 PgEventLog::oldestSeq() const
{
    QSqlQuery q(m_db);
    if (q.exec(u"SELECT MIN(seq) FROM ct_events"_s) && q.next() && !q.value(0).isNull())
        return q.value(0).toLongLong();
    return headSeq() + 1;
}

QSqlQuery *PgEventLog::insertStatement(int rows, QString *error)
{
    if (const auto it = m_inserts.find(rows); it != m_inserts.end())
        return &it->second;
    // One statement for `rows` events: the first placeholder is stored_by, then five per event.
    // Unused rows are all NULL and filtered out before the insert, so a batch is padded up to the
    // next power of two and a connection prepares at most a dozen statements, whatever the batch
    // sizes. The rows' sequence numbers (the identity's default) are drawn as the VALUES are
    // scanned, in the batch's order, and only for the rows that pass the filter.
    QString values;
    values.reserve(rows * 20 + 128);
    values += u"(CAST(? AS text), CAST(? AS bigint), CAST(? AS text), CAST(? AS text), CAST(? AS bytea))"_s;
    for (int i = 1; i < rows; ++i)
        values += u", (?, ?, ?, ?, ?)"_s;
    // stored_by's placeholder comes first in the text, so it is bound first. WHERE also keeps
    // ON CONFLICT from being read as part of the FROM clause.
    const QString sql =
        u"INSERT INTO ct_events (event_id, received_at, event_type, signature, body, stored_by) "
        "SELECT v.event_id, %1, v.event_type, v.signature, v.body, CAST(? AS text) FROM (VALUES %2) "
        "AS v (event_id, received_ms, event_type, signature, body) WHERE v.event_id IS NOT NULL "
        "ON CONFLICT (event_id) DO NOTHING RETURNING seq, event_id"_s.arg(fromMsSql("v.received_ms"), values);
    QSqlQuery q(m_db);
    // Prepared outside any transaction, once per connection and row count.
    if (!q.prepare(sql)) {
        *error = lastError(q);
        return nullptr;
    }
    return &m_inserts.emplace(rows, std::move(q)).first->second;
}

bool PgEventLog::append(QList<StoredEvent> &events, QString *error)
{
    if (events.isEmpty())
        return true;
    if (!ensureConnected(error))
        return false;
    // An id seen earlier in the batch is a duplicate whatever the database holds: only its first
    // occurrence goes to the database (ON CONFLICT finds the ones other appends stored).
    QList<qsizetype> fresh; // indexes into events of each id's first occurrence, in order
    fresh.reserve(events.size());
    {
        QSet<QString> seen;
        seen.reserve(events.size());
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (!seen.contains(events[i].eventId)) {
                seen.insert(events[i].eventId);
                fresh.append(i);
            }
        }
    }
    // Chunks of at most maxInsertRows events and about maxInsertBytes of bodies (at least one event
    // each), prepared before the transaction so a PREPARE never runs under the append lock.
    struct Chunk
    {
        qsizetype from = 0;
        qsizetype count = 0;
        int rows = 1; //!< count rounded up to a power of two: the statement used
    };
    QList<Chunk> chunks;
    for (qsizetype i = 0; i < fresh.size();) {
        Chunk c {i, 0, 1};
        qint64 bytes = 0;
        while (i < fresh.size() && c.count < maxInsertRows
               && (c.count == 0 || bytes + events[fresh[i]].body.size() <= maxInsertBytes)) {
            bytes += events[fresh[i]].body.size();
            ++c.count;
            ++i;
        }
        while (c.rows < c.count)
            c.rows *= 2;
        if (!insertStatement(c.rows, error))
            return false;
        chunks.append(c);
    }
    if (!m_db.transaction())
        return rollback(error, m_db.lastError().text());
    QSqlQuery lock(m_db);
    // Before any sequence number is drawn: whoever holds this lock commits before the next
    // writer draws, so a reader never sees seq N while a lower one is still in flight.
    if (!lock.exec(lockSql("pg_advisory_xact_lock", appendLockKey)))
        return rollback(error, lastError(lock));
    lock.finish();
    QHash<QString, qint64> stored; // event id → seq, for the events that were new
    stored.reserve(fresh.size());
    for (const Chunk &c : std::as_const(chunks)) {
        QSqlQuery &insert = *insertStatement(c.rows, error);
        insert.bindValue(0, m_node);
        for (int r = 0; r < c.rows; ++r) {
            const int at = 1 + 5 * r;
            if (r < c.count) {
                const StoredEvent &e = events[fresh[c.from + r]];
                insert.bindValue(at, e.eventId);
                insert.bindValue(at + 1, toMs(e.receivedAt));
                insert.bindValue(at + 2, QString::fromLatin1(e.eventType));
                insert.bindValue(at + 3, QString::fromLatin1(e.signature));
                insert.bindValue(at + 4, e.body);
            } else {
                for (int k = 0; k < 5; ++k)
                    insert.bindValue(at + k, QVariant()); // padding: NULL, filtered out
            }
        }
        if (!insert.exec())
            return rollback(error, lastError(insert));
        while (insert.next())
            stored.insert(insert.value(1).toString(), insert.value(0).toLongLong());
        insert.finish();
    }
    // Wakes the other relays' tailers when this commits (a listener never sees it before then).
    qint64 newest = 0;
    for (const qint64 seq : std::as_const(stored))
        newest = std::max(newest, seq);
    if (newest > 0) {
        QSqlQuery notify(m_db);
        if (!notify.exec(u"SELECT pg_notify('%1', '%2')"_s.arg(QLatin1StringView(notifyChannel)).arg(newest)))
            return rollback(error, lastError(notify));
        notify.finish();
    }
    if (!m_db.commit()) {
        // The outcome may be unknown (connection lost during COMMIT): the caller answers 503 and the
        // retry finds the row, if it was stored, as a duplicate.
        return rollback(error, m_db.lastError().text());
    }
    qint64 previous = 0;
    bool inOrder = true;
    for (StoredEvent &e : events) {
        // Only an id's first occurrence can have been stored: take its seq once.
        e.seq = stored.take(e.eventId);
        e.duplicate = e.seq == 0;
        if (e.seq != 0) {
            inOrder = inOrder && e.seq > previous;
            previous = e.seq;
        }
    }
    if (!inOrder)
        qCWarning(lcRelayStore) << "PostgreSQL drew this batch's sequence numbers out of order";
    return true;
}

QList<StoredEvent> PgEventLog::read(qint64 afterSeq, int limit, qint64 maxBytes, bool *ok)
{
    QList<StoredEvent> out;
    if (ok)
        *ok = false;
    QString error;
    if (!ensureConnected(&error)) {
        qCWarning(lcRelayStore).noquote() << "read failed:" << error;
        return out;
    }
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT seq, event_id, %1, event_type, signature, body FROM ct_events "
              "WHERE seq > ? ORDER BY seq LIMIT ?"_s.arg(msSql("received_at")));
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

QStringList PgEventLog::eventIds()
{
    QStringList ids;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (q.exec(u"SELECT event_id FROM ct_events"_s)) {
        while (q.next())
            ids.append(q.value(0).toString());
    } else {
        qCWarning(lcRelayStore) << "cannot list event ids:" << lastError(q);
    }
    return ids;
}

QStringList PgEventLog::prune(const QDateTime &before, qint64 keepAtMost, int limit)
{
    // Everything up to a cut-off sequence number goes: the newest seq received before `before`, or
    // the newest beyond the `keepAtMost` newest events (numbers have gaps here: duplicates burn
    // them), whichever is higher — at most `limit` per call, one relay at a time.
    QString error;
    if (limit <= 0 || !ensureConnected(&error) || !m_db.transaction())
        return {};
    QSqlQuery q(m_db);
    if (!q.exec(lockSql("pg_try_advisory_xact_lock", pruneLockKey)) || !q.next() || !q.value(0).toBool()) {
        m_db.rollback(); // another relay is pruning: it does the whole job
        return {};
    }
    qint64 cut = 0;
    q.prepare(u"SELECT MAX(seq) FROM ct_events WHERE received_at < %1"_s.arg(fromMsSql()));
    q.addBindValue(toMs(before));
    if (q.exec() && q.next())
        cut = q.value(0).toLongLong();
    if (keepAtMost >= 0) {
        q.prepare(u"SELECT seq FROM ct_events ORDER BY seq DESC OFFSET CAST(? AS bigint) LIMIT 1"_s);
        q.addBindValue(keepAtMost);
        if (q.exec() && q.next())
            cut = std::max(cut, q.value(0).toLongLong());
    }
    QList<QPair<qint64, QString>> removed;
    if (cut > 0) {
        q.prepare(u"DELETE FROM ct_events WHERE seq IN (SELECT seq FROM ct_events WHERE seq <= ? ORDER BY seq "
                  "LIMIT ?) RETURNING seq, event_id"_s);
        q.addBindValue(cut);
        q.addBindValue(limit);
        if (!q.exec()) {
            qCWarning(lcRelayStore) << "pruning failed:" << lastError(q);
            m_db.rollback();
            return {};
        }
        while (q.next())
            removed.append({q.value(0).toLongLong(), q.value(1).toString()});
    }
    if (removed.isEmpty()) {
        m_db.rollback();
        return {};
    }
    std::sort(removed.begin(), removed.end());
    q.prepare(u"UPDATE ct_meta SET value = CAST(GREATEST(CAST(value AS bigint), ?) AS text) WHERE key = 'head_seq'"_s);
    q.addBindValue(removed.constLast().first);
    if (!q.exec() || !m_db.commit()) {
        qCWarning(lcRelayStore) << "pruning failed:" << lastError(q) << m_db.lastError().text();
        m_db.rollback();
        return {};
    }
    QStringList ids;
    ids.reserve(removed.size());
    for (const auto &r : std::as_const(removed))
        ids.append(r.second);
    return ids;
}

bool PgEventLog::isHealthy()
{
    QString error;
    if (!ensureConnected(&error))
        return false;
    QSqlQuery q(m_db);
    return q.exec(u"SELECT 1"_s) && q.next();
}

bool PgEventLog::addToken(const QString &name, const QByteArray &hash, QString *error)
{
    if (!ensureConnected(error))
        return false;
    QSqlQuery q(m_db);
    // One statement, so two `token add` at once cannot both win: a revoked name is issued again,
    // a valid one is left alone (no row affected).
    q.prepare(u"INSERT INTO ct_tokens (name, hash, created_at, revoked_at) VALUES (?, ?, %1, NULL) "
              "ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, created_at = EXCLUDED.created_at, "
              "revoked_at = NULL WHERE ct_tokens.revoked_at IS NOT NULL"_s.arg(fromMsSql()));
    q.addBindValue(name);
    q.addBindValue(hash);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec()) {
        *error = lastError(q);
        return false;
    }
    if (q.numRowsAffected() != 1) {
        *error = u"a token named \"%1\" exists; revoke it first"_s.arg(name);
        return false;
    }
    return true;
}

bool PgEventLog::revokeToken(const QString &name)
{
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE ct_tokens SET revoked_at = %1 WHERE name = ? AND revoked_at IS NULL"_s.arg(fromMsSql()));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(name);
    return q.exec() && q.numRowsAffected() == 1;
}

QList<TokenInfo> PgEventLog::tokens()
{
    QList<TokenInfo> out;
    QSqlQuery q(m_db);
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    if (q.exec(u"SELECT name, hash, %1, %2 FROM ct_tokens ORDER BY name COLLATE \"C\""_s.arg(msSql("created_at"),
                                                                                             msSql("revoked_at")))) {
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toByteArray(), fromMs(q.value(2)), fromMs(q.value(3))});
    } else {
        qCWarning(lcRelayStore) << "cannot list tokens:" << lastError(q);
    }
    return out;
}

std::optional<QString> PgEventLog::tokenName(const QByteArray &hash)
{
    QString error;
    if (!ensureConnected(&error))
        return std::nullopt;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT name FROM ct_tokens WHERE hash = ? AND revoked_at IS NULL"_s);
    q.addBindValue(hash);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return std::nullopt;
}

bool PgEventLog::addSession(const WebSession &session, QString *error)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT INTO ct_sessions (hash, token_hash, created_at, last_seen_at) VALUES (?, ?, %1, %2)"_s.arg(
        fromMsSql(), fromMsSql()));
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

std::optional<WebSession> PgEventLog::session(const QByteArray &hash)
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT s.token_hash, %1, %2 FROM ct_sessions s "
              "JOIN ct_tokens t ON t.hash = s.token_hash AND t.revoked_at IS NULL WHERE s.hash = ?"_s.arg(
                  msSql("s.created_at"), msSql("s.last_seen_at")));
    q.addBindValue(hash);
    if (q.exec() && q.next())
        return WebSession {hash, q.value(0).toByteArray(), fromMs(q.value(1)), fromMs(q.value(2))};
    return std::nullopt;
}

void PgEventLog::touchSession(const QByteArray &hash, const QDateTime &at)
{
    QSqlQuery q(m_db);
    q.prepare(u"UPDATE ct_sessions SET last_seen_at = %1 WHERE hash = ?"_s.arg(fromMsSql()));
    q.addBindValue(toMs(at));
    q.addBindValue(hash);
    if (!q.exec())
        qCWarning(lcRelayStore) << "cannot record session activity:" << lastError(q);
}

void PgEventLog::removeSession(const QByteArray &hash)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM ct_sessions WHERE hash = ?"_s);
    q.addBindValue(hash);
    if (!q.exec())
        qCWarning(lcRelayStore) << "cannot remove a session:" << lastError(q);
}

int PgEventLog::pruneSessions(const QDateTime &idleBefore, const QDateTime &createdBefore)
{
    QSqlQuery q(m_db);
    q.prepare(u"DELETE FROM ct_sessions WHERE last_seen_at < %1 OR created_at < %2 OR token_hash NOT IN "
              "(SELECT hash FROM ct_tokens WHERE revoked_at IS NULL)"_s.arg(fromMsSql(), fromMsSql()));
    q.addBindValue(toMs(idleBefore));
    q.addBindValue(toMs(createdBefore));
    if (!q.exec()) {
        qCWarning(lcRelayStore) << "cannot remove expired sessions:" << lastError(q);
        return 0;
    }
    return q.numRowsAffected();
}

} // namespace ct
