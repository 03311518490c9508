// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/ingestor.h"

#include "core/logging.h"
#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"

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
    QList<Pending> batch = std::exchange(m_pending, {});
    m_pendingIndex.clear();
    QList<StoredEvent> events;
    events.reserve(batch.size());
    for (const Pending &p : std::as_const(batch))
        events.append(p.event);
    QString error;
    if (!m_log->append(events, &error)) {
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
