// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historymodel.h"

#include "app/history/relativetime.h"
#include "app/history/statustext.h"
#include "app/statusicons.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QString duration(qint64 s)
    {
        return durationText(s); // one format in the window and the popups
    }

} // namespace

HistoryModel::HistoryModel(HistoryStore *store, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
{
    m_recount.setSingleShot(true);
    m_recount.setInterval(100);
    connect(&m_recount, &QTimer::timeout, this, &HistoryModel::recount);
    m_counter.setMaxThreadCount(1);
    reload();
}

HistoryModel::~HistoryModel()
{
    m_counter.clear();
    m_counter.waitForDone(); // its result is posted to this object; ~QObject drops it if undelivered
}

void HistoryModel::setTotal(qint64 capped)
{
    const int generation = ++m_countGeneration;
    if (capped <= exactCountLimit || !isFiltered()) { // unfiltered: a counter kept by triggers, exact
        m_total = capped;
        m_totalExact = true;
        return;
    }
    // Many matches ("main" matches every row): counting them all is ~50 ns each at 1M rows, so the
    // window shows the first page and "20,000+" now, and the exact number when a worker has it.
    m_total = std::max(m_totalExact ? qint64(0) : m_total, capped);
    m_totalExact = false;
    m_counter.clear();
    m_counter.start([this, path = m_store->path(), filter = m_filter, generation] {
        const qint64 n = HistoryStore::countIn(path, filter);
        QMetaObject::invokeMethod(
            this,
            [this, n, generation] {
                if (generation != m_countGeneration)
                    return; // the filter or the rows changed since: a newer count is coming
                m_total = n >= 0 ? std::max(n, qint64(m_rows.size())) : m_store->count(m_filter);
                m_totalExact = true;
                Q_EMIT totalCountChanged(m_total);
            },
            Qt::QueuedConnection);
    });
}

void HistoryModel::reload()
{
    // beginResetModel() first: circletray-bench-app takes modelAboutToBeReset as the end of the
    // window's typing pause, where its filter timing starts.
    beginResetModel();
    // The count first: with it the store picks the cheaper way to a page of search results.
    setTotal(m_store->count(m_filter, exactCountLimit));
    m_rows = m_store->page(m_filter, 0, pageSize, m_total);
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows[i].workflowId, i);
    m_jobs.clear();
    m_unfilteredTotal = isFiltered() ? m_store->count(HistoryFilter()) : m_total;
    m_recount.stop();
    endResetModel();
    Q_EMIT totalCountChanged(m_total);
}

void HistoryModel::setFilter(const QString &text, const QString &statusClass, const QString &projectSlug)
{
    if (m_filter.text == text && m_filter.statusClass == statusClass && m_filter.projectSlug == projectSlug)
        return;
    m_filter.text = text;
    m_filter.statusClass = statusClass;
    m_filter.projectSlug = projectSlug;
    reload();
}

void HistoryModel::sort(int column, Qt::SortOrder order)
{
    const auto sortColumn = static_cast<HistoryFilter::Column>(std::clamp(column, 0, int(ColumnCount) - 1));
    if (sortColumn == m_filter.sortColumn && order == m_filter.order)
        return; // the view asks again on every header restore: no query for the same order
    m_filter.sortColumn = sortColumn;
    m_filter.order = order;
    reload();
}

void HistoryModel::reindex(int from, int to)
{
    for (int i = std::max(0, from); i <= to && i < m_rows.size(); ++i)
        m_rowById.insert(m_rows[i].workflowId, i);
}

/*!
 * The loaded rows are always the first m_rows.size() rows of the store's order, so that fetchMore()
 * can page on by offset. A changed workflow is put where the store sorts it (the store says where:
 * the same SQL order and filter, nothing re-implemented here): moved, inserted or removed within
 * the loaded rows, or left for a later page when it sorts after them. The total is recounted.
 */
void HistoryModel::workflowChanged(const QString &workflowId)
{
    const qint64 position = m_store->position(m_filter, workflowId); // -1: filtered out (or pruned)
    const int loaded = int(m_rows.size());
    const bool allLoaded = loaded >= m_total;
    const auto it = m_rowById.constFind(workflowId);
    const int old = it == m_rowById.cend() ? -1 : *it;
    scheduleRecount();
    if (old < 0) {
        if (position < 0 || position > loaded || (position == loaded && !allLoaded))
            return; // not among the loaded rows: a later page brings it
        const std::optional<WorkflowRecord> w = m_store->workflow(workflowId);
        if (!w)
            return;
        const int row = int(position);
        beginInsertRows({}, row, row);
        m_rows.insert(row, *w);
        reindex(row, int(m_rows.size()) - 1);
        endInsertRows();
        ++m_total; // until the recount: keeps canFetchMore() right meanwhile
        return;
    }
    if (position < 0 || position >= loaded) {
        // Filtered out, or now sorts after every loaded row.
        beginRemoveRows({}, old, old);
        m_rows.removeAt(old);
        m_rowById.remove(workflowId);
        m_jobs.remove(workflowId);
        reindex(old, int(m_rows.size()) - 1);
        endRemoveRows();
        if (position < 0)
            --m_total;
        return;
    }
    const std::optional<WorkflowRecord> w = m_store->workflow(workflowId);
    if (!w)
        return;
    const int row = int(position);
    if (row != old) {
        // A move keeps the view's selection and expansion of the row.
        beginMoveRows({}, old, old, {}, row > old ? row + 1 : row);
        m_rows.move(old, row);
        reindex(std::min(old, row), std::max(old, row));
        endMoveRows();
    }
    m_rows[row] = *w;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    // Jobs the view has already asked for are swapped for the new list (the row stays expanded).
    if (const auto jobs = m_jobs.find(workflowId); jobs != m_jobs.end()) {
        const QModelIndex parent = index(row, 0);
        if (!jobs->isEmpty()) {
            beginRemoveRows(parent, 0, int(jobs->size()) - 1);
            jobs->clear();
            endRemoveRows();
        }
        const QList<JobRecord> fresh = m_store->jobs(workflowId);
        if (!fresh.isEmpty()) {
            beginInsertRows(parent, 0, int(fresh.size()) - 1);
            *jobs = fresh;
            endInsertRows();
        }
    }
}

void HistoryModel::scheduleRecount()
{
    // Coalesced: a relay replay of a thousand events costs one count, not a thousand.
    if (!m_recount.isActive())
        m_recount.start();
}

void HistoryModel::recount()
{
    const qint64 before = m_total;
    const qint64 allBefore = m_unfilteredTotal;
    const bool wasExact = m_totalExact;
    setTotal(m_store->count(m_filter, exactCountLimit));
    m_unfilteredTotal = isFiltered() ? m_store->count(HistoryFilter()) : m_total;
    if (m_total != before || m_totalExact != wasExact || m_unfilteredTotal != allBefore)
        Q_EMIT totalCountChanged(m_total);
}

bool HistoryModel::isFiltered() const
{
    return !m_filter.text.trimmed().isEmpty() || !m_filter.statusClass.isEmpty() || !m_filter.projectSlug.isEmpty();
}

void HistoryModel::refreshRelativeTimes()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Finished), index(int(m_rows.size()) - 1, Finished), {Qt::DisplayRole});
}

QModelIndex HistoryModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_rows.size() ? createIndex(row, column, topLevel) : QModelIndex();
    if (parent.internalId() != topLevel || parent.column() != 0)
        return {};
    return row < jobsOf(parent.row()).size() ? createIndex(row, column, quintptr(parent.row())) : QModelIndex();
}

QModelIndex HistoryModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == topLevel)
        return {};
    return createIndex(int(child.internalId()), 0, topLevel);
}

const QList<JobRecord> &HistoryModel::jobsOf(int row) const
{
    const QString &id = m_rows[row].workflowId;
    auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        it = m_jobs.insert(id, m_store->jobs(id));
    return *it;
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.internalId() != topLevel || parent.column() != 0)
        return 0;
    return int(jobsOf(parent.row()).size());
}

int HistoryModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool HistoryModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return !m_rows.isEmpty();
    // Workflows are expandable without loading their jobs first (lazy).
    return parent.internalId() == topLevel && parent.column() == 0;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() != topLevel) {
        const QList<JobRecord> &jobs = jobsOf(int(index.internalId()));
        if (index.row() >= jobs.size())
            return {};
        const JobRecord &j = jobs[index.row()];
        if (role == Qt::DecorationRole && index.column() == Status)
            return StatusIcons::forStatusClass(j.statusClass);
        if (role == UrlRole)
            return j.url;
        if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
            return {};
        switch (index.column()) {
        case Status:
            return readableStatus(j.status);
        case Workflow:
            return j.name;
        case Pipeline:
            return j.number > 0 ? QVariant(u"job %1"_s.arg(j.number)) : QVariant();
        case Duration:
            return duration(j.startedAt.isValid() && j.stoppedAt.isValid() ? j.startedAt.secsTo(j.stoppedAt) : -1);
        case Finished:
            return role == Qt::ToolTipRole ? QLocale().toString(j.stoppedAt.toLocalTime(), QLocale::LongFormat)
                                           : relativeTime(j.stoppedAt);
        default:
            return {};
        }
    }
    const WorkflowRecord &w = m_rows[index.row()];
    switch (role) {
    case Qt::DecorationRole:
        return index.column() == Status
            ? QVariant(StatusIcons::forStatusClass(w.status.isEmpty() ? QString() : w.statusClass))
            : QVariant();
    case UrlRole:
        return w.url;
    case WorkflowIdRole:
        return w.workflowId;
    case FromApiRole:
        return w.fromApi;
    case StatusClassRole:
        return w.status.isEmpty() ? QString() : w.statusClass;
    case Qt::ToolTipRole:
        if (index.column() == Status) {
            const QString status =
                w.status.isEmpty() ? u"No workflow result yet: only job results have arrived"_s : w.status;
            return w.fromApi ? status
                    + u"\nRead from the CircleCI API while CircleTray could not hear webhooks: no webhook "
                      "signature; trusted through the TLS connection and your token."_s
                             : status;
        }
        if (index.column() == Finished)
            return w.status.isEmpty() ? u"Still running (last job result %1)"_s.arg(
                       QLocale().toString(w.finishedAt.toLocalTime(), QLocale::LongFormat))
                                      : QLocale().toString(w.finishedAt.toLocalTime(), QLocale::LongFormat);
        if (index.column() == Author)
            return w.authorEmail;
        if (index.column() == Project)
            return w.projectSlug;
        if (index.column() == Subject)
            return w.commitSubject;
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Status:
            return w.fromApi ? readableStatus(w.status) + u" (API)"_s : readableStatus(w.status);
        case Project:
            return w.displayProject();
        case Branch:
            return w.ref();
        case Workflow:
            return w.workflowName;
        case Subject:
            return w.commitSubject;
        case Author:
            return w.authorName;
        case Pipeline:
            return w.pipelineNumber > 0 ? QVariant(w.pipelineNumber) : QVariant();
        case Duration:
            return w.status.isEmpty() ? QString() : duration(w.durationSeconds());
        case Finished:
            // Only job results so far: it has not finished, whatever the time of the last job says.
            return w.status.isEmpty() ? u"running"_s : relativeTime(w.finishedAt);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Status", "Project",  "Branch",   "Workflow", "Commit",
                                        "Author", "Pipeline", "Duration", "Finished"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QString();
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_rows.size() < m_total;
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid())
        return;
    QList<WorkflowRecord> more = m_store->page(m_filter, m_rows.size(), pageSize, m_total);
    // Never a row twice, whatever changed between two pages.
    more.removeIf([this](const WorkflowRecord &w) { return m_rowById.contains(w.workflowId); });
    if (more.isEmpty()) {
        m_total = m_rows.size(); // rows were pruned meanwhile, or a lower bound ran out
        m_totalExact = true;
        ++m_countGeneration;
        Q_EMIT totalCountChanged(m_total);
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + more.size() - 1));
    for (const WorkflowRecord &w : more) {
        m_rowById.insert(w.workflowId, int(m_rows.size()));
        m_rows.append(w);
    }
    endInsertRows();
}

} // namespace ct
