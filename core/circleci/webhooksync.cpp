// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/webhooksync.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    //! CircleCI's own limit (its docs since 2021): a sixth hook is refused.
    constexpr int webhookLimit = 5;

} // namespace

QString WebhookSpec::urlProblem(const QString &url)
{
    const QUrl u(url, QUrl::StrictMode);
    if (url.trimmed().isEmpty())
        return u"no webhook URL given"_s;
    if (!u.isValid() || u.host().isEmpty())
        return u"“%1” is not a URL"_s.arg(url);
    if (u.scheme() != u"https"_s)
        return u"CircleCI posts only to https:// URLs, not “%1”"_s.arg(url);
    return {};
}

QString WebhookOutcome::line() const
{
    switch (result) {
    case Result::Created:
        return slug + u": created"_s;
    case Result::Updated:
        if (duplicatesRemoved > 0)
            return slug
                + u": updated, removed %1 duplicate%2"_s.arg(duplicatesRemoved)
                      .arg(duplicatesRemoved == 1 ? u""_s : u"s"_s);
        return slug + u": updated"_s;
    case Result::Removed:
        return duplicatesRemoved == 0 ? slug + u": nothing to remove"_s
                                      : slug + u": removed %1"_s.arg(duplicatesRemoved);
    case Result::Failed:
        return slug + u": failed: "_s + reason;
    }
    return slug;
}

WebhookSync::WebhookSync(CircleCiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{ }

void WebhookSync::sync(const QList<CircleCiProject> &projects, const WebhookSpec &spec)
{
    m_mode = Mode::Sync;
    m_spec = spec;
    m_projects = projects;
    m_outcomes.clear();
    m_index = -1;
    next();
}

void WebhookSync::remove(const QList<CircleCiProject> &projects, const QString &name)
{
    m_mode = Mode::Remove;
    m_spec = WebhookSpec();
    m_spec.name = name;
    m_projects = projects;
    m_outcomes.clear();
    m_index = -1;
    next();
}

void WebhookSync::next()
{
    if (++m_index >= m_projects.size()) {
        Q_EMIT finished(m_outcomes);
        return;
    }
    const CircleCiProject &project = m_projects.at(m_index);
    m_current = WebhookOutcome();
    m_current.slug = project.slug;
    withHooks(project, [this](const QString &projectId, const QList<CircleCiWebhook> &hooks) {
        if (m_mode == Mode::Sync)
            syncProject(projectId, hooks);
        else
            removeProject(hooks);
    });
}

void WebhookSync::done(WebhookOutcome outcome)
{
    m_outcomes.append(outcome);
    Q_EMIT projectDone(outcome);
    next();
}

void WebhookSync::failed(const ApiError &error, const QString &doing)
{
    WebhookOutcome o = m_current;
    o.result = WebhookOutcome::Result::Failed;
    o.error = error;
    if (error.kind == ApiError::Kind::NotAllowed && doing != u"looking the project up"_s)
        o.reason = u"only organization admins can manage webhooks (CircleCI answered 403 while %1)"_s.arg(doing);
    else if (error.kind == ApiError::Kind::NotFound && doing == u"looking the project up"_s)
        o.reason = u"no such project, or this token's user cannot see it (404)"_s;
    else
        o.reason = error.text();
    done(o);
}

void WebhookSync::withHooks(const CircleCiProject &project,
                            std::function<void(const QString &id, QList<CircleCiWebhook>)> then)
{
    if (project.id.isEmpty()) {
        const QString path = CircleCiClient::slugPath(project.slug);
        if (path.isEmpty()) {
            ApiError e;
            e.kind = ApiError::Kind::BadRequest;
            e.message = u"not a project slug (vcs/org/repo)"_s;
            return failed(e, u"reading the slug"_s);
        }
        m_client->get(u"/project/"_s + path, {}, [this, project, then](const CircleCiClient::Reply &r) {
            const auto resolved = r.ok() ? CircleCiProject::fromJson(r.json.object()) : std::nullopt;
            if (!resolved) {
                ApiError e = r.error;
                if (e.ok()) {
                    e.kind = ApiError::Kind::BadResponse;
                    e.message = u"a project without an id"_s;
                }
                return failed(e, u"looking the project up"_s);
            }
            CircleCiProject p = project;
            p.id = resolved->id;
            withHooks(p, then);
        });
        return;
    }
    QUrlQuery query;
    query.addQueryItem(u"scope-id"_s, project.id);
    query.addQueryItem(u"scope-type"_s, u"project"_s);
    m_client->getAll(u"/webhook"_s, query, [this, id = project.id, then](const CircleCiClient::Pages &pages) {
        if (!pages.error.ok())
            return failed(pages.error, u"listing its webhooks"_s);
        QList<CircleCiWebhook> hooks;
        for (const QJsonValue &v : pages.items) {
            if (const auto w = CircleCiWebhook::fromJson(v.toObject()))
                hooks.append(*w);
        }
        then(id, hooks);
    });
}

void WebhookSync::syncProject(const QString &projectId, const QList<CircleCiWebhook> &hooks)
{
    QList<CircleCiWebhook> mine;
    for (const CircleCiWebhook &w : hooks) {
        if (w.name == m_spec.name)
            mine.append(w);
    }
    if (mine.isEmpty()) {
        if (hooks.size() >= webhookLimit) {
            ApiError e;
            e.kind = ApiError::Kind::WebhookLimit;
            WebhookOutcome o = m_current;
            o.result = WebhookOutcome::Result::Failed;
            o.error = e;
            o.reason = u"the project already has %1 webhooks, CircleCI's limit: remove one in Project Settings → "
                       "Webhooks"_s.arg(hooks.size());
            return done(o);
        }
        const QJsonObject body =
            CircleCiWebhook::toRequest(m_spec.name, m_spec.url, m_spec.secret, m_spec.events, projectId);
        m_client->post(u"/webhook"_s, body, [this](const CircleCiClient::Reply &r) {
            const auto created = r.ok() ? CircleCiWebhook::fromJson(r.json.object()) : std::nullopt;
            if (!created) {
                ApiError e = r.error;
                if (e.ok()) {
                    e.kind = ApiError::Kind::BadResponse;
                    e.message = u"a created webhook without an id"_s;
                }
                return failed(e, u"creating the webhook"_s);
            }
            verify(created->id, WebhookOutcome::Result::Created);
        });
        return;
    }
    // The oldest one stays (its id may be known elsewhere); the rest are duplicates.
    std::stable_sort(mine.begin(), mine.end(),
                     [](const CircleCiWebhook &a, const CircleCiWebhook &b) { return a.createdAt < b.createdAt; });
    const QString keep = mine.first().id;
    QList<QString> extra;
    for (qsizetype i = 1; i < mine.size(); ++i)
        extra.append(mine.at(i).id);
    const QJsonObject body = CircleCiWebhook::toRequest(m_spec.name, m_spec.url, m_spec.secret, m_spec.events);
    m_client->put(u"/webhook/"_s + CircleCiClient::segment(keep), body,
                  [this, keep, extra](const CircleCiClient::Reply &r) {
                      if (!r.ok())
                          return failed(r.error, u"updating the webhook"_s);
                      m_current.duplicatesRemoved = int(extra.size());
                      deleteAll(extra, [this, keep] { verify(keep, WebhookOutcome::Result::Updated); });
                  });
}

void WebhookSync::removeProject(const QList<CircleCiWebhook> &hooks)
{
    QList<QString> ids;
    for (const CircleCiWebhook &w : hooks) {
        if (w.name == m_spec.name)
            ids.append(w.id);
    }
    m_current.duplicatesRemoved = int(ids.size());
    deleteAll(ids, [this] {
        WebhookOutcome o = m_current;
        o.result = WebhookOutcome::Result::Removed;
        done(o);
    });
}

void WebhookSync::deleteAll(QList<QString> ids, std::function<void()> then)
{
    if (ids.isEmpty())
        return then();
    const QString id = ids.takeFirst();
    m_client->deleteResource(u"/webhook/"_s + CircleCiClient::segment(id),
                             [this, ids, then](const CircleCiClient::Reply &r) {
                                 // Already gone (another laptop, a click in CircleCI): what was asked for.
                                 if (!r.ok() && r.error.kind != ApiError::Kind::NotFound)
                                     return failed(r.error, u"deleting a webhook"_s);
                                 deleteAll(ids, then);
                             });
}

void WebhookSync::verify(const QString &id, WebhookOutcome::Result result)
{
    // What was stored, not what was sent: misspelt keys are silently ignored by CircleCI.
    m_client->get(u"/webhook/"_s + CircleCiClient::segment(id), {}, [this, id, result](const CircleCiClient::Reply &r) {
        const auto stored = r.ok() ? CircleCiWebhook::fromJson(r.json.object()) : std::nullopt;
        if (!stored) {
            ApiError e = r.error;
            if (e.ok()) {
                e.kind = ApiError::Kind::BadResponse;
                e.message = u"no webhook in the answer"_s;
            }
            return failed(e, u"reading the webhook back"_s);
        }
        QStringList wrong;
        if (!stored->verifyTls)
            wrong.append(u"TLS verification is off"_s);
        if (!stored->hasSecret)
            wrong.append(u"it has no secret"_s);
        if (QSet<QString>(stored->events.cbegin(), stored->events.cend())
            != QSet<QString>(m_spec.events.cbegin(), m_spec.events.cend()))
            wrong.append(u"its events are %1"_s.arg(stored->events.join(u", "_s)));
        if (stored->url != m_spec.url)
            wrong.append(u"its URL is %1"_s.arg(stored->url));
        WebhookOutcome o = m_current;
        o.webhookId = id;
        if (!wrong.isEmpty()) {
            o.result = WebhookOutcome::Result::Failed;
            o.error.kind = ApiError::Kind::BadResponse;
            o.reason = u"CircleCI stored the webhook, but %1"_s.arg(wrong.join(u"; "_s));
        } else {
            o.result = result;
        }
        done(o);
    });
}

} // namespace ct
