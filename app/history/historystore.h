// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace ct {

struct WorkflowRecord
{
    QString workflowId;
    QString projectSlug;
    QString projectName; //!< falls back to the slug's last part when CircleCI sent none
    QString branch; //!< empty for tag builds and unknown refs
    QString tag;
    QString workflowName;
    QString status; //!< empty while only job events have been seen ("running")
    QString statusClass;
    QString url;
    QString commitSubject;
    QString authorName;
    QString authorEmail;
    QString revision;
    qint64 pipelineNumber = 0;
    QDateTime createdAt;
    QDateTime stoppedAt;
    QDateTime finishedAt; //!< when it completed (stopped_at, else the event time): the sort key
    QDateTime happenedAt; //!< of the event the row was last built from
    bool fromApi = false; //!< read from CircleCI's API by the catch-up, not delivered by a webhook

    QString displayProject() const;
    QString ref() const; //!< branch, "tag <tag>", or "tag build"
    qint64 durationSeconds() const; //!< -1 when unknown
    //! The row \a event alone makes (what record() would store for a first event of its workflow).
    static WorkflowRecord fromEvent(const WebhookEvent &event);
};

struct JobRecord
{
    QString jobId;
    QString workflowId;
    QString name;
    qint64 number = 0;
    QString status;
    QString statusClass;
    QString url;
    QDateTime startedAt;
    QDateTime stoppedAt;
};

struct HistoryFilter
{
    QString text; //!< matched against every text column, case-insensitively
    QString statusClass; //!< "", "success", "failure", "canceled", "unknown", "running"
    QString projectSlug; //!< "" for all
    enum class Column { Status, Project, Branch, Workflow, Subject, Author, Pipeline, Duration, Finished };
    Column sortColumn = Column::Finished;
    Qt::SortOrder order = Qt::DescendingOrder;
};

struct RecordOutcome
{
    bool duplicate = false; //!< this event id was stored before: nothing changed
    bool workflowChanged = false;
    bool jobChanged = false;
    bool superseded = false; //!< an older event of a workflow already newer in the store
    bool failed = false; //!< nothing was stored: the database refused the write (read-only, full, …)
    QString error; //!< why, when failed
};

/*!
 * \brief The app's history: every workflow and job event, in SQLite through QtSql.
 *
 * Deduplicated by event id; the N+1 workflow-completed events CircleCI sends for one workflow
 * collapse into one row that keeps the latest; jobs attach to their workflow whichever arrives
 * first (a job seen first creates the workflow's row, completed later). Schema versioned in `meta`.
 * Text search of 3+ characters goes through an FTS5 trigram index, shorter text is a LIKE scan;
 * the index and the workflow count are kept in step by triggers (schema 3).
 */
class HistoryStore
{
public:
    explicit HistoryStore(const QString &path);
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    bool open(QString *error);
    QString path() const { return m_path; }
    QSqlDatabase database() const { return m_db; }

    RecordOutcome record(const WebhookEvent &event);
    std::optional<WorkflowRecord> workflow(const QString &workflowId) const;
    QList<JobRecord> jobs(const QString &workflowId) const;
    QList<WorkflowRecord> recent(int count) const;
    //! Text of 3+ characters is looked up in a trigram index, shorter text is a LIKE scan; both
    //! match substrings of the lowercased text columns. With \a atMost >= 0 it stops counting there:
    //! the exact count when it is at most \a atMost, else atMost + 1 (a dense search at 1M rows
    //! costs what 20,000 matches cost, not 50 ms).
    qint64 count(const HistoryFilter &filter, qint64 atMost = -1) const;
    //! count() on a connection of its own to the history file \a path, for a worker thread.
    static qint64 countIn(const QString &path, const HistoryFilter &filter);
    //! \a matching: the filter's count() when the caller knows it; it lets a filtered page choose
    //! the cheaper way to its rows (the rows are the same either way).
    QList<WorkflowRecord> page(const HistoryFilter &filter, qint64 offset, int limit, qint64 matching = -1) const;
    //! Where \a workflowId stands in page()'s order under \a filter (how many rows come before it);
    //! -1 when it does not pass the filter or is not stored.
    qint64 position(const HistoryFilter &filter, const QString &workflowId) const;
    QStringList projects() const; //!< slugs, for the project filter
    //! Deletes workflows (and their jobs) finished before now - \a days, and old event ids.
    int prune(int days);
    //! How many workflows prune(\a days) would delete now.
    qint64 countOlderThan(int days) const;
    //! When the newest workflow in the history finished (invalid when there is none).
    QDateTime newestFinishedAt() const;

    QByteArray meta(const QString &key) const;
    void setMeta(const QString &key, const QByteArray &value);

    static constexpr int schemaVersion = 4;

private:
    bool migrate(QString *error);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
};

} // namespace ct
