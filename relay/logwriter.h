// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/logthread.h"

namespace ct {

/*!
 * \brief The event log's writes on a thread of their own: appends and retention pruning.
 *
 * The writer has its own EventLog (its own database connection), opened on its thread, so a slow
 * commit, a round trip to PostgreSQL or a large prune never stalls the HTTP event loop: webhooks
 * keep being read (and join the next batch: group commit), WebSocket pings keep going. Results
 * come back as queued signals on the thread that made the writer.
 */
class LogWriter final : public LogThread
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogWriter)

public:
    explicit LogWriter(Factory factory);
    ~LogWriter() override { stop(); } //!< here, not in ~LogThread: queued work emits this object's signals

    //! Appends on the writer thread; appended() reports it.
    void appendAsync(quint64 batch, const QList<ct::StoredEvent> &events);
    //! Appends on the writer thread and waits (shutdown: what is left is committed now).
    bool appendNow(QList<ct::StoredEvent> &events, QString *error);
    //! Returns once everything queued before it has run (its signals are then posted).
    void waitIdle();
    //! Prunes on the writer thread; pruned() reports the removed event ids.
    void pruneAsync(const QDateTime &before, qint64 keepAtMost, int limit);

Q_SIGNALS:
    void appended(quint64 batch, const QList<ct::StoredEvent> &events, bool ok, const QString &error);
    void pruned(const QStringList &eventIds, int limit);
};

} // namespace ct
