// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/eventparser.h"
#include "core/statustracker.h"
#include "relay/eventlog.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QStringList>

#include <deque>
#include <optional>

namespace ct {

/*!
 * \brief What the dashboard shows, folded from the event log: a tile per project · ref · workflow
 * and the recent results (docs/dashboard-protocol.md).
 *
 * Events are parsed with the core parser and classified with the core StatusTracker, so a tile says
 * Broken or Fixed exactly when the tray app would. Apply every stored event once, in sequence
 * order; at start the relay rebuilds the state by applying the whole log. Pure: no I/O, no clock.
 */
class DashboardState
{
public:
    struct Limits
    {
        int recentItems = 5000; //!< workflows kept for "Recent results" and its search
        int trackedWorkflows = 5000; //!< workflows whose job results are remembered (failing jobs, running)
    };
    DashboardState()
        : DashboardState(Limits())
    { }
    explicit DashboardState(Limits limits);

    //! Folds one stored event in; the `update` message for it (tile, recent item), or nullopt when it
    //! changed nothing on the page (a ping, an unparseable body, a job of a workflow already replaced).
    std::optional<QJsonObject> apply(const StoredEvent &event);
    //! The same without building the message (rebuilding at start).
    void fold(const StoredEvent &event);

    //! The whole state: relay id, head, the time now, every tile and the first page of recent results.
    QJsonObject toJson(const QString &relayId, qint64 headSeq, const QDateTime &now) const;
    //! One page of recent results matching every word of \a query, newest first.
    QJsonObject recent(const QString &query, int offset, int limit) const;

    qint64 lastSeq() const { return m_lastSeq; }
    QDateTime lastEventAt() const { return m_lastEventAt; }
    int tileCount() const { return int(m_tiles.size()); }
    int recentCount() const { return int(m_recent.size()); }

private:
    struct Jobs
    {
        QString tileKey;
        QStringList failed; //!< names, in the order they failed
        QStringList seenJobIds;
        std::optional<WebhookEvent> lastEvent; //!< the latest job-completed
        QDateTime firstAt;
        QDateTime workflowCreatedAt;
        qint64 pipelineNumber = 0;
        bool completed = false; //!< its workflow-completed arrived
    };
    struct Running
    {
        QString workflowId;
        QDateTime workflowCreatedAt;
        qint64 pipelineNumber = 0;
    };
    struct Tile
    {
        TrackerKey key;
        QString keyString;
        qint64 seq = 0;
        std::optional<WebhookEvent> event; //!< the latest workflow-completed; none while only running
        QString workflowId;
        QDateTime workflowCreatedAt;
        StatusClass state = StatusClass::Unknown;
        Transition verdict = Transition::Unknown;
        std::optional<StatusClass> streakClass;
        int streakRuns = 0;
        QDateTime streakSince;
        std::optional<Running> running;
    };
    struct Recent
    {
        qint64 seq = 0;
        QString workflowId;
        Transition verdict = Transition::Unknown;
        WebhookEvent event; //!< normalised (eventToJson) only when sent: most are never shown
        QString tileKey;
        QString haystack; //!< lower-cased text the search matches
        QDateTime finishedAt; //!< the order of "newest first"
    };

    //! What an event changed: the tile, and the recent item when it listed one.
    struct Change
    {
        QString tileKey;
        std::optional<Recent> recent;
    };
    std::optional<Change> change(const StoredEvent &stored);
    std::optional<Change> applyWorkflow(const WebhookEvent &e, qint64 seq);
    std::optional<Change> applyJob(const WebhookEvent &e, qint64 seq);
    Jobs &jobsOf(const QString &workflowId, const QString &tileKey);
    QJsonObject tileJson(const Tile &tile) const;
    QJsonObject recentJson(const Recent &item) const;
    QStringList failedJobs(const QString &workflowId) const;
    QJsonObject update(qint64 seq, const Tile &tile, const Recent *recent) const;

    Limits m_limits;
    EventParser m_parser;
    StatusTracker m_tracker;
    QHash<QString, Tile> m_tiles;
    QHash<QString, Jobs> m_jobs;
    std::deque<QString> m_jobsOrder; //!< oldest first, to forget beyond the limit
    QSet<QString> m_recentIds; //!< workflow ids in m_recent (a repeat is rare: search only then)
    std::deque<Recent> m_recent; //!< by finish time, the oldest first (a later delivery of the same time after)
    qint64 m_lastSeq = 0;
    QDateTime m_lastEventAt;
};

} // namespace ct
