// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/notifications/notification.h"

#include <QObject>

namespace ct {

//! Shows popups: DBusNotifier where a notification service answers, TrayNotifier elsewhere.
class Notifier : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~Notifier() override = default;

    //! Shows \a n, replacing a shown popup with the same key.
    virtual void show(const Notification &n) = 0;

Q_SIGNALS:
    //! The user clicked the popup (or its "Open workflow" action).
    void activated(const ct::Notification &n);
    //! The user chose "Rerun failed jobs" on a popup with a rerunWorkflowId.
    void rerunRequested(const ct::Notification &n);
};

} // namespace ct
