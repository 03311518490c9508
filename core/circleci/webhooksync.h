// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/apiobjects.h"
#include "core/circleci/circleciclient.h"

#include <QObject>

namespace ct {

//! What a project's CircleTray webhook must be.
struct WebhookSpec
{
    QString name = QStringLiteral("CircleTray");
    QString url; //!< https://…/webhook
    QByteArray secret;
    QStringList events {QStringLiteral("workflow-completed"), QStringLiteral("job-completed")};

    //! Why CircleCI would not take \a url as a webhook's URL, or empty when it would.
    static QString urlProblem(const QString &url);
};

//! What happened to one project.
struct WebhookOutcome
{
    enum class Result { Created, Updated, Removed, Failed };
    QString slug;
    Result result = Result::Failed;
    int duplicatesRemoved = 0; //!< sync: other hooks of that name deleted; remove: hooks deleted
    QString webhookId;
    ApiError error;
    QString reason; //!< Failed: in words, for the user

    bool ok() const { return result != Result::Failed; }
    //! `<slug>: created`, `<slug>: updated, removed 2 duplicates`, `<slug>: failed: <reason>` …
    QString line() const;
};

/*!
 * \brief Makes CircleTray's webhook of each chosen project exactly what a WebhookSpec says, one
 * project after another (a failure does not stop the others).
 *
 * Sync: the project's hooks are listed; none of that name → create (unless the project is at
 * CircleCI's limit of 5); one → PUT the whole desired state (the secret can't be read back, so it is
 * always sent — a PUT without it wipes it); several → keep the oldest, delete the rest. Hooks of
 * other names are never touched. Every write is read back: TLS verification on, the events, a
 * secret set — or the project failed. Remove deletes only hooks of that name; one already gone
 * counts as removed.
 */
class WebhookSync final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookSync)

public:
    explicit WebhookSync(CircleCiClient *client, QObject *parent = nullptr);

    //! \a projects: their `id` may be empty (it is then looked up from the slug).
    void sync(const QList<CircleCiProject> &projects, const WebhookSpec &spec);
    void remove(const QList<CircleCiProject> &projects, const QString &name);

Q_SIGNALS:
    void projectDone(const ct::WebhookOutcome &outcome);
    void finished(const QList<ct::WebhookOutcome> &outcomes);

private:
    enum class Mode { Sync, Remove };
    void next();
    void withHooks(const CircleCiProject &project, std::function<void(const QString &id, QList<CircleCiWebhook>)> then);
    void syncProject(const QString &projectId, const QList<CircleCiWebhook> &hooks);
    void removeProject(const QList<CircleCiWebhook> &hooks);
    void deleteAll(QList<QString> ids, std::function<void()> then);
    void verify(const QString &id, WebhookOutcome::Result result);
    void done(WebhookOutcome outcome);
    void failed(const ApiError &error, const QString &doing);

    CircleCiClient *m_client;
    Mode m_mode = Mode::Sync;
    WebhookSpec m_spec;
    QList<CircleCiProject> m_projects;
    int m_index = -1;
    WebhookOutcome m_current;
    QList<WebhookOutcome> m_outcomes;
};

} // namespace ct
