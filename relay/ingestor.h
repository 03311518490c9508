// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httpresponder.h"
#include "core/webhookreceiver.h"
#include "relay/eventlog.h"

#include <QHash>
#include <QObject>
#include <QSet>

namespace ct {

class LogWriter;
struct RelayMetrics;

//! Monotonic nanoseconds (std::chrono::steady_clock), comparable across the relay's objects.
qint64 steadyNowNs();

/*!
 * \brief Stores accepted deliveries with group commit, then answers them.
 *
 * Deliveries that arrive in the same event-loop pass are stored in one transaction; none is
 * answered 200 before the commit that holds it (503 if it fails, so CircleCI retries). Duplicates
 * are found by the log's append (PostgreSQL: the unique event id, across relays) and, after
 * loadKnownIds(), first in an in-memory set of stored event ids rebuilt from the log (SQLite: the
 * only filter). A duplicate of an event still waiting for its commit is answered together with it.
 */
class Ingestor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Ingestor)

public:
    Ingestor(EventLog *log, RelayMetrics *metrics, QObject *parent = nullptr);

    //! Filters duplicates in memory from now on: every stored id, read from the log now and kept
    //! up to date. For a log that only this relay writes (SQLite); a shared one dedupes in append().
    void loadKnownIds();
    void forget(const QStringList &eventIds); //!< after pruning
    //! Commits through \a writer, off this thread: while one batch is being committed the next
    //! one gathers (group commit). Without a writer, appends run here.
    void setWriter(LogWriter *writer);
    void submit(const WebhookDelivery &delivery, const HttpResponder &responder);
    void flush(); //!< send what is pending to be committed (or commit it here without a writer)
    void drain(); //!< commit and answer everything pending or in flight now, waiting (shutdown)
    qsizetype knownIds() const { return m_known.size(); }

Q_SIGNALS:
    //! Newly stored events, in sequence order, with the steadyNowNs() time each was received.
    void eventsStored(const QList<ct::StoredEvent> &events, const QList<qint64> &receivedNs);

private:
    struct Pending
    {
        StoredEvent event;
        qint64 receivedNs = 0;
        QList<HttpResponder> responders;
    };

    //! Answers a committed (or failed) batch and tells the relay what was stored.
    void complete(QList<Pending> &batch, const QList<StoredEvent> &events, bool ok, const QString &error);
    void appended(quint64 batch, const QList<ct::StoredEvent> &events, bool ok, const QString &error);

    EventLog *m_log = nullptr;
    LogWriter *m_writer = nullptr;
    RelayMetrics *m_metrics = nullptr;
    QList<Pending> m_inFlight; //!< sent to the writer, not committed yet
    QHash<QString, qsizetype> m_inFlightIndex;
    quint64 m_inFlightBatch = 0; //!< its number; 0 when nothing is in flight
    quint64 m_batches = 0;
    bool m_filterKnown = false; //!< loadKnownIds() was called
    QSet<QString> m_known;
    QList<Pending> m_pending;
    QHash<QString, qsizetype> m_pendingIndex;
    bool m_flushScheduled = false;
};

} // namespace ct
