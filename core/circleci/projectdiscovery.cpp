// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/projectdiscovery.h"

using namespace Qt::StringLiterals;

namespace ct {

ProjectDiscovery::ProjectDiscovery(CircleCiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{ }

void ProjectDiscovery::start()
{
    m_login.clear();
    m_orgSlugs.clear();
    m_slugs.clear();
    m_seen.clear();
    m_projects.clear();
    m_warnings.clear();
    m_client->get(u"/me"_s, {}, [this](const CircleCiClient::Reply &r) {
        if (!r.ok())
            return fail(r.error);
        m_login = r.json.object().value(u"login"_s).toString();
        fetchOrganizations();
    });
}

void ProjectDiscovery::fail(const ApiError &error)
{
    Q_EMIT finished({}, error, m_warnings);
}

void ProjectDiscovery::addSlug(const QString &slug)
{
    if (!slug.isEmpty() && !m_seen.contains(slug.toLower())) {
        m_seen.insert(slug.toLower());
        m_slugs.append(slug);
    }
}

void ProjectDiscovery::fetchOrganizations()
{
    m_client->get(u"/me/collaborations"_s, {}, [this](const CircleCiClient::Reply &r) {
        if (!r.ok())
            return fail(r.error);
        for (const QJsonValue &v : r.json.array()) {
            const QJsonObject org = v.toObject();
            // `id: null`: known to the VCS, never used on CircleCI: it has no pipelines.
            if (!org.value(u"id"_s).isNull() && !org.value(u"slug"_s).toString().isEmpty())
                m_orgSlugs.append(org.value(u"slug"_s).toString());
        }
        fetchClassicProjects();
    });
}

void ProjectDiscovery::fetchClassicProjects()
{
    m_client->get(
        u"/projects"_s, {},
        [this](const CircleCiClient::Reply &r) {
            if (r.ok()) {
                for (const QJsonValue &v : r.json.array()) {
                    const QJsonObject p = v.toObject();
                    QString slug = p.value(u"slug"_s).toString();
                    if (slug.isEmpty()) { // what the circleci CLI builds when v1.1 gives none
                        const QString vcs = p.value(u"vcs_type"_s).toString();
                        const QString prefix = vcs == u"bitbucket"_s ? u"bb"_s : u"gh"_s;
                        const QString org = p.value(u"username"_s).toString();
                        const QString repo = p.value(u"reponame"_s).toString();
                        if (!org.isEmpty() && !repo.isEmpty())
                            slug = prefix + u'/' + org + u'/' + repo;
                    }
                    addSlug(slug);
                }
            } else if (r.error.kind == ApiError::Kind::TokenRejected) {
                return fail(r.error);
            } else {
                m_warnings.append(u"Classic projects (API v1.1) could not be listed: "_s + r.error.text());
            }
            fetchPipelines(0);
        },
        CircleCiClient::Api::V1_1);
}

void ProjectDiscovery::fetchPipelines(int org)
{
    if (org >= m_orgSlugs.size())
        return resolve(0);
    QUrlQuery query;
    query.addQueryItem(u"org-slug"_s, m_orgSlugs.at(org));
    m_client->get(u"/pipeline"_s, query, [this, org](const CircleCiClient::Reply &r) {
        if (r.ok()) {
            for (const QJsonValue &v : r.json.object().value(u"items"_s).toArray())
                addSlug(v.toObject().value(u"project_slug"_s).toString());
        } else if (r.error.kind == ApiError::Kind::TokenRejected) {
            return fail(r.error);
        } else {
            m_warnings.append(
                u"Recent pipelines of %1 could not be read: %2"_s.arg(m_orgSlugs.at(org), r.error.text()));
        }
        fetchPipelines(org + 1);
    });
}

void ProjectDiscovery::resolve(int index)
{
    if (index >= m_slugs.size()) {
        std::sort(m_projects.begin(), m_projects.end(),
                  [](const CircleCiProject &a, const CircleCiProject &b) { return a.slug < b.slug; });
        Q_EMIT finished(m_projects, ApiError(), m_warnings);
        return;
    }
    const QString slug = m_slugs.at(index);
    const QString path = CircleCiClient::slugPath(slug);
    if (path.isEmpty()) {
        m_warnings.append(u"Skipped a project with an unusable slug: %1"_s.arg(slug));
        return resolve(index + 1);
    }
    m_client->get(u"/project/"_s + path, {}, [this, index, slug](const CircleCiClient::Reply &r) {
        if (r.ok()) {
            if (const auto p = CircleCiProject::fromJson(r.json.object())) {
                // Two spellings of one project (gh/… and github/…) resolve to one id.
                const bool known = std::any_of(m_projects.cbegin(), m_projects.cend(),
                                               [&p](const CircleCiProject &q) { return q.id == p->id; });
                if (!known)
                    m_projects.append(*p);
            } else {
                m_warnings.append(u"%1: the project's answer has no id or slug"_s.arg(slug));
            }
        } else if (r.error.kind == ApiError::Kind::TokenRejected) {
            return fail(r.error);
        } else {
            m_warnings.append(u"%1: %2"_s.arg(slug, r.error.text()));
        }
        resolve(index + 1);
    });
}

} // namespace ct
