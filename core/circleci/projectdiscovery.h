// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/apiobjects.h"
#include "core/circleci/circleciclient.h"

#include <QObject>
#include <QSet>

namespace ct {

/*!
 * \brief Every project a token can see. API v2 has no "list my projects": the organizations come
 * from `/me/collaborations`; classic (GitHub OAuth, Bitbucket) projects from v1.1 `/projects`;
 * GitHub App, GitLab and other standalone projects only from their recent pipelines
 * (`/pipeline?org-slug=`, one page per organization); then `/project/{slug}` once per slug for the
 * id a webhook needs. A part that fails (v1.1 missing on a server, an organization's pipelines) is
 * a warning and the rest goes on; a rejected token ends it.
 */
class ProjectDiscovery final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectDiscovery)

public:
    explicit ProjectDiscovery(CircleCiClient *client, QObject *parent = nullptr);

    void start();
    QString login() const { return m_login; } //!< `/me`'s login, once known

Q_SIGNALS:
    //! \a projects sorted by slug; \a error set when the discovery could not even start (token,
    //! network); \a warnings name the parts that were skipped.
    void finished(const QList<ct::CircleCiProject> &projects, const ct::ApiError &error, const QStringList &warnings);

private:
    void fetchOrganizations();
    void fetchClassicProjects();
    void fetchPipelines(int org);
    void resolve(int index);
    void addSlug(const QString &slug);
    void fail(const ApiError &error);

    CircleCiClient *m_client;
    QString m_login;
    QStringList m_orgSlugs;
    QStringList m_slugs; //!< in the order found
    QSet<QString> m_seen; //!< lowercased: `gh/Acme/API` and `gh/acme/api` are one project
    QList<CircleCiProject> m_projects;
    QStringList m_warnings;
};

} // namespace ct
