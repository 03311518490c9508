// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/statustracker.h"

#include "core/timestamp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    Transition classify(std::optional<StatusClass> previous, StatusClass current)
    {
        switch (current) {
        case StatusClass::Success:
            return previous == StatusClass::Failure ? Transition::Fixed : Transition::Passed;
        case StatusClass::Failure:
            return previous == StatusClass::Failure ? Transition::StillFailing : Transition::Broken;
        case StatusClass::Canceled:
            return Transition::Canceled;
        case StatusClass::Unknown:
            break;
        }
        return Transition::Unknown;
    }

    bool isDecisive(StatusClass s)
    {
        return s == StatusClass::Success || s == StatusClass::Failure;
    }

    QJsonValue statusToJson(std::optional<StatusClass> s)
    {
        return s ? QJsonValue(QString::fromLatin1(statusClassName(*s))) : QJsonValue(QJsonValue::Null);
    }

    std::optional<StatusClass> statusFromJson(const QJsonValue &v, bool *ok)
    {
        if (v.isNull() || v.isUndefined())
            return std::nullopt;
        if (v == u"success"_s)
            return StatusClass::Success;
        if (v == u"failure"_s)
            return StatusClass::Failure;
        *ok = false;
        return std::nullopt;
    }

} // namespace

QByteArray transitionName(Transition t)
{
    switch (t) {
    case Transition::Broken:
        return "broken"_ba;
    case Transition::Fixed:
        return "fixed"_ba;
    case Transition::StillFailing:
        return "still-failing"_ba;
    case Transition::Passed:
        return "passed"_ba;
    case Transition::Canceled:
        return "canceled"_ba;
    case Transition::Unknown:
        break;
    }
    return "unknown"_ba;
}

TrackerKey TrackerKey::fromEvent(const WebhookEvent &event)
{
    TrackerKey key;
    if (event.project)
        key.projectSlug = event.project->slug;
    if (event.workflow)
        key.workflowName = event.workflow->name;
    if (event.pipeline) {
        if (event.pipeline->branch)
            key.ref = *event.pipeline->branch;
        else if (event.pipeline->tag)
            key.ref = u"tag:"_s + *event.pipeline->tag;
    }
    return key;
}

QString TrackerKey::toString() const
{
    // '\n' cannot occur in a slug, ref or workflow name CircleCI accepts, so the join is unambiguous.
    return projectSlug + u'\n' + ref + u'\n' + workflowName;
}

std::optional<TrackerUpdate> StatusTracker::record(const WebhookEvent &event)
{
    if (event.type != EventType::WorkflowCompleted || !event.workflow)
        return std::nullopt;
    return record(TrackerKey::fromEvent(event), event.workflow->id, event.workflow->statusClass,
                  event.workflow->createdAt);
}

TrackerUpdate StatusTracker::record(const TrackerKey &key, const QString &workflowId, StatusClass status,
                                    const QDateTime &workflowCreatedAt)
{
    const QString id = key.toString();
    auto it = m_entries.find(id);
    if (it == m_entries.end()) {
        Entry entry;
        entry.key = id;
        entry.projectSlug = key.projectSlug;
        entry.ref = key.ref;
        entry.workflowName = key.workflowName;
        it = m_entries.insert(id, entry);
    }
    Entry &e = *it;
    TrackerUpdate update;
    if (!workflowId.isEmpty() && workflowId == e.lastWorkflowId) {
        // Another completion event for the same run: judge it against what the run's first event
        // was judged against, and let a decisive status (canceled → success flips) win.
        update.repeat = true;
        update.transition = classify(e.decisiveBeforeLast, status);
        if (isDecisive(status))
            e.decisive = status;
        return update;
    }
    if (workflowCreatedAt.isValid() && e.lastCreatedAt.isValid() && workflowCreatedAt < e.lastCreatedAt) {
        update.stale = true;
        update.transition = classify(e.decisive, status);
        return update;
    }
    update.transition = classify(e.decisive, status);
    e.decisiveBeforeLast = e.decisive;
    e.lastWorkflowId = workflowId;
    if (workflowCreatedAt.isValid())
        e.lastCreatedAt = workflowCreatedAt;
    if (isDecisive(status))
        e.decisive = status;
    return update;
}

QList<QPair<TrackerKey, StatusClass>> StatusTracker::decisiveStates() const
{
    QList<QPair<TrackerKey, StatusClass>> out;
    for (const Entry &e : m_entries) {
        if (e.decisive)
            out.append({TrackerKey {e.projectSlug, e.ref, e.workflowName}, *e.decisive});
    }
    return out;
}

std::optional<StatusClass> StatusTracker::lastDecisive(const TrackerKey &key) const
{
    const auto it = m_entries.constFind(key.toString());
    return it == m_entries.cend() ? std::nullopt : it->decisive;
}

QByteArray StatusTracker::saveState() const
{
    QJsonArray entries;
    for (const Entry &e : m_entries) {
        entries.append(QJsonObject {
            {u"project"_s, e.projectSlug},
            {u"ref"_s, e.ref},
            {u"workflow"_s, e.workflowName},
            {u"status"_s, statusToJson(e.decisive)},
            {u"status_before_last"_s, statusToJson(e.decisiveBeforeLast)},
            {u"last_workflow_id"_s, e.lastWorkflowId},
            {u"last_created_at"_s, QString::fromLatin1(formatTimestamp(e.lastCreatedAt))},
        });
    }
    return QJsonDocument(QJsonObject {{u"version"_s, 1}, {u"entries"_s, entries}}).toJson(QJsonDocument::Compact);
}

bool StatusTracker::restoreState(const QByteArray &state)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(state, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject() || doc.object().value(u"version"_s) != 1)
        return false;
    QHash<QString, Entry> restored;
    bool ok = true;
    const QJsonArray entries = doc.object().value(u"entries"_s).toArray();
    for (const QJsonValue &v : entries) {
        const QJsonObject o = v.toObject();
        const QJsonValue project = o.value(u"project"_s);
        const QJsonValue ref = o.value(u"ref"_s);
        const QJsonValue workflow = o.value(u"workflow"_s);
        if (!project.isString() || !ref.isString() || !workflow.isString())
            return false;
        Entry e;
        e.projectSlug = project.toString();
        e.ref = ref.toString();
        e.workflowName = workflow.toString();
        e.key = TrackerKey {e.projectSlug, e.ref, e.workflowName}.toString();
        e.decisive = statusFromJson(o.value(u"status"_s), &ok);
        e.decisiveBeforeLast = statusFromJson(o.value(u"status_before_last"_s), &ok);
        e.lastWorkflowId = o.value(u"last_workflow_id"_s).toString();
        e.lastCreatedAt = parseTimestamp(o.value(u"last_created_at"_s).toString().toLatin1());
        if (!ok)
            return false;
        restored.insert(e.key, e);
    }
    m_entries = std::move(restored);
    return true;
}

} // namespace ct
