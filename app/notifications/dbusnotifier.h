// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/notifications/notifier.h"

#include <QDBusInterface>
#include <QHash>

namespace ct {

/*!
 * \brief Popups through org.freedesktop.Notifications over the session bus.
 *
 * Critical urgency for failures, an "Open workflow" action and the default click, "Rerun failed
 * jobs" for a failure with a rerunWorkflowId, and replaces_id so that a later event for the same
 * workflow replaces its popup.
 */
class DBusNotifier final : public Notifier
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DBusNotifier)

public:
    explicit DBusNotifier(QObject *parent = nullptr);

    //! A notification service answers on the session bus.
    static bool isAvailable();
    void show(const Notification &n) override;

private Q_SLOTS: // connected by name: QDBusConnection::connect needs meta-methods
    void handleActionInvoked(uint id, const QString &action);
    void handleClosed(uint id, uint reason);

private:
    QDBusInterface m_interface;
    QHash<QString, uint> m_idByKey;
    QHash<uint, Notification> m_shown;
};

} // namespace ct
