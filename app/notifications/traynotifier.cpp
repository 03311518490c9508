// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/notifications/traynotifier.h"

#include <QSystemTrayIcon>

namespace ct {

TrayNotifier::TrayNotifier(QSystemTrayIcon *tray, QObject *parent)
    : Notifier(parent)
    , m_tray(tray)
{
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { Q_EMIT activated(m_last); });
}

void TrayNotifier::show(const Notification &n)
{
    m_last = n;
    m_tray->showMessage(n.title, n.body, n.critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information);
}

} // namespace ct
