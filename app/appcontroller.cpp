// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/appcontroller.h"

#include "app/applogging.h"
#include "app/notifications/notifier.h"
#include "app/workflowurl.h"

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    const QString trackerStateKey = u"tracker_state"_s;
}

AppController::AppController(HistoryStore *store, Notifier *notifier, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    setNotifier(notifier);
    m_pauseEnd.setSingleShot(true);
    connect(&m_pauseEnd, &QTimer::timeout, this, [this] {
        if (m_rules.isPaused())
            return;
        Q_EMIT overallStatusChanged(); // the tray drops its "paused" badge
        summarisePause();
    });
    const QByteArray state = m_store->meta(trackerStateKey);
    if (!state.isEmpty() && !m_tracker.restoreState(state))
        qCWarning(lcApp) << "ignoring an unreadable saved tracker state";
}

void AppController::setNotifier(Notifier *notifier)
{
    if (m_notifier == notifier)
        return;
    if (m_notifier)
        disconnect(m_notifier, nullptr, this, nullptr);
    m_notifier = notifier;
    if (m_notifier) {
        connect(m_notifier, &Notifier::activated, this, [this](const Notification &n) {
            if (n.opensHistory)
                Q_EMIT historyRequested();
            else
                openWorkflowUrl(n.url);
        });
        connect(m_notifier, &Notifier::rerunRequested, this,
                [this](const Notification &n) { Q_EMIT rerunRequested(n.rerunWorkflowId, true); });
    }
}

void AppController::setSource(EventSource *source)
{
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    if (!source)
        return;
    connect(source, &EventSource::eventReceived, this, &AppController::handleEvent);
    connect(source, &EventSource::caughtUp, this, &AppController::handleCaughtUp);
    connect(source, &EventSource::problem, this, &AppController::problemReported);
    connect(source, &EventSource::connectionChanged, this, &AppController::sourceConnectionChanged);
}

void AppController::handleEvent(const WebhookEvent &event, bool replay)
{
    const RecordOutcome outcome = m_store->record(event);
    if (outcome.failed) {
        // Not in the history: the source must not acknowledge it (the direct receiver answers 503,
        // so CircleCI delivers it again; a relay replays it after a restart), and the user must know.
        if (m_source && !event.id.isEmpty()) // the catch-up's results are not the source's to deliver again
            m_source->eventNotStored();
        Q_EMIT storageFailed(outcome.error);
    }
    if (outcome.duplicate || event.type == EventType::Ping)
        return;
    if (!event.workflow)
        return;
    const QString workflowId = event.workflow->id;
    if (outcome.workflowChanged || outcome.jobChanged)
        Q_EMIT historyChanged(workflowId);
    // The popup still comes when the history could not keep the event: built from the event itself.
    const std::optional<WorkflowRecord> workflow = outcome.failed
        ? std::optional<WorkflowRecord>(WorkflowRecord::fromEvent(event))
        : m_store->workflow(workflowId);
    if (!workflow)
        return;

    if (event.type == EventType::JobCompleted) {
        if (!replay && event.job && outcome.jobChanged) {
            const JobRecord job {event.job->id,
                                 workflowId,
                                 event.job->name,
                                 event.job->number,
                                 event.job->status,
                                 QString::fromLatin1(statusClassName(event.job->statusClass)),
                                 event.job->url.value_or(QString()),
                                 event.job->startedAt,
                                 event.job->stoppedAt};
            if (const auto n = m_rules.forFailedJob(*workflow, job))
                notify(*n);
        }
        return;
    }
    if (outcome.superseded)
        return; // an older completion of a workflow we already have a newer result for
    const std::optional<TrackerUpdate> update = m_tracker.record(event);
    if (!update)
        return;
    if (!outcome.failed)
        m_store->setMeta(trackerStateKey, m_tracker.saveState());
    Q_EMIT overallStatusChanged();
    const std::optional<Notification> n =
        m_rules.forWorkflow(*workflow, outcome.failed ? QList<JobRecord>() : m_store->jobs(workflowId), *update);
    // Paused: nothing pops up, but what broke is kept for the summary on resume.
    if (!replay && m_rules.isPaused() && m_rules.watches(*workflow)
        && (update->transition == Transition::Broken || update->transition == Transition::StillFailing)) {
        const QString name =
            workflow->displayProject() + u" · "_s + workflow->ref() + u" · "_s + workflow->workflowName;
        if (!m_brokeWhilePaused.contains(name))
            m_brokeWhilePaused.append(name);
    }
    if (replay) {
        if (!update->repeat && m_rules.watches(*workflow)) {
            ++m_replayedWorkflows;
            if (workflow->statusClass == u"failure") {
                ++m_replayedFailures;
                m_replayedFailedNames.append(workflow->displayProject() + u" · "_s + workflow->ref() + u" · "_s
                                             + workflow->workflowName);
            }
            if (n)
                m_lastReplayed = n;
        }
        return;
    }
    if (n)
        notify(*n);
}

void AppController::handleCaughtUp()
{
    const int workflows = std::exchange(m_replayedWorkflows, 0);
    const int failures = std::exchange(m_replayedFailures, 0);
    const std::optional<Notification> last = std::exchange(m_lastReplayed, std::nullopt);
    QStringList failed = std::exchange(m_replayedFailedNames, {});
    const bool firstSync = std::exchange(m_firstSync, false);
    if (workflows == 0 || m_rules.isPaused())
        return;
    if (workflows == 1 && last && !firstSync) {
        notify(*last);
        return;
    }
    Notification n;
    n.key = u"circletray-summary"_s;
    // A device's first sync brings what the relay kept from before it was set up: not "while you
    // were away", and nothing new broke for this user.
    if (firstSync)
        n.title = workflows == 1 ? u"Synced with the relay: 1 workflow in its history"_s
                                 : u"Synced with the relay: %1 workflows in its history"_s.arg(workflows);
    else
        n.title = workflows == 1 ? u"1 workflow finished while you were away"_s
                                 : u"%1 workflows finished while you were away"_s.arg(workflows);
    // What failed, by name (the first three), and a click opens the history with all of it.
    failed.removeDuplicates();
    QString names = failed.mid(0, 3).join(u", "_s);
    if (failed.size() > 3)
        names += u" and %1 more"_s.arg(failed.size() - 3);
    n.body = failures == 0
        ? u"All passed."_s
        : (failures == 1 ? u"1 failed: %1."_s.arg(names) : u"%1 failed: %2."_s.arg(failures).arg(names));
    n.opensHistory = true;
    n.critical = failures > 0;
    n.iconName = failures > 0 ? u"dialog-warning"_s : u"emblem-default"_s;
    notify(n);
}

void AppController::setRules(const RuleSettings &rules)
{
    const bool wasPaused = m_rules.isPaused();
    m_rules.setSettings(rules);
    // The pause ends on its own at its time: the resume summary must not wait for the next event.
    m_pauseEnd.stop();
    if (m_rules.isPaused()) {
        const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(rules.pausedUntil);
        m_pauseEnd.start(int(std::clamp<qint64>(ms + 50, 0, std::numeric_limits<int>::max())));
    }
    if (wasPaused && !m_rules.isPaused())
        summarisePause();
}

void AppController::summarisePause()
{
    const QStringList broke = std::exchange(m_brokeWhilePaused, {});
    if (broke.isEmpty())
        return;
    QString names = broke.mid(0, 3).join(u", "_s);
    if (broke.size() > 3)
        names += u" and %1 more"_s.arg(broke.size() - 3);
    Notification n;
    n.key = u"circletray-summary"_s;
    n.title = u"Notifications resumed"_s;
    n.body = (broke.size() == 1 ? u"While paused, 1 workflow broke: %1."_s
                                : u"While paused, %1 workflows broke: %2."_s.arg(broke.size()))
                 .arg(names);
    n.critical = true;
    n.iconName = u"dialog-warning"_s;
    n.opensHistory = true;
    notify(n);
}

void AppController::notify(const Notification &shown)
{
    Notification n = shown;
    if (!m_rerunAvailable)
        n.rerunWorkflowId.clear(); // no token: nothing could rerun it
    qCInfo(lcAppNotify).noquote() << "notify:" << n.title;
    if (m_notifier)
        m_notifier->show(n);
}

OverallStatus AppController::overallStatus() const
{
    RuleSettings scope = m_rules.settings();
    scope.onlyMine = false; // who pushed last does not change whether a branch is red
    const NotificationRules watched(scope);
    bool any = false;
    for (const auto &[key, status] : m_tracker.decisiveStates()) {
        WorkflowRecord w;
        w.projectSlug = key.projectSlug;
        if (key.ref.startsWith(u"tag:"))
            w.tag = key.ref.mid(4);
        else
            w.branch = key.ref;
        w.workflowName = key.workflowName;
        if (!watched.watches(w))
            continue;
        any = true;
        if (status == StatusClass::Failure)
            return OverallStatus::Failing;
    }
    return any ? OverallStatus::Passing : OverallStatus::NoData;
}

} // namespace ct
