// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

namespace ct {

/*!
 * \brief Turns process signals into Qt signals on the event loop (SIGTERM/SIGINT, SIGHUP).
 *
 * The platform part lives in signalwatcher_unix.cpp (a self-pipe written by the handler) or
 * signalwatcher_other.cpp (nothing to watch), chosen by CMake.
 */
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminateRequested(); //!< SIGTERM or SIGINT
    void reloadRequested(); //!< SIGHUP

private:
    struct Private;
    Private *d = nullptr;
};

} // namespace ct
