// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historywindow.h"

#include "app/history/historymodel.h"
#include "app/history/historystore.h"
#include "app/setup/settings.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    //! Enter opens the selected row's URL.
    class HistoryView final : public QTreeView
    {
    public:
        using QTreeView::QTreeView;
        std::function<void(const QModelIndex &)> onActivate;

    protected:
        void keyPressEvent(QKeyEvent *event) override
        {
            if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentIndex().isValid()) {
                onActivate(currentIndex());
                return;
            }
            QTreeView::keyPressEvent(event);
        }
    };

} // namespace

HistoryWindow::HistoryWindow(HistoryStore *store, Settings *settings, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_settings(settings)
    , m_model(new HistoryModel(store, this))
{
    setWindowTitle(u"CircleTray — History"_s);
    setObjectName(u"HistoryWindow"_s);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(u"Search project, branch, workflow, commit, author…"_s);
    m_search->setClearButtonEnabled(true);
    m_status = new QComboBox(this);
    m_status->addItem(u"All results"_s, QString());
    m_status->addItem(u"Failed"_s, u"failure"_s);
    m_status->addItem(u"Passed"_s, u"success"_s);
    m_status->addItem(u"Canceled"_s, u"canceled"_s);
    m_status->addItem(u"Running"_s, u"running"_s);
    m_status->addItem(u"Other"_s, u"unknown"_s);
    m_project = new QComboBox(this);
    m_project->setMinimumContentsLength(18);
    refreshProjects();

    auto *view = new HistoryView(this);
    view->onActivate = [this](const QModelIndex &i) { openUrl(i); };
    m_view = view;
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true); // fast layout for very long lists
    // The indicator first: enabling sorting sorts by it, and the default (first column, ascending)
    // made a 100,000-row history sort by status before the newest-first order replaced it.
    m_view->header()->setSortIndicator(HistoryModel::Finished, Qt::DescendingOrder);
    m_view->setSortingEnabled(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setAllColumnsShowFocus(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(HistoryModel::Subject, QHeaderView::Stretch);
    const int widths[] = {115, 110, 130, 130, 270, 120, 65, 70, 90};
    for (int c = 0; c < HistoryModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
    m_count = new QLabel(this);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_status);
    filters->addWidget(m_project);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_count);

    m_typingDelay.setSingleShot(true);
    m_typingDelay.setInterval(120); // filter as you type, one query per pause rather than per key
    connect(&m_typingDelay, &QTimer::timeout, this, &HistoryWindow::applyFilter);
    connect(m_search, &QLineEdit::textChanged, &m_typingDelay, qOverload<>(&QTimer::start));
    connect(m_status, &QComboBox::currentIndexChanged, this, &HistoryWindow::applyFilter);
    connect(m_project, &QComboBox::currentIndexChanged, this, &HistoryWindow::applyFilter);
    connect(m_view, &QTreeView::doubleClicked, this, &HistoryWindow::openUrl);
    connect(m_view, &QWidget::customContextMenuRequested, this, &HistoryWindow::showContextMenu);
    connect(m_model, &HistoryModel::totalCountChanged, this, [this](qint64 n) {
        m_count->setText(n == 1 ? u"1 workflow"_s : u"%1 workflows"_s.arg(QLocale().toString(n)));
    });
    m_count->setText(u"%1 workflows"_s.arg(QLocale().toString(m_model->totalCount())));
    m_relativeTimes.setInterval(60'000); // only while shown: an idle app does not wake up for this
    connect(&m_relativeTimes, &QTimer::timeout, m_model, &HistoryModel::refreshRelativeTimes);

    resize(1100, 600);
    restoreGeometry(m_settings->value(Settings::Key::HistoryGeometry).toByteArray());
    const QByteArray header = m_settings->value(Settings::Key::HistoryColumns).toByteArray();
    if (!header.isEmpty())
        m_view->header()->restoreState(header);
}

HistoryWindow::~HistoryWindow() = default;

void HistoryWindow::showAndRaise()
{
    show();
    raise();
    activateWindow();
}

void HistoryWindow::workflowChanged(const QString &workflowId)
{
    m_model->workflowChanged(workflowId);
}

void HistoryWindow::applyFilter()
{
    m_model->setFilter(m_search->text(), m_status->currentData().toString(), m_project->currentData().toString());
}

void HistoryWindow::refreshProjects()
{
    const QString current = m_project->currentData().toString();
    const QSignalBlocker block(m_project);
    m_project->clear();
    m_project->addItem(u"All projects"_s, QString());
    for (const QString &slug : m_store->projects())
        m_project->addItem(slug.section(u'/', -1), slug);
    m_project->setCurrentIndex(std::max(0, m_project->findData(current)));
}

void HistoryWindow::openUrl(const QModelIndex &index)
{
    const QUrl url(index.sibling(index.row(), 0).data(HistoryModel::UrlRole).toString());
    if (url.isValid() && !url.isEmpty())
        QDesktopServices::openUrl(url);
}

void HistoryWindow::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString url = index.sibling(index.row(), 0).data(HistoryModel::UrlRole).toString();
    QMenu menu(this);
    menu.addAction(u"Open in browser"_s, this, [this, index] { openUrl(index); })->setEnabled(!url.isEmpty());
    menu.addAction(u"Copy URL"_s, this, [url] { QApplication::clipboard()->setText(url); })->setEnabled(!url.isEmpty());
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void HistoryWindow::saveState()
{
    m_settings->setValue(Settings::Key::HistoryGeometry, saveGeometry());
    m_settings->setValue(Settings::Key::HistoryColumns, m_view->header()->saveState());
}

void HistoryWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    QWidget::closeEvent(event);
}

void HistoryWindow::showEvent(QShowEvent *event)
{
    refreshProjects();
    m_model->refreshRelativeTimes();
    m_relativeTimes.start();
    QWidget::showEvent(event);
}

void HistoryWindow::hideEvent(QHideEvent *event)
{
    m_relativeTimes.stop();
    saveState();
    QWidget::hideEvent(event);
}

} // namespace ct
