// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/dashboard/dashboardstate.h"

#include "core/eventjson.h"
#include "core/timestamp.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QJsonValue time(const QDateTime &t)
    {
        return t.isValid() ? QJsonValue(QString::fromLatin1(formatTimestamp(t))) : QJsonValue(QJsonValue::Null);
    }

    QByteArray stateName(StatusClass c)
    {
        return c == StatusClass::Failure ? "failed"_ba : statusClassName(c);
    }

    //! When a result happened: the workflow's stop, else the delivery's time.
    QDateTime finishedAt(const WebhookEvent &e)
    {
        if (e.workflow && e.workflow->stoppedAt.isValid())
            return e.workflow->stoppedAt;
        return e.happenedAt;
    }

    //! Is the run (created \a createdAt, pipeline \a number) newer than the tile's latest result?
    bool newerThan(const QDateTime &createdAt, qint64 number, const QDateTime &latestCreatedAt, qint64 latestNumber)
    {
        if (createdAt.isValid() && latestCreatedAt.isValid())
            return createdAt > latestCreatedAt;
        return number > latestNumber;
    }

    QString searchText(const WebhookEvent &e)
    {
        QStringList parts;
        if (e.project)
            parts << e.project->slug << e.project->name.value_or(QString());
        if (e.workflow)
            parts << e.workflow->name << e.workflow->status.value_or(QString());
        if (e.pipeline) {
            parts << e.pipeline->branch.value_or(QString()) << e.pipeline->tag.value_or(QString())
                  << e.pipeline->commitSubject.value_or(QString()) << e.pipeline->commitAuthorName.value_or(QString())
                  << QString::number(e.pipeline->number);
        }
        return parts.join(u'\n').toCaseFolded();
    }

    qint64 pipelineNumber(const std::optional<WebhookEvent> &event)
    {
        return event && event->pipeline ? event->pipeline->number : 0;
    }

} // namespace

DashboardState::DashboardState(Limits limits)
    : m_limits(limits)
{ }

std::optional<QJsonObject> DashboardState::apply(const StoredEvent &stored)
{
    const std::optional<Change> changed = change(stored);
    if (!changed)
        return std::nullopt;
    return update(stored.seq, m_tiles[changed->tileKey], changed->recent ? &*changed->recent : nullptr);
}

void DashboardState::fold(const StoredEvent &stored)
{
    change(stored);
}

std::optional<DashboardState::Change> DashboardState::change(const StoredEvent &stored)
{
    m_lastSeq = std::max(m_lastSeq, stored.seq);
    const EventParseResult parsed = m_parser.parse(stored.body);
    if (!parsed.ok() || !parsed.event.project)
        return std::nullopt; // pings; bodies the relay stored but this version cannot read
    m_lastEventAt = stored.receivedAt;
    if (parsed.event.type == EventType::WorkflowCompleted)
        return applyWorkflow(parsed.event, stored.seq);
    if (parsed.event.type == EventType::JobCompleted && parsed.event.workflow && parsed.event.job)
        return applyJob(parsed.event, stored.seq);
    return std::nullopt;
}

DashboardState::Jobs &DashboardState::jobsOf(const QString &workflowId, const QString &tileKey)
{
    auto it = m_jobs.find(workflowId);
    if (it != m_jobs.end())
        return *it;
    while (int(m_jobsOrder.size()) >= m_limits.trackedWorkflows) {
        m_jobs.remove(m_jobsOrder.front());
        m_jobsOrder.pop_front();
    }
    m_jobsOrder.push_back(workflowId);
    Jobs &jobs = m_jobs[workflowId];
    jobs.tileKey = tileKey;
    return jobs;
}

QStringList DashboardState::failedJobs(const QString &workflowId) const
{
    const auto it = m_jobs.constFind(workflowId);
    return it == m_jobs.cend() ? QStringList() : it->failed;
}

std::optional<DashboardState::Change> DashboardState::applyWorkflow(const WebhookEvent &e, qint64 seq)
{
    const TrackerKey key = TrackerKey::fromEvent(e);
    const QString keyString = key.toString();
    const std::optional<TrackerUpdate> tracked = m_tracker.record(e);
    if (!tracked)
        return std::nullopt;
    const QString &workflowId = e.workflow->id;
    const StatusClass status = e.workflow->statusClass;
    jobsOf(workflowId, keyString).completed = true;

    // Recent: one item per workflow id (its latest delivery), in the order the workflows finished,
    // so a late delivery (a retry, an N+1 cancel event) goes to its place.
    if (m_recentIds.remove(workflowId)) {
        for (auto it = m_recent.rbegin(); it != m_recent.rend(); ++it) {
            if (it->workflowId == workflowId) {
                m_recent.erase(std::next(it).base());
                break;
            }
        }
    }
    const QDateTime finished = finishedAt(e);
    auto at = m_recent.end();
    while (at != m_recent.begin() && std::prev(at)->finishedAt > finished)
        --at;
    std::optional<Recent> item;
    // Older than everything kept when the list is full: not listed (it would be dropped at once).
    if (at != m_recent.begin() || int(m_recent.size()) < m_limits.recentItems) {
        item = *m_recent.insert(at,
                                {seq, workflowId, tracked->transition, e, keyString, searchText(e), finished});
        m_recentIds.insert(workflowId);
        if (int(m_recent.size()) > m_limits.recentItems) {
            m_recentIds.remove(m_recent.front().workflowId);
            m_recent.pop_front();
        }
    }

    auto [tileIt, created] = [&] {
        auto it = m_tiles.find(keyString);
        if (it != m_tiles.end())
            return std::pair(it, false);
        Tile tile;
        tile.key = key;
        tile.keyString = keyString;
        return std::pair(m_tiles.insert(keyString, tile), true);
    }();
    Tile &tile = *tileIt;
    if (tracked->stale && !created && tile.event) {
        // An older run finished late: listed in Recent, the tile keeps the newer result.
        return Change {keyString, item};
    }
    tile.seq = seq;
    tile.event = e;
    tile.workflowId = workflowId;
    tile.workflowCreatedAt = e.workflow->createdAt;
    tile.state = status;
    tile.verdict = tracked->transition;
    if (!tracked->repeat && (status == StatusClass::Success || status == StatusClass::Failure)) {
        if (tile.streakClass == status) {
            ++tile.streakRuns;
        } else {
            tile.streakClass = status;
            tile.streakRuns = 1;
            tile.streakSince = finishedAt(e);
        }
    }
    if (tile.running
        && (tile.running->workflowId == workflowId
            || !newerThan(tile.running->workflowCreatedAt, tile.running->pipelineNumber, tile.workflowCreatedAt,
                          e.pipeline ? e.pipeline->number : 0)))
        tile.running.reset();
    return Change {keyString, item};
}

std::optional<DashboardState::Change> DashboardState::applyJob(const WebhookEvent &e, qint64 seq)
{
    const TrackerKey key = TrackerKey::fromEvent(e);
    const QString keyString = key.toString();
    const QString &workflowId = e.workflow->id;
    Jobs &jobs = jobsOf(workflowId, keyString);
    if (jobs.seenJobIds.contains(e.job->id))
        return std::nullopt;
    jobs.seenJobIds.append(e.job->id);
    if (e.job->statusClass == StatusClass::Failure && !jobs.failed.contains(e.job->name))
        jobs.failed.append(e.job->name);
    jobs.lastEvent = e;
    if (!jobs.firstAt.isValid())
        jobs.firstAt = e.happenedAt;
    jobs.workflowCreatedAt = e.workflow->createdAt;
    jobs.pipelineNumber = e.pipeline ? e.pipeline->number : 0;

    auto it = m_tiles.find(keyString);
    if (it != m_tiles.end() && it->workflowId == workflowId) {
        // A late job result of the tile's own latest workflow: its failing jobs change.
        it->seq = seq;
        return Change {keyString, std::nullopt};
    }
    if (jobs.completed)
        return std::nullopt; // an older workflow's late job: nothing on the page shows it
    if (it != m_tiles.end() && it->event
        && !newerThan(jobs.workflowCreatedAt, jobs.pipelineNumber, it->workflowCreatedAt, pipelineNumber(it->event)))
        return std::nullopt;
    if (it == m_tiles.end()) {
        Tile tile;
        tile.key = key;
        tile.keyString = keyString;
        it = m_tiles.insert(keyString, tile);
    }
    it->running = Running {workflowId, jobs.workflowCreatedAt, jobs.pipelineNumber};
    it->seq = seq;
    return Change {keyString, std::nullopt};
}

QJsonObject DashboardState::update(qint64 seq, const Tile &tile, const Recent *recent) const
{
    return QJsonObject {
        {u"type"_s, u"update"_s},
        {u"seq"_s, seq},
        {u"last_event_at"_s, time(m_lastEventAt)},
        {u"tile"_s, tileJson(tile)},
        {u"recent"_s, recent ? QJsonValue(recentJson(*recent)) : QJsonValue(QJsonValue::Null)},
    };
}

QJsonObject DashboardState::tileJson(const Tile &tile) const
{
    const bool running = tile.running.has_value();
    QJsonObject o {
        {u"key"_s, tile.keyString},
        {u"project"_s, tile.key.projectSlug},
        {u"ref"_s, tile.key.ref},
        {u"workflow"_s, tile.key.workflowName},
        {u"state"_s, running ? u"running"_s : QString::fromLatin1(stateName(tile.state))},
        {u"verdict"_s, running ? u"running"_s : QString::fromLatin1(transitionName(tile.verdict))},
        {u"streak"_s,
         tile.streakClass ? QJsonValue(QJsonObject {{u"runs"_s, tile.streakRuns},
                                                    {u"since"_s, time(tile.streakSince)},
                                                    {u"outcome"_s, QString::fromLatin1(stateName(*tile.streakClass))}})
                          : QJsonValue(QJsonValue::Null)},
        {u"seq"_s, tile.seq},
        {u"event"_s, tile.event ? QJsonValue(eventToJson(*tile.event)) : QJsonValue(QJsonValue::Null)},
        {u"failed_jobs"_s,
         QJsonArray::fromStringList(tile.event ? failedJobs(tile.workflowId) : QStringList())},
        {u"running"_s, QJsonValue(QJsonValue::Null)},
    };
    if (running) {
        const auto jobs = m_jobs.constFind(tile.running->workflowId);
        if (jobs != m_jobs.cend()) {
            o.insert(u"running"_s,
                     QJsonObject {
                         {u"workflow_id"_s, tile.running->workflowId},
                         {u"pipeline_number"_s, tile.running->pipelineNumber},
                         {u"since"_s, time(jobs->firstAt)},
                         {u"jobs_done"_s, int(jobs->seenJobIds.size())},
                         {u"failed_jobs"_s, QJsonArray::fromStringList(jobs->failed)},
                         {u"event"_s, jobs->lastEvent ? QJsonValue(eventToJson(*jobs->lastEvent)) : QJsonValue(QJsonValue::Null)},
                     });
        } else {
            // Forgotten (more workflows tracked since than the limit): show the last result instead.
            o.insert(u"state"_s, QString::fromLatin1(stateName(tile.state)));
            o.insert(u"verdict"_s, QString::fromLatin1(transitionName(tile.verdict)));
        }
    }
    return o;
}

QJsonObject DashboardState::recentJson(const Recent &item) const
{
    return QJsonObject {
        {u"seq"_s, item.seq},
        {u"verdict"_s, QString::fromLatin1(transitionName(item.verdict))},
        {u"event"_s, eventToJson(item.event)},
        {u"failed_jobs"_s, QJsonArray::fromStringList(failedJobs(item.workflowId))},
    };
}

QJsonObject DashboardState::recent(const QString &query, int offset, int limit) const
{
    const QStringList words = query.toCaseFolded().split(u' ', Qt::SkipEmptyParts);
    offset = std::max(0, offset);
    limit = std::clamp(limit, 1, 200);
    QJsonArray items;
    int total = 0;
    for (auto it = m_recent.crbegin(); it != m_recent.crend(); ++it) {
        if (!std::all_of(words.cbegin(), words.cend(), [&](const QString &w) { return it->haystack.contains(w); }))
            continue;
        if (total >= offset && total < offset + limit)
            items.append(recentJson(*it));
        ++total;
    }
    return QJsonObject {
        {u"items"_s, items},
        {u"total"_s, total},
        {u"offset"_s, offset},
        {u"next"_s, offset + limit < total ? QJsonValue(offset + limit) : QJsonValue(QJsonValue::Null)},
    };
}

QJsonObject DashboardState::toJson(const QString &relayId, qint64 headSeq, const QDateTime &now) const
{
    QJsonArray tiles;
    for (const Tile &tile : m_tiles)
        tiles.append(tileJson(tile));
    return QJsonObject {
        {u"relay_id"_s, relayId},      {u"head_seq"_s, headSeq},
        {u"server_time"_s, time(now)}, {u"last_event_at"_s, time(m_lastEventAt)},
        {u"tiles"_s, tiles},           {u"recent"_s, recent(QString(), 0, 50)},
    };
}

} // namespace ct
