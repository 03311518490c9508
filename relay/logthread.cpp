// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/logthread.h"

namespace ct {

LogThread::LogThread(Factory factory, const QString &threadName)
    : m_factory(std::move(factory))
{
    m_thread.setObjectName(threadName);
}

LogThread::~LogThread()
{
    stop();
}

bool LogThread::start(QString *error)
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

void LogThread::stop()
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

} // namespace ct
