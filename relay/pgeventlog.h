// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"
#include "relay/pgconnectinfo.h"

#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <map>
#include <optional>

namespace ct {

/*!
 * \brief EventLog in a PostgreSQL database through QtSql's QPSQL driver, shareable by several relays.
 *
 * Tables `ct_meta`, `ct_events`, `ct_tokens`, `ct_sessions`, created and migrated on open in one
 * transaction under an advisory lock, so relays starting together never race. Appends are
 * serialised by a transaction-level advisory lock taken before any sequence number is drawn: a
 * reader that sees seq N then sees every seq below N too (sequence order is visibility order).
 * A batch is one multi-row INSERT (a few for a huge one) in one round trip, its sequence numbers
 * drawn in the batch's order. Duplicate event ids are refused by the database (`ON CONFLICT DO
 * NOTHING`), across relays; within a batch only an id's first occurrence is sent.
 * headSeq() and oldestSeq() ask the database each time: other relays append and prune too.
 */
class PgEventLog final : public EventLog
{
public:
    explicit PgEventLog(const PgConnectInfo &connection);
    ~PgEventLog() override;
    PgEventLog(const PgEventLog &) = delete;
    PgEventLog &operator=(const PgEventLog &) = delete;

    bool open(QString *error) override;
    void close() override;
    QString relayId() const override { return m_relayId; }
    qint64 headSeq() const override;
    qint64 oldestSeq() const override;
    bool append(QList<StoredEvent> &events, QString *error) override;
    QList<StoredEvent> read(qint64 afterSeq, int limit, qint64 maxBytes = std::numeric_limits<qint64>::max(),
                            bool *ok = nullptr) override;
    QStringList eventIds() override;
    QStringList prune(const QDateTime &before, qint64 keepAtMost, int limit) override;
    bool isHealthy() override;
    QString notificationChannel() const override { return QString::fromLatin1(notifyChannel); }
    bool addToken(const QString &name, const QByteArray &hash, QString *error) override;
    bool revokeToken(const QString &name) override;
    QList<TokenInfo> tokens() override;
    std::optional<QString> tokenName(const QByteArray &hash) override;
    bool addSession(const WebSession &session, QString *error) override;
    std::optional<WebSession> session(const QByteArray &hash) override;
    void touchSession(const QByteArray &hash, const QDateTime &at) override;
    void removeSession(const QByteArray &hash) override;
    int pruneSessions(const QDateTime &idleBefore, const QDateTime &createdBefore) override;

    static constexpr int schemaVersion = 1;
    //! Every append that stores something runs pg_notify(notifyChannel, <its highest seq>) in its
    //! transaction, so the notification comes with the commit (never for a rollback).
    static constexpr const char *notifyChannel = "ct_events";
    //! pg_advisory_xact_lock keys ("CTappend", "CTschema", "CTprune" in ASCII): every writer of
    //! ct_events takes appendLockKey before drawing a sequence number.
    static constexpr qint64 appendLockKey = 0x4354617070656e64;
    static constexpr qint64 schemaLockKey = 0x4354736368656d61;
    static constexpr qint64 pruneLockKey = 0x43547072756e65;
    //! One INSERT stores at most this many events (PostgreSQL takes 65535 parameters at most), and
    //! bodies of about maxInsertBytes (QPSQL sends the values inside the statement's text); a
    //! larger batch takes a few INSERTs, in the same transaction.
    static constexpr int maxInsertRows = 2048;
    static constexpr qint64 maxInsertBytes = 8 * 1024 * 1024;

private:
    bool connect(QString *error);
    bool ensureConnected(QString *error); //!< reconnects after the server went away
    bool migrate(QString *error);
    bool loadMeta(QString *error);
    bool rollback(QString *error, const QString &failure);
    //! The prepared multi-row INSERT for \a rows rows (a power of two), prepared on first use.
    QSqlQuery *insertStatement(int rows, QString *error);

    PgConnectInfo m_connection;
    QString m_connectionName;
    QString m_node; //!< stored_by: which relay host stored an event (diagnostics)
    QSqlDatabase m_db;
    //! Multi-row INSERTs by row count (powers of two up to maxInsertRows): prepared once per connection.
    std::map<int, QSqlQuery> m_inserts;
    QString m_relayId;
    bool m_suspect = false; //!< a write failed: reconnect before the next one
    QElapsedTimer m_failedConnect; //!< since the last reconnect that failed; invalid when none did
    mutable qint64 m_lastHead = 0; //!< what headSeq() answered last, in case the database does not
};

} // namespace ct
