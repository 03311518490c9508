// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/workflowcatchup.h"

#include "core/circleci/apiobjects.h"
#include "core/logging.h"
#include "core/timestamp.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCatchUp, "circletray.core.catchup", QtInfoMsg)

namespace ct {

namespace {

    QDateTime timeOf(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        return v.isString() ? parseTimestamp(v.toString().toUtf8()) : QDateTime();
    }

    //! A non-empty string at \a key, else nullopt (branches are never "").
    OptString nonEmpty(const QJsonObject &o, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (!v.isString() || v.toString().isEmpty())
            return std::nullopt;
        return v.toString();
    }

    OptString firstOf(std::initializer_list<OptString> candidates)
    {
        for (const OptString &c : candidates) {
            if (c)
                return c;
        }
        return std::nullopt;
    }

    bool failedJob(const QString &status)
    {
        return status == u"failed" || status == u"infrastructure_fail" || status == u"timedout"
            || status == u"terminated-unknown" || status == u"error";
    }

} // namespace

WorkflowCatchUp::WorkflowCatchUp(CircleCiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{ }

void WorkflowCatchUp::setProjects(const QStringList &slugs)
{
    m_projects.clear();
    for (const QString &s : slugs) {
        if (!s.trimmed().isEmpty())
            m_projects.insert(apiSlug(s.trimmed()).toLower());
    }
}

QString WorkflowCatchUp::webhookSlug(const QString &apiSlug)
{
    if (apiSlug.startsWith(u"gh/"))
        return u"github/"_s + apiSlug.mid(3);
    if (apiSlug.startsWith(u"bb/"))
        return u"bitbucket/"_s + apiSlug.mid(3);
    return apiSlug;
}

QString WorkflowCatchUp::apiSlug(const QString &slug)
{
    if (slug.startsWith(u"github/", Qt::CaseInsensitive))
        return u"gh/"_s + slug.mid(7);
    if (slug.startsWith(u"bitbucket/", Qt::CaseInsensitive))
        return u"bb/"_s + slug.mid(10);
    return slug;
}

QUrl WorkflowCatchUp::webHostFor(const QUrl &apiHost)
{
    const QString host = apiHost.host().toLower();
    const QHostAddress address(host);
    const bool local = host == u"localhost" || (!address.isNull() && address.isLoopback());
    if (host.isEmpty() || host == u"circleci.com" || local)
        return QUrl(u"https://app.circleci.com"_s);
    QUrl web;
    web.setScheme(u"https"_s);
    web.setHost(host.startsWith(u"app.") ? host : u"app."_s + host);
    return web;
}

std::optional<QDateTime> WorkflowCatchUp::parseSince(QStringView text, const QDateTime &now, QString *error)
{
    const QString t = text.trimmed().toString();
    static const QRegularExpression duration(u"^(\\d{1,6})([mhdw])$"_s);
    if (const QRegularExpressionMatch m = duration.match(t); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 minutes = unit == u'm' ? n : unit == u'h' ? n * 60 : unit == u'd' ? n * 1440 : n * 10080;
        return now.toUTC().addSecs(-minutes * 60);
    }
    // ISO 8601 with a date and a time ("2026-12-01T08:00:00Z", "+01:00", no offset = UTC).
    static const QRegularExpression iso(u"^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}"_s);
    if (iso.match(t).hasMatch()) {
        QDateTime parsed = parseTimestamp(t.toUtf8());
        if (!parsed.isValid() && t.size() == 16) // no seconds: 2026-12-01T08:00
            parsed = parseTimestamp((t + u":00"_s).toUtf8());
        if (parsed.isValid())
            return parsed.toUTC();
    }
    if (error)
        *error = u"not a time: \"%1\" (give ISO 8601 like 2026-12-01T08:00:00Z, or a duration back from now "
                 "like 90m, 2h, 3d)"_s.arg(t);
    return std::nullopt;
}

QDateTime WorkflowCatchUp::now() const
{
    return m_now.isValid() ? m_now : QDateTime::currentDateTimeUtc();
}

QDateTime WorkflowCatchUp::effectiveSince() const
{
    const QDateTime bound = now().addSecs(-std::chrono::seconds(maxLookBack).count());
    return !m_since.isValid() || m_since < bound ? bound : m_since;
}

QDateTime WorkflowCatchUp::listBound() const
{
    const QDateTime bound = now().addSecs(-std::chrono::seconds(maxLookBack).count());
    const QDateTime byMargin = effectiveSince().addSecs(-m_longest.count());
    return byMargin < bound ? bound : byMargin;
}

bool WorkflowCatchUp::wanted(const QString &projectSlug) const
{
    return m_projects.isEmpty() || m_projects.contains(apiSlug(projectSlug).toLower());
}

bool WorkflowCatchUp::orgWanted(const QString &orgSlug) const
{
    if (m_projects.isEmpty())
        return true;
    const QString prefix = apiSlug(orgSlug).toLower() + u'/';
    return std::any_of(m_projects.cbegin(), m_projects.cend(),
                       [&prefix](const QString &p) { return p.startsWith(prefix); });
}

bool WorkflowCatchUp::fatal(const ApiError &error) const
{
    using K = ApiError::Kind;
    return error.kind == K::TokenRejected || error.kind == K::Network || error.kind == K::Tls
        || error.kind == K::Timeout || error.kind == K::InsecureHost;
}

void WorkflowCatchUp::start()
{
    if (m_running)
        return;
    m_running = true;
    m_truncated = false;
    m_warnings.clear();
    m_orgs.clear();
    m_candidates.clear();
    m_seenPipelines.clear();
    m_found.clear();
    qCInfo(lcCatchUp) << "workflows finished since" << effectiveSince() << "pipelines since" << listBound();
    fetchOrganizations();
}

void WorkflowCatchUp::finish(const ApiError &error)
{
    std::stable_sort(m_found.begin(), m_found.end(),
                     [](const Found &a, const Found &b) { return a.workflow.happenedAt < b.workflow.happenedAt; });
    QList<WebhookEvent> events;
    for (Found &f : m_found) {
        std::stable_sort(f.jobs.begin(), f.jobs.end(),
                         [](const WebhookEvent &a, const WebhookEvent &b) { return a.happenedAt < b.happenedAt; });
        events.append(f.jobs);
        events.append(f.workflow);
    }
    m_running = false;
    Q_EMIT finished(events, error, m_truncated);
}

void WorkflowCatchUp::fetchOrganizations()
{
    m_client->get(u"/me/collaborations"_s, {}, [this](const CircleCiClient::Reply &r) {
        if (!r.ok())
            return finish(r.error);
        for (const QJsonValue &v : r.json.array()) {
            const QJsonObject o = v.toObject();
            // `id: null`: known to the VCS, never used on CircleCI: it has no pipelines.
            const QString slug = o.value(u"slug"_s).toString();
            if (o.value(u"id"_s).isNull() || slug.isEmpty() || !orgWanted(slug))
                continue;
            m_orgs.append({o.value(u"id"_s).toString(), slug, o.value(u"name"_s).toString()});
        }
        if (m_orgs.isEmpty())
            return finish({});
        fetchPipelinePage(0, {}, 1);
    });
}

void WorkflowCatchUp::fetchPipelinePage(int org, const QString &pageToken, int page)
{
    if (org >= m_orgs.size())
        return fetchWorkflows(0);
    QUrlQuery query {{u"org-slug"_s, m_orgs.at(org).slug}};
    if (!pageToken.isEmpty())
        query.addQueryItem(u"page-token"_s, pageToken);
    m_client->get(u"/pipeline"_s, query, [this, org, page](const CircleCiClient::Reply &r) {
        if (!r.ok()) {
            if (fatal(r.error))
                return finish(r.error);
            m_warnings.append(u"the pipelines of %1: %2"_s.arg(m_orgs.at(org).slug, r.error.text()));
            return fetchPipelinePage(org + 1, {}, 1);
        }
        const QJsonObject body = r.json.object();
        const QDateTime bound = listBound();
        bool older = false; // this page reached pipelines created before the bound
        for (const QJsonValue &v : body.value(u"items"_s).toArray()) {
            const QJsonObject p = v.toObject();
            const QDateTime created = timeOf(p, u"created_at"_s);
            const QDateTime updated = timeOf(p, u"updated_at"_s);
            if (created.isValid() && created < bound)
                older = true;
            const bool recent = (created.isValid() && created >= bound) || (updated.isValid() && updated >= bound);
            const QString id = p.value(u"id"_s).toString();
            if (!recent || id.isEmpty() || m_seenPipelines.contains(id)
                || !wanted(p.value(u"project_slug"_s).toString()))
                continue;
            m_seenPipelines.insert(id);
            m_candidates.append({p, org});
        }
        const QString next = body.value(u"next_page_token"_s).toString();
        if (older || next.isEmpty())
            return fetchPipelinePage(org + 1, {}, 1);
        if (page >= m_pageBudget) {
            m_truncated = true;
            m_warnings.append(u"stopped after %1 pages of the pipelines of %2 (page budget): older workflows may "
                              "be missing"_s.arg(page)
                                  .arg(m_orgs.at(org).slug));
            return fetchPipelinePage(org + 1, {}, 1);
        }
        fetchPipelinePage(org, next, page + 1);
    });
}

void WorkflowCatchUp::fetchWorkflows(int candidate)
{
    if (candidate >= m_candidates.size())
        return fetchJobs(0);
    const QJsonObject pipeline = m_candidates.at(candidate).first;
    const QString path = u"/pipeline/"_s + CircleCiClient::segment(pipeline.value(u"id"_s).toString()) + u"/workflow"_s;
    m_client->getAll(path, {}, [this, candidate, pipeline](const CircleCiClient::Pages &pages) {
        if (!pages.error.ok()) {
            if (fatal(pages.error))
                return finish(pages.error);
            m_warnings.append(u"the workflows of pipeline %1 #%2: %3"_s.arg(
                pipeline.value(u"project_slug"_s).toString(), QString::number(pipeline.value(u"number"_s).toInteger()),
                pages.error.text()));
        }
        const QDateTime since = effectiveSince();
        for (const QJsonValue &v : pages.items) {
            const QJsonObject w = v.toObject();
            const QString status = w.value(u"status"_s).toString();
            const QDateTime stopped = timeOf(w, u"stopped_at"_s);
            if (classifyStatus(status) == StatusClass::Unknown || !stopped.isValid() || stopped < since)
                continue;
            m_found.append({workflowEvent(w, pipeline, m_orgs.at(m_candidates.at(candidate).second)), {}});
        }
        fetchWorkflows(candidate + 1);
    });
}

void WorkflowCatchUp::fetchJobs(int found)
{
    while (found < m_found.size()) {
        const WorkflowInfo &w = *m_found.at(found).workflow.workflow;
        if (w.statusClass == StatusClass::Failure && w.status != u"unauthorized")
            break;
        ++found;
    }
    if (found >= m_found.size())
        return fetchProjects(0);
    const QString id = m_found.at(found).workflow.workflow->id;
    m_client->getAll(u"/workflow/"_s + CircleCiClient::segment(id) + u"/job"_s, {},
                     [this, found, id](const CircleCiClient::Pages &pages) {
                         if (!pages.error.ok()) {
                             if (fatal(pages.error))
                                 return finish(pages.error);
                             m_warnings.append(u"the jobs of workflow %1: %2"_s.arg(id, pages.error.text()));
                         }
                         Found &f = m_found[found];
                         for (const QJsonValue &v : pages.items) {
                             const QJsonObject j = v.toObject();
                             const QString status = j.value(u"status"_s).toString();
                             if (!failedJob(status))
                                 continue;
                             WebhookEvent e = f.workflow;
                             e.type = EventType::JobCompleted;
                             JobInfo job;
                             job.id = j.value(u"id"_s).toString();
                             job.name = j.value(u"name"_s).toString();
                             job.number = j.value(u"job_number"_s).toInteger();
                             job.status = status;
                             job.statusClass = classifyStatus(status);
                             if (job.statusClass == StatusClass::Unknown)
                                 job.statusClass = StatusClass::Failure; // infrastructure_fail, timedout…
                             job.startedAt = timeOf(j, u"started_at"_s);
                             job.stoppedAt = timeOf(j, u"stopped_at"_s);
                             if (e.workflow->url && job.number > 0)
                                 job.url = *e.workflow->url + u"/jobs/"_s + QString::number(job.number);
                             e.happenedAt = job.stoppedAt.isValid() ? job.stoppedAt : f.workflow.happenedAt;
                             e.job = job;
                             f.jobs.append(e);
                         }
                         fetchJobs(found + 1);
                     });
}

void WorkflowCatchUp::fetchProjects(int index)
{
    // The pipeline only has the slug; a webhook also names the project and gives its id (a
    // standalone slug's last segment is an id fragment, not the name): one call per project found.
    if (index == 0) {
        m_projectSlugs.clear();
        for (const Found &f : std::as_const(m_found)) {
            const QString slug = apiSlug(f.workflow.project->slug);
            if (!m_projectSlugs.contains(slug))
                m_projectSlugs.append(slug);
        }
    }
    if (index >= m_projectSlugs.size())
        return finish({});
    const QString slug = m_projectSlugs.at(index);
    const QString path = CircleCiClient::slugPath(slug);
    if (path.isEmpty())
        return fetchProjects(index + 1);
    m_client->get(u"/project/"_s + path, {}, [this, index, slug](const CircleCiClient::Reply &r) {
        const auto project = r.ok() ? CircleCiProject::fromJson(r.json.object()) : std::nullopt;
        if (!project) {
            if (fatal(r.error))
                return finish(r.error);
            m_warnings.append(u"project %1: %2"_s.arg(slug, r.ok() ? u"an answer without an id"_s : r.error.text()));
            return fetchProjects(index + 1);
        }
        const auto fill = [&project](WebhookEvent &e) {
            e.project->id = project->id;
            if (!project->name.isEmpty())
                e.project->name = project->name;
        };
        const QString webhookForm = webhookSlug(slug);
        for (Found &f : m_found) {
            if (f.workflow.project->slug != webhookForm)
                continue;
            fill(f.workflow);
            for (WebhookEvent &j : f.jobs)
                fill(j);
        }
        fetchProjects(index + 1);
    });
}

WebhookEvent WorkflowCatchUp::workflowEvent(const QJsonObject &w, const QJsonObject &p, const Organization &org) const
{
    WebhookEvent e;
    e.type = EventType::WorkflowCompleted;
    e.fromApi = true;
    const QString slug = p.value(u"project_slug"_s).toString(w.value(u"project_slug"_s).toString());

    ProjectInfo project;
    project.slug = webhookSlug(slug);
    project.name = slug.section(u'/', -1);
    e.project = project;
    e.organization = OrganizationInfo {org.id, org.name.isEmpty() ? OptString() : OptString(org.name)};

    WorkflowInfo workflow;
    workflow.id = w.value(u"id"_s).toString();
    workflow.name = w.value(u"name"_s).toString();
    workflow.status = w.value(u"status"_s).toString();
    workflow.statusClass = classifyStatus(*workflow.status);
    workflow.createdAt = timeOf(w, u"created_at"_s);
    workflow.stoppedAt = timeOf(w, u"stopped_at"_s);
    const qint64 number = p.value(u"number"_s).toInteger(w.value(u"pipeline_number"_s).toInteger());
    QUrl web = m_webHost.isEmpty() ? webHostFor(m_client->host()) : m_webHost;
    QString base = web.toString(QUrl::RemovePath | QUrl::StripTrailingSlash);
    workflow.url = base + u"/pipelines/"_s + slug + u'/' + QString::number(number) + u"/workflows/"_s + workflow.id;
    e.workflow = workflow;
    e.happenedAt = workflow.stoppedAt;

    PipelineInfo pipeline;
    pipeline.id = p.value(u"id"_s).toString(w.value(u"pipeline_id"_s).toString());
    pipeline.number = number;
    pipeline.createdAt = timeOf(p, u"created_at"_s);
    const QJsonObject trigger = p.value(u"trigger"_s).toObject();
    pipeline.triggerType = nonEmpty(trigger, u"type"_s);
    // As the webhook parser: vcs first, then the trigger-parameter maps (GitLab, GitHub App).
    const QJsonObject vcs = p.value(u"vcs"_s).toObject();
    const QJsonObject commit = vcs.value(u"commit"_s).toObject();
    const QJsonObject author = commit.value(u"author"_s).toObject();
    const QJsonObject params = p.value(u"trigger_parameters"_s).toObject();
    const QJsonObject git = params.value(u"git"_s).toObject();
    const QJsonObject gitlab = params.value(u"gitlab"_s).toObject();
    const QJsonObject githubApp = params.value(u"github_app"_s).toObject();
    pipeline.branch = firstOf({nonEmpty(vcs, u"branch"_s), nonEmpty(git, u"branch"_s), nonEmpty(gitlab, u"branch"_s),
                               nonEmpty(githubApp, u"branch"_s)});
    pipeline.tag = firstOf({nonEmpty(vcs, u"tag"_s), nonEmpty(git, u"tag"_s), nonEmpty(gitlab, u"tag"_s)});
    pipeline.revision = firstOf({nonEmpty(vcs, u"revision"_s), nonEmpty(git, u"checkout_sha"_s),
                                 nonEmpty(gitlab, u"commit_sha"_s), nonEmpty(githubApp, u"commit_sha"_s)});
    OptString message = firstOf({nonEmpty(git, u"commit_message"_s), nonEmpty(gitlab, u"commit_message"_s)});
    if (message)
        message = message->section(u'\n', 0, 0);
    pipeline.commitSubject = firstOf({nonEmpty(commit, u"subject"_s), nonEmpty(gitlab, u"commit_title"_s),
                                      nonEmpty(githubApp, u"commit_title"_s), message});
    pipeline.commitAuthorName = firstOf(
        {nonEmpty(author, u"name"_s), nonEmpty(gitlab, u"commit_author_name"_s), nonEmpty(git, u"commit_author_name"_s),
         nonEmpty(githubApp, u"commit_author_name"_s), nonEmpty(trigger.value(u"actor"_s).toObject(), u"login"_s)});
    pipeline.commitAuthorEmail =
        firstOf({nonEmpty(author, u"email"_s), nonEmpty(gitlab, u"commit_author_email"_s),
                 nonEmpty(git, u"commit_author_email"_s), nonEmpty(githubApp, u"commit_author_email"_s)});
    e.pipeline = pipeline;
    return e;
}

} // namespace ct
