// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/apiobjects.h"

#include <QPointer>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace ct {

class CircleCiClient;
class ProjectDiscovery;
struct ApiError;

/*!
 * \brief The CircleCI projects a token can see, each with its webhooks counted, to check the ones
 * CircleTray should have a webhook in (the setup guide's "Create the webhooks for me", Settings →
 * "Watched projects").
 *
 * load() discovers the projects (ProjectDiscovery), shows them at once sorted by organization and
 * name, then lists each one's webhooks, one project after another. A project is checkable once its
 * webhooks are read, unless it is at CircleCI's limit of 5 without one named like CircleTray's or
 * its webhooks could not be read (the row says why). Initially checked: the projects that already
 * have CircleTray's webhook. Everything is asynchronous; a second load() drops the first.
 */
class ProjectPicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectPicker)

public:
    enum Column { ProjectColumn, OrganizationColumn, WebhooksColumn, ColumnCount };
    enum Role {
        SlugRole = Qt::UserRole + 1, //!< on every column: the project's slug
        UnavailableRole, //!< bool: the row cannot be checked (yet, or at all)
        SearchRole, //!< what the filter matches: name, slug, organization
        WebhookCountRole, //!< int on WebhooksColumn: -1 until read (or when it failed)
        HasWebhookRole, //!< bool on WebhooksColumn: one is named like CircleTray's
    };

    explicit ProjectPicker(CircleCiClient *client, QWidget *parent = nullptr);
    ~ProjectPicker() override;

    //! Discovers the projects, then reads each one's webhooks (GET /webhook?scope-id=<id>&scope-type=project,
    //! CircleCiClient::getAll) to show how many it has and whether one is named \a webhookName.
    //! Again while loading: the earlier run is aborted (the client's queue is dropped) and ignored.
    void load(const QString &webhookName);
    bool isLoading() const { return m_loading; }
    QList<CircleCiProject> checkedProjects() const; //!< in the order shown
    QList<CircleCiProject> projects() const; //!< every row
    QStringList projectsWithWebhook() const; //!< slugs that already have one named webhookName
    //! Checks exactly the checkable rows of \a slugs (case-insensitive); rows still being read
    //! follow it too once they are, instead of the default (having CircleTray's webhook).
    void setChecked(const QStringList &slugs);
    QString statusText() const; //!< the status line, for tests and the setup guide
    QString warningsText() const; //!< the discovery's warnings, one a line (empty: none)

    QLineEdit *filterEdit() const { return m_filter; } //!< for tests
    QTreeView *view() const { return m_view; } //!< its model is the filter over the rows
    QPushButton *selectAllButton() const { return m_selectAll; }
    QPushButton *selectNoneButton() const { return m_selectNone; }

Q_SIGNALS:
    void loaded(bool ok); //!< ok=false: the discovery failed; the status line says why
    void selectionChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Row
    {
        CircleCiProject project;
        enum class State { Reading, Read, Failed } state = State::Reading;
        int webhooks = -1;
        bool hasOurs = false;
        QString problem; //!< Failed: why its webhooks could not be listed
        int problemStatus = 0; //!< …and the HTTP status, if there was one
        bool checkable() const;
    };

    void handleDiscovered(const QList<CircleCiProject> &projects, const ApiError &error, const QStringList &warnings);
    void readWebhooks(int row);
    void finish();
    void updateRow(int row);
    void setRowChecked(int row, bool checked);
    void setVisibleChecked(bool checked);
    void toggleCurrent();
    void handleModelChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);
    void updateCount();
    void fitColumns();
    void setStatus(const QString &text);
    void setWarnings(const QStringList &warnings);

    QPointer<CircleCiClient> m_client;
    QPointer<ProjectDiscovery> m_discovery;
    QString m_webhookName;
    quint64 m_generation = 0; //!< bumped by load(): answers of an earlier run are dropped
    bool m_loading = false;
    bool m_bulk = false; //!< several check states change at once: one selectionChanged
    bool m_bulkChanged = false;
    std::optional<QSet<QString>> m_requestedChecks; //!< setChecked() during a load, lowercased
    QList<Row> m_rows; //!< in the model's order
    int m_failed = 0;
    bool m_fittingColumns = false;
    bool m_columnsSizedByUser = false; //!< then fitColumns() leaves them alone

    QStandardItemModel m_model;
    QSortFilterProxyModel m_proxy;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_selectAll = nullptr;
    QPushButton *m_selectNone = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_warnings = nullptr;
};

} // namespace ct
