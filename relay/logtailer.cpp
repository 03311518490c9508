// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logtailer.h"

namespace ct {

namespace {

    constexpr int readPage = 500;

} // namespace

LogTailer::LogTailer(EventLog *log, std::chrono::milliseconds fallback, QObject *parent)
    : QObject(parent)
    , m_log(log)
{
    m_fallback.setInterval(fallback);
    connect(&m_fallback, &QTimer::timeout, this, &LogTailer::readNew);
}

void LogTailer::start(qint64 afterSeq)
{
    m_position = afterSeq;
    m_started = true;
    if (m_fallback.interval() > 0)
        m_fallback.start();
    wake(); // whatever was appended since the caller looked
}

void LogTailer::noteStored(const QList<StoredEvent> &events, const QList<qint64> &receivedNs)
{
    if (events.isEmpty())
        return;
    // Our commit follows straight on from what was handed on: nothing of anyone else's lies between
    // (appends are serialised, so every lower sequence number is visible), and the events are
    // already in hand — no read back.
    bool contiguous = m_started && m_receivedNs.isEmpty();
    for (qsizetype i = 0; contiguous && i < events.size(); ++i)
        contiguous = events[i].seq == m_position + 1 + i;
    if (contiguous) {
        m_position = events.constLast().seq;
        Q_EMIT eventsAppended(events, receivedNs);
        return;
    }
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].seq > m_position)
            m_receivedNs.insert(events[i].seq, receivedNs.value(i));
    }
    readNew(); // at once: the commit is ours, and its clients are waiting
}

void LogTailer::wake()
{
    if (m_readScheduled)
        return;
    m_readScheduled = true;
    QMetaObject::invokeMethod(this, &LogTailer::readNew, Qt::QueuedConnection);
}

void LogTailer::readNew()
{
    m_readScheduled = false;
    if (!m_started)
        return;
    for (;;) {
        const QList<StoredEvent> events = m_log->read(m_position, readPage);
        if (events.isEmpty())
            break;
        QList<qint64> receivedNs;
        receivedNs.reserve(events.size());
        for (const StoredEvent &e : events)
            receivedNs.append(m_receivedNs.take(e.seq));
        m_position = events.constLast().seq;
        Q_EMIT eventsAppended(events, receivedNs);
        if (events.size() < readPage)
            break;
    }
    // Receive times of events pruned or read by another path before we got to them.
    for (auto it = m_receivedNs.begin(); it != m_receivedNs.end();)
        it = it.key() <= m_position ? m_receivedNs.erase(it) : std::next(it);
}

} // namespace ct
