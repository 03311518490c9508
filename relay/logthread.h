// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace ct {

/*!
 * \brief An EventLog of its own (its own database connection) on a thread of its own.
 *
 * What LogWriter and LogReader share: the object lives on its thread; the log is made, opened, used
 * and closed there only. Work is queued to the object (QMetaObject::invokeMethod) and runs in order.
 */
class LogThread : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogThread)

public:
    using Factory = std::function<std::unique_ptr<EventLog>()>;
    LogThread(Factory factory, const QString &threadName);
    ~LogThread() override; //!< stops the thread; subclasses whose queued work uses them stop() in theirs

    //! Starts the thread and opens the log there; false with \a error.
    bool start(QString *error);
    //! Runs what was queued so far, closes the log and joins the thread; work queued after it never runs.
    void stop();

protected:
    std::unique_ptr<EventLog> m_log; //!< made, used and closed on the thread only

private:
    Factory m_factory;
    QThread m_thread;
};

} // namespace ct
