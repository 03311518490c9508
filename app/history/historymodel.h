// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/history/historystore.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QThreadPool>
#include <QTimer>

namespace ct {

/*!
 * \brief Workflows (newest first by default) with their jobs as children, fetched lazily from the store.
 *
 * Rows come in pages as the view scrolls (canFetchMore/fetchMore), jobs when a workflow is
 * expanded; filtering and sorting are SQL queries, so 1,000,000 workflows cost what one page costs
 * (a search that matches more than 20,000 of them shows "20,000+" until a worker thread has counted
 * them exactly: the first page never waits for the count).
 * A changed workflow updates its row in place; a new one is inserted at the top when the view
 * shows newest first. Nothing is reloaded wholesale per event.
 */
class HistoryModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryModel)

public:
    enum Column { Status, Project, Branch, Workflow, Subject, Author, Pipeline, Duration, Finished, ColumnCount };
    enum Role {
        UrlRole = Qt::UserRole + 1,
        WorkflowIdRole,
        StatusClassRole, //!< "success", "failure", "canceled", "unknown"; empty while it runs (no result yet)
        FromApiRole, //!< bool: read from CircleCI's API by the catch-up, not delivered by a webhook
    };

    explicit HistoryModel(HistoryStore *store, QObject *parent = nullptr);
    ~HistoryModel() override;

    void setFilter(const QString &text, const QString &statusClass, const QString &projectSlug);
    //! Rows that pass the filter; while totalIsExact() is false, a lower bound (exactCountLimit + 1).
    qint64 totalCount() const { return m_total; }
    bool totalIsExact() const { return m_totalExact; }
    qint64 unfilteredCount() const { return m_unfilteredTotal; } //!< every workflow in the history
    bool isFiltered() const;
    void workflowChanged(const QString &workflowId);
    void refreshRelativeTimes();
    void reload(); //!< after rows were deleted behind the model's back (pruning)

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    void totalCountChanged(qint64 count);

private:
    static constexpr quintptr topLevel = ~quintptr(0);
    static constexpr int pageSize = 200;

public:
    //! Counted on the GUI thread up to here; beyond, the exact count comes from a worker.
    static constexpr qint64 exactCountLimit = 20000;

private:
    void setTotal(qint64 capped); //!< a count() capped at exactCountLimit; counts exactly if needed

    void reindex(int from, int to);
    void scheduleRecount();
    void recount();
    const QList<JobRecord> &jobsOf(int row) const;

    HistoryStore *m_store = nullptr;
    HistoryFilter m_filter;
    QList<WorkflowRecord> m_rows;
    QHash<QString, int> m_rowById;
    mutable QHash<QString, QList<JobRecord>> m_jobs;
    qint64 m_total = 0;
    bool m_totalExact = true;
    int m_countGeneration = 0; //!< a worker's count is used only if nothing changed meanwhile
    QThreadPool m_counter;
    qint64 m_unfilteredTotal = 0;
    QTimer m_recount;
};

} // namespace ct
