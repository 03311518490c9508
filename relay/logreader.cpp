// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logreader.h"

#include <QMetaType>

namespace ct {

LogReader::LogReader(Factory factory, const QString &threadName)
    : m_factory(std::move(factory))
{
    qRegisterMetaType<QList<ct::StoredEvent>>();
    qRegisterMetaType<QList<ct::TokenInfo>>();
    m_thread.setObjectName(threadName);
}

LogReader::~LogReader()
{
    stop();
}

bool LogReader::start(QString *error)
{
    moveToThread(&m_thread);
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        this,
        [this, &ok, error] {
            m_log = m_factory();
            ok = m_log->open(error);
            if (!ok)
                m_log.reset();
        },
        Qt::BlockingQueuedConnection);
    if (!ok)
        stop();
    return ok;
}

void LogReader::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_log)
                m_log->close();
            m_log.reset();
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
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
