// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historymodel.h"

#include "app/history/relativetime.h"
#include "app/statusicons.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QString duration(qint64 s)
    {
        if (s < 0)
            return {};
        if (s < 60)
            return u"%1 s"_s.arg(s);
        if (s < 3600)
            return u"%1:%2"_s.arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
        return u"%1 h %2 min"_s.arg(s / 3600).arg((s % 3600) / 60);
    }

    QString statusText(const QString &status)
    {
        return status.isEmpty() ? u"running"_s : status;
    }

} // namespace

HistoryModel::HistoryModel(HistoryStore *store, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
{
    reload();
}

void HistoryModel::reload()
{
    beginResetModel();
    m_rows = m_store->page(m_filter, 0, pageSize);
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows[i].workflowId, i);
    m_jobs.clear();
    m_total = m_store->count(m_filter);
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

bool HistoryModel::matches(const WorkflowRecord &w) const
{
    if (!m_filter.projectSlug.isEmpty() && w.projectSlug != m_filter.projectSlug)
        return false;
    if (m_filter.statusClass == u"running" ? !w.status.isEmpty()
                                           : (!m_filter.statusClass.isEmpty() && w.statusClass != m_filter.statusClass))
        return false;
    const QString needle = m_filter.text.trimmed();
    if (needle.isEmpty())
        return true;
    for (const QString &s : {w.projectName, w.projectSlug, w.branch, w.tag, w.workflowName, w.status, w.commitSubject,
                             w.authorName, w.authorEmail, w.revision, QString::number(w.pipelineNumber)}) {
        if (s.contains(needle, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void HistoryModel::workflowChanged(const QString &workflowId)
{
    const std::optional<WorkflowRecord> w = m_store->workflow(workflowId);
    if (!w)
        return;
    if (const auto it = m_rowById.constFind(workflowId); it != m_rowById.cend()) {
        const int row = *it;
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
        return;
    }
    if (!matches(*w))
        return;
    ++m_total;
    Q_EMIT totalCountChanged(m_total);
    // Newest first: a new workflow goes on top (an older one, replayed late, shows up on the next query).
    if (m_filter.sortColumn == HistoryFilter::Column::Finished && m_filter.order == Qt::DescendingOrder
        && (m_rows.isEmpty() || w->finishedAt >= m_rows.first().finishedAt)) {
        beginInsertRows({}, 0, 0);
        m_rows.prepend(*w);
        for (auto &r : m_rowById)
            ++r;
        m_rowById.insert(workflowId, 0);
        endInsertRows();
    }
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
            return j.status;
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
    case Qt::ToolTipRole:
        if (index.column() == Finished)
            return QLocale().toString(w.finishedAt.toLocalTime(), QLocale::LongFormat);
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
            return statusText(w.status);
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
            return duration(w.durationSeconds());
        case Finished:
            return relativeTime(w.finishedAt);
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
    const QList<WorkflowRecord> more = m_store->page(m_filter, m_rows.size(), pageSize);
    if (more.isEmpty()) {
        m_total = m_rows.size(); // rows were pruned meanwhile
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
