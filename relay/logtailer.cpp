// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logtailer.h"

#include "relay/logreader.h"

using namespace std::chrono_literals;

namespace ct {

namespace {

    constexpr int readPage = 500;

} // namespace

LogTailer::LogTailer(LogReader *reader, std::chrono::milliseconds fallback, QObject *parent)
    : QObject(parent)
    , m_reader(reader)
{
    connect(m_reader, &LogReader::pageRead, this, &LogTailer::pageRead);
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
    if (m_pending != 0) {
        m_readAgain = true; // once this one is back: it may have started before the news
        return;
    }
    m_pending = m_reader->readAsync(m_position, readPage);
}

void LogTailer::pageRead(quint64 request, const QList<StoredEvent> &page, bool ok)
{
    if (request != m_pending)
        return; // another reader's, or one from before a restart
    m_pending = 0;
    // Our own commits may have been handed on while the read was out (noteStored()): only what
    // lies beyond. The page is in sequence order, so what is left of it is too.
    QList<StoredEvent> events;
    QList<qint64> receivedNs;
    for (const StoredEvent &e : page) {
        if (e.seq <= m_position)
            continue;
        events.append(e);
        receivedNs.append(m_receivedNs.take(e.seq));
    }
    if (!events.isEmpty()) {
        m_position = events.constLast().seq;
        Q_EMIT eventsAppended(events, receivedNs);
    }
    // Receive times of events pruned or read by another path before we got to them.
    for (auto it = m_receivedNs.begin(); it != m_receivedNs.end();)
        it = it.key() <= m_position ? m_receivedNs.erase(it) : std::next(it);
    if (!ok) {
        // The database did not answer: again shortly (the fallback check, where there is one, too).
        QTimer::singleShot(1s, this, &LogTailer::wake);
        return;
    }
    if (page.size() >= readPage || std::exchange(m_readAgain, false))
        readNew();
}

} // namespace ct
