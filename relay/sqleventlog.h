// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"

#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>

class QThread;

namespace ct {

class WalCheckpointer;

enum class Durability {
    Normal, //!< WAL, synchronous=NORMAL: survives a process kill
    Full, //!< WAL, synchronous=FULL: also survives power loss
};

/*!
 * \brief EventLog in an SQLite file through QtSql.
 *
 * Schema versioned in a `meta` table and migrated on open. WAL mode with 16 KiB pages; the WAL is
 * checkpointed by a WalCheckpointer on its own thread and connection, so the event loop never
 * stalls on it. Dedupe is the caller's (an in-memory id set): no UNIQUE index on event ids.
 */
class SqlEventLog final : public EventLog
{
public:
    SqlEventLog(const QString &path, Durability durability);
    ~SqlEventLog() override;
    SqlEventLog(const SqlEventLog &) = delete;
    SqlEventLog &operator=(const SqlEventLog &) = delete;

    bool open(QString *error) override;
    void close() override;
    QString relayId() const override { return m_relayId; }
    //! Read from the file: the relay's writer thread appends through a connection of its own.
    qint64 headSeq() const override;
    qint64 oldestSeq() const override;
    bool append(QList<StoredEvent> &events, QString *error) override;
    QList<StoredEvent> read(qint64 afterSeq, int limit, qint64 maxBytes = std::numeric_limits<qint64>::max(),
                            bool *ok = nullptr) override;
    QStringList eventIds() override;
    QStringList prune(const QDateTime &before, qint64 keepAtMost, int limit) override;
    bool isHealthy() override;
    bool addToken(const QString &name, const QByteArray &hash, QString *error) override;
    bool revokeToken(const QString &name) override;
    QList<TokenInfo> tokens() override;
    std::optional<QString> tokenName(const QByteArray &hash) override;
    bool addSession(const WebSession &session, QString *error) override;
    std::optional<WebSession> session(const QByteArray &hash) override;
    void touchSession(const QByteArray &hash, const QDateTime &at) override;
    void removeSession(const QByteArray &hash) override;
    int pruneSessions(const QDateTime &idleBefore, const QDateTime &createdBefore) override;

    static constexpr int schemaVersion = 2;

private:
    bool migrate(QString *error);
    bool migrateFrom(int version, QString *error);
    void refreshOldest();

    QString m_path;
    Durability m_durability;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_insert; //!< prepared once, reused by every append
    QString m_relayId;
    mutable qint64 m_head = 0;
    mutable qint64 m_oldest = 1;
    QThread *m_checkpointThread = nullptr;
    WalCheckpointer *m_checkpointer = nullptr;
};

} // namespace ct
