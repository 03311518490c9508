// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/projectpicker.h"

#include "app/account/projectitemdelegate.h"
#include "app/applogging.h"
#include "core/circleci/circleciclient.h"
#include "core/circleci/projectdiscovery.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    //! CircleCI's own limit (its docs since 2021): a sixth hook is refused.
    constexpr int webhookLimit = 5;

    QString projectsText(qsizetype n)
    {
        return n == 1 ? u"1 project"_s : u"%1 projects"_s.arg(n);
    }

} // namespace

bool ProjectPicker::Row::checkable() const
{
    return state == State::Read && (hasOurs || webhooks < webhookLimit);
}

ProjectPicker::ProjectPicker(CircleCiClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
{
    m_model.setColumnCount(ColumnCount);
    m_model.setHorizontalHeaderLabels({u"Project"_s, u"Organization"_s, u"Webhooks"_s});
    m_proxy.setSourceModel(&m_model);
    m_proxy.setFilterRole(SearchRole);
    m_proxy.setFilterKeyColumn(ProjectColumn);
    m_proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(u"Filter projects"_s);
    m_filter->setAccessibleName(u"Filter projects"_s);
    m_filter->setAccessibleDescription(u"Shows only the projects whose name, slug or organization contain this"_s);
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this); // Down moves into the list

    m_view = new QTreeView(this);
    m_view->setModel(&m_proxy);
    m_view->setItemDelegate(new ProjectItemDelegate(m_view));
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setAccessibleName(u"Projects"_s);
    m_view->setAccessibleDescription(u"CircleCI projects; checked ones get CircleTray's webhook. Space checks or "
                                     "unchecks the selected projects."_s);
    m_view->header()->setStretchLastSection(true);
    // The last section follows the view's width by itself: only the others are sized by hand.
    connect(m_view->header(), &QHeaderView::sectionResized, this, [this](int column) {
        m_columnsSizedByUser = m_columnsSizedByUser || (!m_fittingColumns && column != WebhooksColumn);
    });
    m_view->header()->setSectionsMovable(false);
    m_view->installEventFilter(this); // Space toggles the row, whichever column is current

    m_selectAll = new QPushButton(u"Select &all"_s, this);
    m_selectAll->setToolTip(u"Check every project shown (the filter limits it)"_s);
    m_selectNone = new QPushButton(u"Select &none"_s, this);
    m_selectNone->setToolTip(u"Uncheck every project shown (the filter limits it)"_s);
    m_count = new QLabel(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings = new QLabel(this);
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::PlainText);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setForegroundRole(QPalette::PlaceholderText);
    QFont small = m_warnings->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_warnings->setFont(small);
    m_warnings->hide();

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_selectAll);
    buttons->addWidget(m_selectNone);
    buttons->addStretch();
    buttons->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(m_warnings);
    setFocusProxy(m_view);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy.setFilterFixedString(text.trimmed());
        updateCount();
    });
    connect(m_selectAll, &QPushButton::clicked, this, [this] { setVisibleChecked(true); });
    connect(m_selectNone, &QPushButton::clicked, this, [this] { setVisibleChecked(false); });
    connect(&m_model, &QStandardItemModel::dataChanged, this, &ProjectPicker::handleModelChanged);
    if (m_client) {
        connect(m_client, &CircleCiClient::waiting, this, [this](int seconds) {
            if (m_loading)
                setStatus(u"CircleCI asked to wait %1 s…"_s.arg(seconds));
        });
    }
    updateCount();
}

ProjectPicker::~ProjectPicker()
{
    // Queued calls hold handlers that point here (and into the discovery, a child): drop them.
    if (m_loading && m_client)
        m_client->abortAll();
    m_view->setModel(nullptr);
}

void ProjectPicker::load(const QString &webhookName)
{
    const quint64 generation = ++m_generation;
    if (m_loading && m_client) {
        // Only while a run of ours is queued: an idle picker leaves other users of the client alone.
        qCDebug(lcAppAccount) << "project picker: restarting, the earlier run is dropped";
        m_client->abortAll();
    }
    if (m_discovery) {
        m_discovery->disconnect(this);
        m_discovery->deleteLater(); // maybe inside its own finished(): not now
    }
    m_webhookName = webhookName;
    m_requestedChecks.reset();
    m_rows.clear();
    m_failed = 0;
    m_model.removeRows(0, m_model.rowCount());
    setWarnings({});
    m_loading = true;
    updateCount();
    setStatus(u"Looking for your projects…"_s);

    if (!m_client) {
        m_loading = false;
        setStatus(u"No CircleCI connection to ask."_s);
        Q_EMIT loaded(false);
        return;
    }
    m_discovery = new ProjectDiscovery(m_client, this);
    connect(
        m_discovery, &ProjectDiscovery::finished, this,
        [this, generation](const QList<CircleCiProject> &projects, const ApiError &error, const QStringList &warnings) {
            if (generation == m_generation)
                handleDiscovered(projects, error, warnings);
        });
    m_discovery->start();
}

void ProjectPicker::handleDiscovered(const QList<CircleCiProject> &found, const ApiError &error,
                                     const QStringList &warnings)
{
    setWarnings(warnings);
    if (error) {
        qCInfo(lcAppAccount).noquote() << "project discovery failed:" << error.text();
        m_loading = false;
        setStatus(error.text());
        updateCount();
        Q_EMIT loaded(false);
        return;
    }
    QList<CircleCiProject> projects = found;
    std::stable_sort(projects.begin(), projects.end(), [](const CircleCiProject &a, const CircleCiProject &b) {
        const QString orgA = a.organizationName.isEmpty() ? a.organizationSlug : a.organizationName;
        const QString orgB = b.organizationName.isEmpty() ? b.organizationSlug : b.organizationName;
        if (const int c = orgA.localeAwareCompare(orgB); c != 0)
            return c < 0;
        if (const int c = a.name.localeAwareCompare(b.name); c != 0)
            return c < 0;
        return a.slug < b.slug;
    });
    qCInfo(lcAppAccount) << "project picker:" << projects.size() << "projects," << warnings.size() << "warnings";

    for (const CircleCiProject &p : projects) {
        Row row;
        row.project = p;
        m_rows.append(row);
        QList<QStandardItem *> items;
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QStandardItem;
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            item->setData(p.slug, SlugRole);
            items.append(item);
        }
        const QString org = p.organizationName.isEmpty() ? p.organizationSlug : p.organizationName;
        items[ProjectColumn]->setText(p.name.isEmpty() ? p.slug : p.name);
        items[ProjectColumn]->setData(Qt::Unchecked, Qt::CheckStateRole);
        items[ProjectColumn]->setData(QStringList {p.name, p.slug, org}.join(QChar(0x1f)), SearchRole);
        items[ProjectColumn]->setData(u"%1, %2"_s.arg(p.name, p.slug), Qt::AccessibleTextRole);
        items[OrganizationColumn]->setText(org);
        items[OrganizationColumn]->setToolTip(p.organizationSlug);
        m_model.appendRow(items);
        updateRow(int(m_rows.size()) - 1);
    }
    fitColumns();
    if (!m_view->currentIndex().isValid() && m_proxy.rowCount() > 0)
        m_view->selectionModel()->setCurrentIndex(m_proxy.index(0, 0), QItemSelectionModel::NoUpdate);
    updateCount();
    if (m_rows.isEmpty())
        return finish();
    readWebhooks(0);
}

void ProjectPicker::readWebhooks(int index)
{
    if (index >= m_rows.size())
        return finish();
    setStatus(u"Reading webhooks: %1 of %2…"_s.arg(index + 1).arg(m_rows.size()));
    const CircleCiProject &project = m_rows.at(index).project;
    if (project.id.isEmpty()) { // ProjectDiscovery always has one; never ask for scope-id=""
        m_rows[index].state = Row::State::Failed;
        m_rows[index].problem = u"CircleCI gave no id for this project"_s;
        ++m_failed;
        updateRow(index);
        return readWebhooks(index + 1);
    }
    QUrlQuery query;
    query.addQueryItem(u"scope-id"_s, project.id);
    query.addQueryItem(u"scope-type"_s, u"project"_s);
    const quint64 generation = m_generation;
    m_client->getAll(u"/webhook"_s, query, [this, generation, index](const CircleCiClient::Pages &pages) {
        if (generation != m_generation)
            return;
        Row &row = m_rows[index];
        if (!pages.error.ok()) {
            qCInfo(lcAppAccount).noquote() << row.project.slug << "webhooks not listed:" << pages.error.text();
            row.state = Row::State::Failed;
            row.problem = pages.error.text();
            row.problemStatus = pages.error.httpStatus;
            ++m_failed;
        } else {
            row.state = Row::State::Read;
            row.webhooks = 0;
            for (const QJsonValue &v : pages.items) {
                if (const auto w = CircleCiWebhook::fromJson(v.toObject())) {
                    ++row.webhooks;
                    row.hasOurs = row.hasOurs || w->name == m_webhookName;
                }
            }
        }
        m_bulk = true;
        m_bulkChanged = false;
        updateRow(index);
        if (row.checkable()) {
            const bool checked =
                m_requestedChecks ? m_requestedChecks->contains(row.project.slug.toLower()) : row.hasOurs;
            setRowChecked(index, checked);
        }
        m_bulk = false;
        if (m_bulkChanged)
            Q_EMIT selectionChanged();
        if (generation != m_generation)
            return; // a slot of selectionChanged() loaded again
        updateCount();
        readWebhooks(index + 1);
    });
}

void ProjectPicker::finish()
{
    m_loading = false;
    if (m_rows.isEmpty()) {
        setStatus(u"This token sees no CircleCI projects. Projects appear once they are set up (followed) in "
                  "CircleCI."_s);
    } else {
        const QStringList with = projectsWithWebhook();
        QString text = u"%1, %2 with CircleTray's webhook"_s.arg(projectsText(m_rows.size())).arg(with.size());
        const auto full = std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &row) {
            return row.state == Row::State::Read && !row.checkable();
        });
        // Said here too: the cell may be too narrow to read, and a tooltip needs a mouse.
        if (full > 0)
            text += u"; %1 at CircleCI's limit of %2 webhooks (remove one in Project Settings → Webhooks)"_s
                        .arg(projectsText(full))
                        .arg(webhookLimit);
        if (m_failed > 0)
            text += u"; the webhooks of %1 could not be read (its row says why)"_s.arg(projectsText(m_failed));
        setStatus(text);
    }
    updateCount();
    Q_EMIT loaded(true);
}

void ProjectPicker::updateRow(int index)
{
    const Row &row = m_rows.at(index);
    QStandardItem *project = m_model.item(index, ProjectColumn);
    QStandardItem *hooks = m_model.item(index, WebhooksColumn);
    QString text;
    QString why; // tooltip and accessible description of every cell of the row
    QIcon icon;
    switch (row.state) {
    case Row::State::Reading:
        text = u"reading…"_s;
        why = u"Reading this project's webhooks…"_s;
        break;
    case Row::State::Failed:
        text = row.problemStatus > 0 ? u"could not be read (%1)"_s.arg(row.problemStatus) : u"could not be read"_s;
        why = u"CircleTray could not list this project's webhooks, so it cannot add one: %1"_s.arg(row.problem);
        icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
        break;
    case Row::State::Read:
        text = row.webhooks == 0 ? u"none"_s : row.webhooks == 1 ? u"1 webhook"_s : u"%1 webhooks"_s.arg(row.webhooks);
        if (row.hasOurs) {
            text += u", has CircleTray's"_s;
            why = u"Has a webhook named “%1”"_s.arg(m_webhookName);
            icon = style()->standardIcon(QStyle::SP_DialogApplyButton);
        } else if (!row.checkable()) {
            text = u"%1 webhooks: CircleCI's limit — remove one in Project Settings → Webhooks"_s.arg(row.webhooks);
            why = u"CircleCI allows %1 webhooks per project and this one has %2: remove one in CircleCI's Project "
                  "Settings → Webhooks, then load the list again."_s.arg(webhookLimit)
                      .arg(row.webhooks);
            icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
        }
        break;
    }
    hooks->setText(text);
    hooks->setIcon(icon);
    hooks->setData(row.state == Row::State::Read ? row.webhooks : -1, WebhookCountRole);
    hooks->setData(row.hasOurs, HasWebhookRole);
    for (int c = 0; c < ColumnCount; ++c) {
        QStandardItem *item = m_model.item(index, c);
        item->setData(!row.checkable(), UnavailableRole);
        item->setToolTip(why.isEmpty() ? (c == WebhooksColumn ? text : QString()) : why);
        item->setData(why, Qt::AccessibleDescriptionRole);
    }
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (row.checkable())
        flags |= Qt::ItemIsUserCheckable;
    project->setFlags(flags);
    if (!row.checkable())
        project->setCheckState(Qt::Unchecked);
}

void ProjectPicker::setRowChecked(int index, bool checked)
{
    if (!m_rows.at(index).checkable())
        return;
    QStandardItem *item = m_model.item(index, ProjectColumn);
    const Qt::CheckState state = checked ? Qt::Checked : Qt::Unchecked;
    if (item->checkState() != state)
        item->setCheckState(state);
}

void ProjectPicker::setVisibleChecked(bool checked)
{
    m_bulk = true;
    m_bulkChanged = false;
    for (int r = 0; r < m_proxy.rowCount(); ++r)
        setRowChecked(m_proxy.mapToSource(m_proxy.index(r, ProjectColumn)).row(), checked);
    m_bulk = false;
    if (m_bulkChanged)
        Q_EMIT selectionChanged();
    updateCount();
}

void ProjectPicker::setChecked(const QStringList &slugs)
{
    QSet<QString> wanted;
    for (const QString &slug : slugs)
        wanted.insert(slug.toLower());
    if (m_loading)
        m_requestedChecks = wanted;
    m_bulk = true;
    m_bulkChanged = false;
    for (int i = 0; i < m_rows.size(); ++i)
        setRowChecked(i, wanted.contains(m_rows.at(i).project.slug.toLower()));
    m_bulk = false;
    if (m_bulkChanged)
        Q_EMIT selectionChanged();
    updateCount();
}

void ProjectPicker::toggleCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const int row = m_proxy.mapToSource(current).row();
    if (!m_rows.at(row).checkable())
        return;
    const bool checked = m_model.item(row, ProjectColumn)->checkState() != Qt::Checked;
    // The selected rows follow the current one, like a file manager's multi-selection.
    QList<int> rows {row};
    if (m_view->selectionModel()->isRowSelected(current.row(), current.parent())) {
        for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
            rows.append(m_proxy.mapToSource(i).row());
    }
    m_bulk = true;
    m_bulkChanged = false;
    for (int r : rows)
        setRowChecked(r, checked);
    m_bulk = false;
    if (m_bulkChanged)
        Q_EMIT selectionChanged();
    updateCount();
}

bool ProjectPicker::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (watched == m_view && (key->key() == Qt::Key_Space || key->key() == Qt::Key_Select)
            && key->modifiers() == Qt::NoModifier) {
            toggleCurrent();
            return true;
        }
        if (watched == m_filter && key->key() == Qt::Key_Down && m_proxy.rowCount() > 0) {
            m_view->setFocus(Qt::TabFocusReason);
            if (!m_view->currentIndex().isValid())
                m_view->setCurrentIndex(m_proxy.index(0, 0));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ProjectPicker::handleModelChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                       const QList<int> &roles)
{
    if (topLeft.column() > ProjectColumn || bottomRight.column() < ProjectColumn)
        return;
    if (!roles.isEmpty() && !roles.contains(Qt::CheckStateRole))
        return;
    if (m_bulk) {
        m_bulkChanged = true;
        return;
    }
    Q_EMIT selectionChanged();
    updateCount();
}

void ProjectPicker::fitColumns()
{
    if (m_columnsSizedByUser || m_rows.isEmpty())
        return;
    // The contents' widths, but never so wide that the webhooks column (the why) is squeezed out.
    const int width = m_view->viewport()->width();
    m_fittingColumns = true;
    m_view->resizeColumnToContents(ProjectColumn);
    m_view->resizeColumnToContents(OrganizationColumn);
    m_view->setColumnWidth(ProjectColumn, std::min(m_view->columnWidth(ProjectColumn), width / 3));
    m_view->setColumnWidth(OrganizationColumn, std::min(m_view->columnWidth(OrganizationColumn), width / 5));
    m_fittingColumns = false;
}

void ProjectPicker::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

void ProjectPicker::updateCount()
{
    const qsizetype checked = checkedProjects().size();
    qsizetype hidden = 0;
    if (m_proxy.rowCount() < m_model.rowCount()) {
        for (int i = 0; i < m_rows.size(); ++i) {
            if (m_model.item(i, ProjectColumn)->checkState() == Qt::Checked
                && !m_proxy.mapFromSource(m_model.index(i, ProjectColumn)).isValid())
                ++hidden;
        }
    }
    QString text;
    if (!m_rows.isEmpty() && m_proxy.rowCount() == 0)
        text = u"No project matches “%1”"_s.arg(m_filter->text().trimmed());
    else if (!m_rows.isEmpty())
        text = u"%1 of %2 checked"_s.arg(checked).arg(m_rows.size());
    if (hidden > 0)
        text += u" (%1 hidden by the filter)"_s.arg(hidden);
    m_count->setText(text);
    const bool any = m_proxy.rowCount() > 0;
    m_selectAll->setEnabled(any);
    m_selectNone->setEnabled(any);
}

void ProjectPicker::setStatus(const QString &text)
{
    m_status->setText(text);
    m_status->setAccessibleName(text);
}

void ProjectPicker::setWarnings(const QStringList &warnings)
{
    const QString text = warnings.join(u'\n');
    m_warnings->setText(text);
    m_warnings->setVisible(!warnings.isEmpty());
    m_status->setToolTip(text);
}

QString ProjectPicker::statusText() const
{
    return m_status->text();
}

QString ProjectPicker::warningsText() const
{
    return m_warnings->text();
}

QList<CircleCiProject> ProjectPicker::checkedProjects() const
{
    QList<CircleCiProject> out;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).checkable() && m_model.item(i, ProjectColumn)->checkState() == Qt::Checked)
            out.append(m_rows.at(i).project);
    }
    return out;
}

QList<CircleCiProject> ProjectPicker::projects() const
{
    QList<CircleCiProject> out;
    out.reserve(m_rows.size());
    for (const Row &row : m_rows)
        out.append(row.project);
    return out;
}

QStringList ProjectPicker::projectsWithWebhook() const
{
    QStringList out;
    for (const Row &row : m_rows) {
        if (row.hasOurs)
            out.append(row.project.slug);
    }
    return out;
}

} // namespace ct
