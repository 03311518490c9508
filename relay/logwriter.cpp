// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logwriter.h"

#include <QMetaType>

using namespace Qt::StringLiterals;

namespace ct {

LogWriter::LogWriter(Factory factory)
    : LogThread(std::move(factory), u"log-writer"_s)
{
    qRegisterMetaType<QList<ct::StoredEvent>>();
}

void LogWriter::appendAsync(quint64 batch, const QList<StoredEvent> &events)
{
    QMetaObject::invokeMethod(
        this,
        [this, batch, events] {
            QList<StoredEvent> stored = events;
            QString error;
            const bool ok = m_log->append(stored, &error);
            Q_EMIT appended(batch, stored, ok, error);
        },
        Qt::QueuedConnection);
}

bool LogWriter::appendNow(QList<StoredEvent> &events, QString *error)
{
    bool ok = false;
    QMetaObject::invokeMethod(
        this, [this, &events, &ok, error] { ok = m_log->append(events, error); }, Qt::BlockingQueuedConnection);
    return ok;
}

void LogWriter::waitIdle()
{
    QMetaObject::invokeMethod(
        this, [] {}, Qt::BlockingQueuedConnection);
}

void LogWriter::pruneAsync(const QDateTime &before, qint64 keepAtMost, int limit)
{
    QMetaObject::invokeMethod(
        this, [this, before, keepAtMost, limit] { Q_EMIT pruned(m_log->prune(before, keepAtMost, limit), limit); },
        Qt::QueuedConnection);
}

} // namespace ct
