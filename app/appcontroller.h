// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/history/historystore.h"
#include "app/notifications/notificationrules.h"
#include "app/sources/eventsource.h"
#include "core/statustracker.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace ct {

class Notifier;

//! The worst current result of the watched workflows, for the tray icon.
enum class OverallStatus { NoData, Passing, Failing };

/*!
 * \brief The app's logic between an event source and the screen: store, classify, decide, notify.
 *
 * Each event is stored (duplicates stop here), workflow results go through the StatusTracker
 * (its state is kept in the store, so "fixed" survives restarts), the rules decide on a popup, and
 * the Notifier shows it. Events a relay replays after a disconnection are summed up in one popup.
 */
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    AppController(HistoryStore *store, Notifier *notifier, QObject *parent = nullptr);

    //! When this ends a pause (or the pause runs out), one popup sums up what broke meanwhile.
    void setRules(const RuleSettings &rules);
    void setNotifier(Notifier *notifier);
    const NotificationRules &rules() const { return m_rules; }
    //! Takes events from \a source (not owned); replaces the previous source.
    void setSource(EventSource *source);
    EventSource *source() const { return m_source; }
    OverallStatus overallStatus() const;
    const StatusTracker &tracker() const { return m_tracker; }

    void handleEvent(const ct::WebhookEvent &event, bool replay);
    void handleCaughtUp();
    //! The next catch-up is this device's first: summed up as a sync, not as "while you were away".
    void setFirstSync(bool first) { m_firstSync = first; }
    //! With a CircleCI token, failure popups offer "Rerun failed jobs".
    void setRerunAvailable(bool available) { m_rerunAvailable = available; }

Q_SIGNALS:
    void historyChanged(const QString &workflowId);
    void overallStatusChanged();
    void problemReported(const QString &message);
    //! An event could not be written to the history (read-only or full disk): \a error says why.
    void storageFailed(const QString &error);
    void sourceConnectionChanged(bool connected);
    void historyRequested(); //!< a summary popup was clicked
    void rerunRequested(const QString &workflowId, bool fromFailed); //!< a popup's "Rerun failed jobs"

private:
    void notify(const Notification &n);
    void summarisePause();

    HistoryStore *m_store = nullptr;
    Notifier *m_notifier = nullptr;
    QPointer<EventSource> m_source;
    StatusTracker m_tracker;
    NotificationRules m_rules;
    int m_replayedWorkflows = 0;
    int m_replayedFailures = 0;
    std::optional<Notification> m_lastReplayed;
    QStringList m_replayedFailedNames;
    QStringList m_brokeWhilePaused;
    QTimer m_pauseEnd;
    bool m_firstSync = false;
    bool m_rerunAvailable = false;
};

} // namespace ct
