// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/watchedprojectsdialog.h"

#include "app/account/projectpicker.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace ct {

WatchedProjectsDialog::WatchedProjectsDialog(CircleCiClient *client, const WebhookSpec &spec,
                                             const QString &specProblem, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_spec(spec)
    , m_picker(new ProjectPicker(client, this))
    , m_sync(new WebhookSync(client, this))
{
    setWindowTitle(u"Watched projects"_s);
    setObjectName(u"WatchedProjectsDialog"_s);
    resize(640, 520);
    m_note = new QLabel(
        specProblem.isEmpty()
            ? u"Ticked projects get the webhook “%1” → %2; unticked ones lose it. Changes are made "
              "on CircleCI when you press Apply."_s.arg(spec.name.toHtmlEscaped(), spec.url.toHtmlEscaped())
            : u"Webhooks cannot be made now: %1. Fix it in Settings first."_s.arg(specProblem.toHtmlEscaped()),
        this);
    m_note->setWordWrap(true);
    m_results = new QPlainTextEdit(this);
    m_results->setObjectName(u"results"_s);
    m_results->setReadOnly(true);
    m_results->setMaximumHeight(110);
    m_results->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_apply = buttons->addButton(u"Apply"_s, QDialogButtonBox::ApplyRole);
    m_apply->setEnabled(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_apply, &QPushButton::clicked, this, &WatchedProjectsDialog::apply);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addWidget(m_picker, 1);
    layout->addWidget(m_results);
    layout->addWidget(buttons);

    const bool usable = specProblem.isEmpty();
    connect(m_picker, &ProjectPicker::loaded, this, [this, usable](bool ok) {
        m_watched = m_picker->projectsWithWebhook();
        m_apply->setEnabled(ok && usable);
    });
    connect(m_picker, &ProjectPicker::selectionChanged, this,
            [this, usable] { m_apply->setEnabled(usable && !m_picker->isLoading()); });
    // Each project's line as soon as it is done: a long list shows progress.
    connect(m_sync, &WebhookSync::projectDone, this,
            [this](const WebhookOutcome &o) { m_results->appendPlainText(o.line()); });
    m_picker->load(spec.name);
}

QString WatchedProjectsDialog::results() const
{
    return m_results->toPlainText();
}

void WatchedProjectsDialog::apply()
{
    const QSet<QString> had(m_watched.cbegin(), m_watched.cend());
    QList<CircleCiProject> add;
    QList<CircleCiProject> drop;
    QSet<QString> ticked;
    for (const CircleCiProject &p : m_picker->checkedProjects()) {
        ticked.insert(p.slug);
        if (!had.contains(p.slug))
            add.append(p);
    }
    for (const CircleCiProject &p : m_picker->projects()) {
        if (had.contains(p.slug) && !ticked.contains(p.slug))
            drop.append(p);
    }
    if (add.isEmpty() && drop.isEmpty())
        return;
    m_apply->setEnabled(false);
    m_results->clear();
    m_results->show();
    // Created first, then removed: one WebhookSync at a time (the client is sequential anyway).
    auto lines = std::make_shared<QStringList>();
    auto after = std::make_shared<QSet<QString>>(had);
    const auto finish = [this, lines, after] {
        m_watched = QStringList(after->cbegin(), after->cend());
        m_watched.sort();
        m_results->setPlainText(lines->join(u'\n'));
        m_apply->setEnabled(true);
        Q_EMIT applied(m_watched);
    };
    const auto removeThen = [this, drop, lines, after, finish] {
        if (drop.isEmpty())
            return finish();
        disconnect(m_sync, &WebhookSync::finished, this, nullptr);
        connect(m_sync, &WebhookSync::finished, this, [lines, after, finish](const QList<WebhookOutcome> &outcomes) {
            for (const WebhookOutcome &o : outcomes) {
                lines->append(o.line());
                if (o.ok())
                    after->remove(o.slug);
            }
            finish();
        });
        m_sync->remove(drop, m_spec.name);
    };
    disconnect(m_sync, &WebhookSync::finished, this, nullptr);
    if (add.isEmpty())
        return removeThen();
    connect(m_sync, &WebhookSync::finished, this, [lines, after, removeThen](const QList<WebhookOutcome> &outcomes) {
        for (const WebhookOutcome &o : outcomes) {
            lines->append(o.line());
            if (o.ok())
                after->insert(o.slug);
        }
        removeThen();
    });
    m_sync->sync(add, m_spec);
}

} // namespace ct
