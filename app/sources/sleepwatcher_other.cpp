// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/sources/sleepwatcher.h"

namespace ct {

SleepWatcher::SleepWatcher(QObject *parent)
    : QObject(parent)
{ }

void SleepWatcher::handlePrepareForSleep(bool sleeping)
{
    if (!sleeping)
        Q_EMIT resumed();
}

} // namespace ct
