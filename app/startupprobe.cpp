// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/startupprobe.h"

#include <QCoreApplication>
#include <QEvent>

#include <cstdio>

namespace ct {

void StartupProbe::installIfRequested()
{
    if (qEnvironmentVariableIsEmpty("CIRCLETRAY_STARTUP_PROBE"))
        return;
    QCoreApplication::instance()->installEventFilter(new StartupProbe(QCoreApplication::instance()));
}

bool StartupProbe::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Paint && watched->inherits("QSystemTrayIconSys")) {
        std::fputs("tray-painted\n", stdout);
        std::fflush(stdout);
        QCoreApplication::instance()->removeEventFilter(this);
        deleteLater();
    }
    return false;
}

} // namespace ct
