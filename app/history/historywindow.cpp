// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historywindow.h"

#include "app/history/historymodel.h"
#include "app/history/historystore.h"
#include "app/setup/settings.h"
#include "app/trayicon.h"
#include "app/workflowurl.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QShortcut>
#include <QToolBar>
#include <QToolButton>
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
    setWindowTitle(u"History"_s); // the desktop adds " — CircleTray" (the application display name)
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
    const int widths[] = {150, 110, 130, 130, 270, 120, 65, 70, 90};
    for (int c = 0; c < HistoryModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
    m_count = new QLabel(this);
    m_count->setObjectName(u"historyCount"_s);
    // Over the list when the filters match nothing: an empty list alone looks like a broken window.
    m_empty = new QLabel(m_view->viewport());
    m_empty->setObjectName(u"historyEmpty"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_empty->hide();
    m_view->viewport()->installEventFilter(this);

    // The tray menu's commands here too: without a system tray nothing else reaches them.
    auto *tools = new QToolBar(this);
    tools->setObjectName(u"historyToolbar"_s);
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    tools->addAction(u"Settings…"_s, this, &HistoryWindow::settingsRequested)->setObjectName(u"actionSettings"_s);
    auto *pauseMenu = new QMenu(u"Pause notifications"_s, this);
    connect(pauseMenu, &QMenu::aboutToShow, this,
            [this, pauseMenu] { TrayIcon::fillPauseMenu(pauseMenu, m_settings); });
    QAction *pause = tools->addAction(u"Pause"_s);
    pause->setObjectName(u"actionPause"_s);
    pause->setMenu(pauseMenu);
    if (auto *button = qobject_cast<QToolButton *>(tools->widgetForAction(pause)))
        button->setPopupMode(QToolButton::InstantPopup);
    tools->addAction(u"Setup guide…"_s, this, &HistoryWindow::setupGuideRequested)
        ->setObjectName(u"actionSetupGuide"_s);
    tools->addAction(u"Quit CircleTray"_s, this, &HistoryWindow::quitRequested)->setObjectName(u"actionQuit"_s);

    m_connection = new QLabel(this);
    m_connection->setObjectName(u"historyConnection"_s);
    m_connection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Narrow windows: the search field keeps most of the row, the filters shrink to their text.
    m_search->setMinimumWidth(120);
    m_status->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_status->setMinimumContentsLength(11); // "All results"
    m_project->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_project->setMinimumContentsLength(8);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_status);
    filters->addWidget(m_project);
    auto *statusLine = new QHBoxLayout;
    statusLine->addWidget(m_count);
    statusLine->addStretch(1);
    statusLine->addWidget(m_connection);
    auto *layout = new QVBoxLayout(this);
    layout->setMenuBar(tools);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    layout->addLayout(statusLine);

    // Esc and Ctrl+W close, Ctrl+F searches: what every list window does.
    for (const QKeySequence &key : {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)})
        connect(new QShortcut(key, this), &QShortcut::activated, this, &QWidget::close);
    connect(new QShortcut(QKeySequence::Find, this), &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    m_typingDelay.setSingleShot(true);
    m_typingDelay.setInterval(120); // filter as you type, one query per pause rather than per key
    connect(&m_typingDelay, &QTimer::timeout, this, &HistoryWindow::applyFilter);
    connect(m_search, &QLineEdit::textChanged, &m_typingDelay, qOverload<>(&QTimer::start));
    connect(m_status, &QComboBox::currentIndexChanged, this, &HistoryWindow::applyFilter);
    connect(m_project, &QComboBox::currentIndexChanged, this, &HistoryWindow::applyFilter);
    connect(m_view, &QTreeView::doubleClicked, this, &HistoryWindow::openUrl);
    connect(m_view, &QWidget::customContextMenuRequested, this, &HistoryWindow::showContextMenu);
    connect(m_model, &HistoryModel::totalCountChanged, this, &HistoryWindow::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &HistoryWindow::updateCount);
    updateCount();
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
    if (const auto w = m_store->workflow(workflowId))
        learnProject(w->projectSlug);
}

void HistoryWindow::setConnectionState(bool connected, const QString &description)
{
    // In words and a glyph, not colour alone.
    if (description.startsWith(u"not ready:"_s))
        m_connection->setText(u"⚠ Not ready: "_s + description.mid(10).trimmed());
    else
        m_connection->setText(connected ? u"● Connected: "_s + description : u"○ Disconnected: "_s + description);
}

void HistoryWindow::learnProject(const QString &slug)
{
    if (slug.isEmpty() || m_project->findData(slug) >= 0)
        return;
    // In the order refreshProjects() gives (by slug), after "All projects".
    int at = 1;
    while (at < m_project->count() && m_project->itemData(at).toString() < slug)
        ++at;
    const QSignalBlocker block(m_project);
    m_project->insertItem(at, slug.section(u'/', -1), slug);
}

void HistoryWindow::updateCount()
{
    const qint64 shown = m_model->totalCount();
    const QLocale locale;
    const auto workflows = [&locale](qint64 n) {
        return n == 1 ? u"1 workflow"_s : u"%1 workflows"_s.arg(locale.toString(n));
    };
    if (m_model->isFiltered())
        m_count->setText(u"%1 of %2"_s.arg(
            // Many matches: "20,000+" at once, the exact number a moment later.
            m_model->totalIsExact() ? locale.toString(shown) : locale.toString(HistoryModel::exactCountLimit) + u'+',
            workflows(m_model->unfilteredCount())));
    else
        m_count->setText(workflows(shown));
    if (shown > 0 || !m_model->isFiltered()) {
        m_empty->setText(shown > 0 ? QString() : u"No workflows yet: they appear here as CircleCI reports them."_s);
        m_empty->setVisible(shown == 0);
    } else {
        const QString status = m_status->currentIndex() > 0 ? m_status->currentText().toLower() : QString();
        const QString project = m_project->currentIndex() > 0 ? m_project->currentText() : QString();
        QString what = status.isEmpty() ? u"No workflows"_s : u"No %1 workflows"_s.arg(status);
        if (!project.isEmpty())
            what += u" in %1"_s.arg(project);
        if (!m_search->text().trimmed().isEmpty())
            what += u" match “%1”"_s.arg(m_search->text().trimmed());
        m_empty->setText(what + u"."_s);
        m_empty->show();
    }
    m_empty->resize(m_view->viewport()->size());
}

bool HistoryWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        m_empty->resize(m_view->viewport()->size());
    return QWidget::eventFilter(watched, event);
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
        openWorkflowUrl(url);
}

void HistoryWindow::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    QMenu *menu = contextMenuFor(index, this);
    menu->exec(m_view->viewport()->mapToGlobal(pos));
    menu->deleteLater();
}

QMenu *HistoryWindow::contextMenuFor(const QModelIndex &index, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    const QPersistentModelIndex row(index.sibling(index.row(), 0));
    const QString url = row.data(HistoryModel::UrlRole).toString();
    menu->addAction(u"Open in browser"_s, this, [this, row] { openUrl(row); })->setEnabled(!url.isEmpty());
    menu->addAction(u"Copy URL"_s, this, [url] { QApplication::clipboard()->setText(url); })
        ->setEnabled(!url.isEmpty());

    // Rerun and cancel act on the workflow, also from one of its job rows.
    const QModelIndex workflow =
        row.parent().isValid() ? row.parent().sibling(row.parent().row(), 0) : QModelIndex(row);
    const QString id = workflow.data(HistoryModel::WorkflowIdRole).toString();
    const QString statusClass = workflow.data(HistoryModel::StatusClassRole).toString();
    const bool finished = !statusClass.isEmpty();
    menu->addSeparator();
    QAction *rerunFailed =
        menu->addAction(u"Rerun failed jobs"_s, this, [this, id] { Q_EMIT rerunRequested(id, true); });
    QAction *rerunAll = menu->addAction(u"Rerun workflow"_s, this, [this, id] { Q_EMIT rerunRequested(id, false); });
    QAction *cancel = menu->addAction(u"Cancel"_s, this, [this, id] { Q_EMIT cancelRequested(id); });
    rerunFailed->setEnabled(m_actionsAvailable && !id.isEmpty() && statusClass == u"failure");
    rerunAll->setEnabled(m_actionsAvailable && !id.isEmpty() && finished);
    cancel->setEnabled(m_actionsAvailable && !id.isEmpty() && !finished);
    if (!m_actionsAvailable) {
        const QString why = u"Rerun and cancel need a CircleCI token: Settings → CircleCI account"_s;
        for (QAction *a : {rerunFailed, rerunAll, cancel})
            a->setToolTip(why);
        menu->setToolTipsVisible(true);
        menu->addAction(why)->setEnabled(false);
    }
    return menu;
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
