// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"
#include "relay/pgconnectinfo.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

namespace ct {

/*!
 * \brief EventLog in a PostgreSQL database through QtSql's QPSQL driver, shareable by several relays.
 *
 * Tables `ct_meta`, `ct_events`, `ct_tokens`, `ct_sessions`, created and migrated on open in one
 * transaction under an advisory lock, so relays starting together never race. Appends are
 * serialised by a transaction-level advisory lock taken before any sequence number is drawn: a
 * reader that sees seq N then sees every seq below N too (sequence order is visibility order).
 * Duplicate event ids are refused by the database (`ON CONFLICT DO NOTHING`), across relays.
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
    QList<StoredEvent> read(qint64 afterSeq, int limit, qint64 maxBytes = std::numeric_limits<qint64>::max()) override;
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

private:
    bool connect(QString *error);
    bool ensureConnected(QString *error); //!< reconnects after the server went away
    bool migrate(QString *error);
    bool loadMeta(QString *error);
    bool rollback(QString *error, const QString &failure);

    PgConnectInfo m_connection;
    QString m_connectionName;
    QString m_node; //!< stored_by: which relay host stored an event (diagnostics)
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_insert; //!< prepared once per connection
    QString m_relayId;
    bool m_suspect = false; //!< a write failed: reconnect before the next one
    mutable qint64 m_lastHead = 0; //!< what headSeq() answered last, in case the database does not
};

} // namespace ct
