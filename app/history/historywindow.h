// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QModelIndex;
class QTreeView;

namespace ct {

class HistoryModel;
class HistoryStore;
class Settings;

/*!
 * \brief "What broke, when, and who pushed it": workflows newest first, expandable to their jobs,
 * searchable as you type, filterable by status and project, sortable.
 */
class HistoryWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryWindow)

public:
    HistoryWindow(HistoryStore *store, Settings *settings, QWidget *parent = nullptr);
    ~HistoryWindow() override;

    HistoryModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLineEdit *searchBox() const { return m_search; }
    QComboBox *statusFilter() const { return m_status; }
    QComboBox *projectFilter() const { return m_project; }
    QLabel *countLabel() const { return m_count; }
    QLabel *emptyLabel() const { return m_empty; } //!< "No failed workflows" when a filter matches nothing
    void workflowChanged(const QString &workflowId);
    void showAndRaise();
    //! The connection line under the list: where builds come from and whether it works.
    void setConnectionState(bool connected, const QString &description);
    QLabel *connectionLabel() const { return m_connection; }
    //! With a CircleCI token the context menu reruns and cancels workflows; without, it says why not.
    void setWorkflowActionsAvailable(bool available) { m_actionsAvailable = available; }
    //! The context menu of the row at \a index, owned by \a parent (tests read its actions).
    QMenu *contextMenuFor(const QModelIndex &index, QWidget *parent);

Q_SIGNALS:
    // The tray menu's commands, for desktops without a system tray (stock GNOME) or --windowed.
    void settingsRequested();
    void setupGuideRequested();
    void quitRequested();
    void rerunRequested(const QString &workflowId, bool fromFailed);
    void cancelRequested(const QString &workflowId);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter();
    void openUrl(const QModelIndex &index);
    void showContextMenu(const QPoint &pos);
    void refreshProjects();
    void learnProject(const QString &slug);
    void updateCount();
    void saveState();

    HistoryStore *m_store = nullptr;
    Settings *m_settings = nullptr;
    HistoryModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_project = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_connection = nullptr;
    QTimer m_typingDelay;
    QTimer m_relativeTimes;
    bool m_actionsAvailable = false;
};

} // namespace ct
