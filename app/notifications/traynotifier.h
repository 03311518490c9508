// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/notifications/notifier.h"

class QSystemTrayIcon;

namespace ct {

//! Popups as tray balloons (QSystemTrayIcon::showMessage), where no notification service answers.
class TrayNotifier final : public Notifier
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayNotifier)

public:
    explicit TrayNotifier(QSystemTrayIcon *tray, QObject *parent = nullptr);
    void show(const Notification &n) override;

private:
    QSystemTrayIcon *m_tray = nullptr;
    Notification m_last; //!< a balloon click opens the last one shown
};

} // namespace ct
