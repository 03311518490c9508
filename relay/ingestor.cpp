// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/ingestor.h"

#include "core/logging.h"
#include "relay/logwriter.h"
#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"

#include <QCoreApplication>
#include <QTimer>

#include <chrono>

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    constexpr qsizetype maxBatch = 2000;
}

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Ingestor::Ingestor(EventLog *log, RelayMetrics *metrics, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_metrics(metrics)
{ }

void Ingestor::loadKnownIds()
{
    const QStringList ids = m_log->eventIds();
    m_known = QSet<QString>(ids.cbegin(), ids.cend());
    m_filterKnown = true;
    qCInfo(lcRelayIngest) << "duplicate filter holds" << m_known.size() << "event ids";
}

void Ingestor::forget(const QStringList &eventIds)
{
    for (const QString &id : eventIds)
        m_known.remove(id);
}

void Ingestor::setWriter(LogWriter *writer)
{
    m_writer = writer;
    connect(writer, &LogWriter::appended, this, &Ingestor::appended);
}

void Ingestor::submit(const WebhookDelivery &delivery, const HttpResponder &responder)
{
    const QString &id = delivery.event.id;
    if (m_known.contains(id)) {
        ++m_metrics->duplicate;
        qCDebug(lcRelayIngest).noquote() << "duplicate event" << logQuoted(id);
        responder.respond(HttpResponse::text(200, "duplicate: already stored"_ba));
        return;
    }
    if (const auto it = m_pendingIndex.constFind(id); it != m_pendingIndex.cend()) {
        ++m_metrics->duplicate;
        m_pending[*it].responders.append(responder); // answered with the commit that stores it
        return;
    }
    if (const auto it = m_inFlightIndex.constFind(id); it != m_inFlightIndex.cend()) {
        ++m_metrics->duplicate;
        m_inFlight[*it].responders.append(responder); // being committed: answered with it
        return;
    }
    Pending p;
    p.event.eventId = id;
    p.event.receivedAt = QDateTime::currentDateTimeUtc();
    p.event.eventType = eventTypeName(delivery.event.type);
    p.event.signature = delivery.signatureHeader;
    p.event.body = delivery.body;
    p.receivedNs = steadyNowNs();
    p.responders.append(responder);
    m_pendingIndex.insert(id, m_pending.size());
    m_pending.append(std::move(p));
    if (m_pending.size() >= maxBatch) {
        flush();
    } else if (!m_flushScheduled) {
        // Zero-timer: every delivery parsed in this event-loop pass joins one transaction.
        m_flushScheduled = true;
        QTimer::singleShot(0, this, &Ingestor::flush);
    }
}

void Ingestor::flush()
{
    m_flushScheduled = false;
    if (m_pending.isEmpty())
        return;
    if (m_writer && m_inFlightBatch != 0)
        return; // the batch after the one being committed: sent when that one is done
    QList<Pending> batch = std::exchange(m_pending, {});
    m_pendingIndex.clear();
    QList<StoredEvent> events;
    events.reserve(batch.size());
    for (const Pending &p : std::as_const(batch))
        events.append(p.event);
    if (m_writer) {
        m_inFlight = std::move(batch);
        m_inFlightIndex.clear();
        for (qsizetype i = 0; i < m_inFlight.size(); ++i)
            m_inFlightIndex.insert(m_inFlight[i].event.eventId, i);
        m_inFlightBatch = ++m_batches;
        m_writer->appendAsync(m_inFlightBatch, events);
        return;
    }
    QString error;
    const bool ok = m_log->append(events, &error);
    complete(batch, events, ok, error);
}

void Ingestor::appended(quint64 batch, const QList<StoredEvent> &events, bool ok, const QString &error)
{
    if (batch != m_inFlightBatch)
        return; // already handled by drain()
    QList<Pending> done = std::exchange(m_inFlight, {});
    m_inFlightIndex.clear();
    m_inFlightBatch = 0;
    complete(done, events, ok, error);
    if (!m_pending.isEmpty())
        flush(); // what gathered meanwhile goes at once: one commit for all of it
}

void Ingestor::drain()
{
    if (!m_writer) {
        flush();
        return;
    }
    while (m_inFlightBatch != 0) {
        // Its result is posted to this thread once the writer is past it: take it now (it may
        // send the next batch, which this waits for too).
        m_writer->waitIdle();
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    }
    if (m_pending.isEmpty())
        return;
    m_flushScheduled = false;
    QList<Pending> batch = std::exchange(m_pending, {});
    m_pendingIndex.clear();
    QList<StoredEvent> events;
    events.reserve(batch.size());
    for (const Pending &p : std::as_const(batch))
        events.append(p.event);
    QString error;
    const bool ok = m_writer->appendNow(events, &error);
    complete(batch, events, ok, error);
}

void Ingestor::complete(QList<Pending> &batch, const QList<StoredEvent> &events, bool ok, const QString &error)
{
    if (!ok) {
        m_metrics->storageFailures += quint64(batch.size());
        qCCritical(lcRelayIngest).noquote() << "storing" << batch.size() << "events failed:" << error;
        for (const Pending &p : std::as_const(batch)) {
            for (const HttpResponder &r : p.responders)
                r.respond(HttpResponse::text(503, "storage unavailable; retry later"_ba));
        }
        return;
    }
    QList<StoredEvent> stored;
    QList<qint64> receivedNs;
    stored.reserve(batch.size());
    receivedNs.reserve(batch.size());
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const StoredEvent &e = events[i];
        if (e.duplicate) {
            // Another relay sharing the log stored it first: answered like any duplicate.
            ++m_metrics->duplicate;
            qCDebug(lcRelayIngest).noquote() << "duplicate event" << logQuoted(e.eventId) << "(found by the log)";
            for (const HttpResponder &r : std::as_const(batch[i].responders))
                r.respond(HttpResponse::text(200, "duplicate: already stored"_ba));
            continue;
        }
        if (m_filterKnown)
            m_known.insert(e.eventId);
        stored.append(e);
        receivedNs.append(batch[i].receivedNs);
        for (const HttpResponder &r : std::as_const(batch[i].responders))
            r.respond(HttpResponse::text(200, "stored as " + QByteArray::number(e.seq)));
    }
    if (stored.isEmpty())
        return;
    m_metrics->accepted += quint64(stored.size());
    m_metrics->lastEventAt = stored.last().receivedAt;
    qCDebug(lcRelayIngest) << "stored" << stored.size() << "events up to seq" << stored.last().seq;
    Q_EMIT eventsStored(stored, receivedNs);
}

} // namespace ct
