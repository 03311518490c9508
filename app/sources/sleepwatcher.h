// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

namespace ct {

/*!
 * \brief Says when the machine wakes from suspend (logind's PrepareForSleep on the system bus),
 * so that the relay connection is re-established at once instead of after the dead-link timeout.
 * Without D-Bus (or logind) it simply never fires.
 */
class SleepWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SleepWatcher)

public:
    explicit SleepWatcher(QObject *parent = nullptr);

Q_SIGNALS:
    void resumed();

private Q_SLOTS: // connected by name over D-Bus
    void handlePrepareForSleep(bool sleeping);
};

} // namespace ct
