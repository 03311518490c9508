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
        connect(m_notifier, &Notifier::activated, this, [](const Notification &n) { openWorkflowUrl(n.url); });
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
        if (m_source)
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
    if (replay) {
        if (!update->repeat && m_rules.watches(*workflow)) {
            ++m_replayedWorkflows;
            if (workflow->statusClass == u"failure")
                ++m_replayedFailures;
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
    if (workflows == 0 || m_rules.isPaused())
        return;
    if (workflows == 1 && last) {
        notify(*last);
        return;
    }
    Notification n;
    n.key = u"circletray-summary"_s;
    n.title = workflows == 1 ? u"1 workflow finished while you were away"_s
                             : u"%1 workflows finished while you were away"_s.arg(workflows);
    n.body = failures == 0 ? u"All passed."_s : (failures == 1 ? u"1 failed."_s : u"%1 failed."_s.arg(failures));
    n.critical = failures > 0;
    n.iconName = failures > 0 ? u"dialog-warning"_s : u"emblem-default"_s;
    notify(n);
}

void AppController::notify(const Notification &n)
{
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
