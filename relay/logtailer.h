// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace ct {

class LogReader;

/*!
 * \brief Follows the event log in sequence order and hands every new event on exactly once.
 *
 * The relay never pushes its own new events straight to its clients: several relays may share one
 * log, so each one tails it and delivers what it reads, whoever stored it. A read is woken by this
 * relay's own commits (noteStored()), by a database notification (wake()), and by a fallback check
 * every interval, since notifications are lost while a listener is disconnected. Reads go through a
 * LogReader (off the event loop), one at a time.
 */
class LogTailer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogTailer)

public:
    //! \a fallback 0: no periodic read (the log is this relay's alone; its commits wake the tailer).
    LogTailer(LogReader *reader, std::chrono::milliseconds fallback, QObject *parent = nullptr);

    //! Starts after sequence number \a afterSeq (what the consumers already have).
    void start(qint64 afterSeq);
    qint64 position() const { return m_position; }

    //! This relay committed \a events (received at \a receivedNs, steadyNowNs()): read at once, and
    //! keep their receive times for the latency metric.
    void noteStored(const QList<ct::StoredEvent> &events, const QList<qint64> &receivedNs);
    void wake(); //!< something may have been appended: read soon (coalesced)

Q_SIGNALS:
    //! New events in sequence order, each once; \a receivedNs is 0 for events another relay received.
    void eventsAppended(const QList<ct::StoredEvent> &events, const QList<qint64> &receivedNs);

private:
    void readNew();
    void pageRead(quint64 request, const QList<ct::StoredEvent> &events, bool ok);

    LogReader *m_reader;
    quint64 m_pending = 0; //!< the read in flight
    bool m_readAgain = false; //!< woken while a read was in flight
    qint64 m_position = 0;
    QHash<qint64, qint64> m_receivedNs; //!< seq → when this relay received it, until handed on
    QTimer m_fallback; //!< not started with a 0 interval: a log only this relay writes
    bool m_started = false;
    bool m_readScheduled = false;
};

} // namespace ct
