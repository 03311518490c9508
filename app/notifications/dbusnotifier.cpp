// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/notifications/dbusnotifier.h"

#include "app/applogging.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    const QString service = u"org.freedesktop.Notifications"_s;
    const QString path = u"/org/freedesktop/Notifications"_s;
} // namespace

DBusNotifier::DBusNotifier(QObject *parent)
    : Notifier(parent)
    , m_interface(service, path, service, QDBusConnection::sessionBus())
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    bus.connect(service, path, service, u"ActionInvoked"_s, this, SLOT(handleActionInvoked(uint, QString)));
    bus.connect(service, path, service, u"NotificationClosed"_s, this, SLOT(handleClosed(uint, uint)));
}

bool DBusNotifier::isAvailable()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    if (bus.interface()->isServiceRegistered(service).value())
        return true;
    // Most daemons are started by the bus on first use: not running yet is not absent.
    const QDBusReply<QStringList> activatable = bus.interface()->activatableServiceNames();
    return activatable.isValid() && activatable.value().contains(service);
}

void DBusNotifier::show(const Notification &n)
{
    const uint replaces = m_idByKey.value(n.key, 0);
    QVariantMap hints;
    hints.insert(u"urgency"_s, QVariant::fromValue(uchar(n.critical ? 2 : 1)));
    hints.insert(u"desktop-entry"_s, u"circletray"_s);
    hints.insert(u"category"_s, u"x-circletray.build"_s);
    QStringList actions =
        n.url.isValid() ? QStringList {u"default"_s, u"Open workflow"_s, u"open"_s, u"Open workflow"_s} : QStringList();
    if (!n.rerunWorkflowId.isEmpty())
        actions << u"rerun-failed"_s << u"Rerun failed jobs"_s;
    // Body markup is optional in the spec: escape what CircleCI sent (commit subjects may hold <, &).
    const QString body = n.body.toHtmlEscaped();
    QDBusPendingCall call =
        m_interface.asyncCall(u"Notify"_s, u"CircleTray"_s, replaces, n.iconName, n.title, body, actions, hints, -1);
    auto *watcher = new QDBusPendingCallWatcher(call, this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, n] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            qCWarning(lcAppNotify) << "Notify failed:" << reply.error().message();
            return;
        }
        const uint id = reply.value();
        if (const uint previous = m_idByKey.value(n.key); previous != 0 && previous != id)
            m_shown.remove(previous);
        m_idByKey.insert(n.key, id);
        m_shown.insert(id, n);
        // Daemons that keep popups until closed never tell us: forget the oldest beyond a bound.
        while (m_shown.size() > 500) {
            const uint oldest = *std::min_element(m_shown.keyBegin(), m_shown.keyEnd());
            m_idByKey.remove(m_shown.take(oldest).key);
        }
    });
}

void DBusNotifier::handleActionInvoked(uint id, const QString &action)
{
    const auto it = m_shown.constFind(id);
    if (it == m_shown.cend())
        return; // another application's notification
    if (action == u"default" || action == u"open")
        Q_EMIT activated(*it);
    else if (action == u"rerun-failed" && !it->rerunWorkflowId.isEmpty())
        Q_EMIT rerunRequested(*it);
}

void DBusNotifier::handleClosed(uint id, uint)
{
    const auto it = m_shown.constFind(id);
    if (it == m_shown.cend())
        return;
    m_idByKey.remove(it->key);
    m_shown.erase(it);
}

} // namespace ct
