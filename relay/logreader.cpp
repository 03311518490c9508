// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logreader.h"

#include <QMetaType>

namespace ct {

LogReader::LogReader(Factory factory, const QString &threadName)
    : LogThread(std::move(factory), threadName)
{
    qRegisterMetaType<QList<ct::StoredEvent>>();
    qRegisterMetaType<QList<ct::TokenInfo>>();
}

quint64 LogReader::readAsync(qint64 afterSeq, int limit, qint64 maxBytes)
{
    const quint64 request = m_nextRequest++;
    QMetaObject::invokeMethod(
        this,
        [this, request, afterSeq, limit, maxBytes] {
            if (!m_log)
                return;
            bool ok = false;
            const QList<StoredEvent> page = m_log->read(afterSeq, limit, maxBytes, &ok);
            Q_EMIT pageRead(request, page, ok);
        },
        Qt::QueuedConnection);
    return request;
}

quint64 LogReader::tokensAsync()
{
    const quint64 request = m_nextRequest++;
    QMetaObject::invokeMethod(
        this,
        [this, request] {
            if (m_log)
                Q_EMIT tokensRead(request, m_log->tokens());
        },
        Qt::QueuedConnection);
    return request;
}

} // namespace ct
