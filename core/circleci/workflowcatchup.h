// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/circleciclient.h"
#include "core/webhookevent.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <chrono>
#include <optional>

namespace ct {

/*!
 * \brief "What finished since T", asked once from the API (circleci-api.md §5.3), as the events
 * the webhook path produces.
 *
 * Organizations from `/me/collaborations` (`id: null` skipped); per organization
 * `GET /pipeline?org-slug=` newest first, paging while a page's oldest pipeline was created after
 * since − longestWorkflow() (never before now − 7 days) and within pageBudget() pages; per
 * candidate pipeline `GET /pipeline/{id}/workflow`, keeping terminal workflows (classifyStatus()
 * not Unknown) stopped at or after since; for failed ones `GET /workflow/{id}/job` for the failing
 * jobs; `GET /project/{slug}` per project found, for its id and name. Runs once per start(),
 * never polls.
 *
 * Result: per workflow, in stop order, a JobCompleted event for each failed job (stop order), then
 * the WorkflowCompleted event. Events have `fromApi` set, an empty id and webhook, the project slug
 * in the webhook form (`github/…`, `bitbucket/…`), the workflow URL built from the API's slug.
 * Known gap (§5.3): a rerun appended to a pipeline created before the listing bound is missed.
 */
class WorkflowCatchUp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkflowCatchUp)

public:
    static constexpr int defaultPageBudget = 10;
    static constexpr std::chrono::hours defaultLongestWorkflow {24};
    static constexpr std::chrono::hours maxLookBack {24 * 7};

    explicit WorkflowCatchUp(CircleCiClient *client, QObject *parent = nullptr);

    void setSince(const QDateTime &since) { m_since = since.toUTC(); }
    QDateTime since() const { return m_since; }
    //! Only these projects (API `gh/…` or webhook `github/…` form, case-insensitive); empty: all.
    void setProjects(const QStringList &slugs);
    //! Pages of `/pipeline?org-slug=` per organization.
    void setPageBudget(int pages) { m_pageBudget = std::max(1, pages); }
    int pageBudget() const { return m_pageBudget; }
    //! How long before since a pipeline may have been created and still finish after it.
    void setLongestWorkflow(std::chrono::seconds d) { m_longest = d; }
    std::chrono::seconds longestWorkflow() const { return m_longest; }
    //! The clock for the 7-day bound; invalid (the default): the current time.
    void setNow(const QDateTime &now) { m_now = now.toUTC(); }
    //! The web app for workflow URLs; empty (default): webHostFor() the client's host.
    void setWebHost(const QUrl &host) { m_webHost = host; }

    void start();
    bool isRunning() const { return m_running; }
    //! What was skipped (an organization, a pipeline, a workflow's jobs), after finished().
    QStringList warnings() const { return m_warnings; }
    //! The effective since: setSince() bounded to now − 7 days.
    QDateTime effectiveSince() const;

    //! `gh/a/b` → `github/a/b`, `bb/…` → `bitbucket/…`; others (`circleci/…`) unchanged.
    static QString webhookSlug(const QString &apiSlug);
    //! `github/…` → `gh/…`, `bitbucket/…` → `bb/…`; others unchanged.
    static QString apiSlug(const QString &slug);
    //! `https://circleci.com` (and this computer, the tests' stand-in) → `https://app.circleci.com`;
    //! a CircleCI server `https://<host>` → `https://app.<host>` (circleci-api.md §7).
    static QUrl webHostFor(const QUrl &apiHost);
    /*!
     * The time argument of `workflows --since`: ISO 8601 (`2026-12-01T08:00:00Z`; no offset = UTC)
     * or a duration back from \a now (`90m`, `2h`, `3d`, `1w`). nullopt with \a error set otherwise.
     */
    static std::optional<QDateTime> parseSince(QStringView text, const QDateTime &now, QString *error = nullptr);

Q_SIGNALS:
    //! \a error: why it ended early (a 401, no network); what was found until then is in \a events.
    //! \a truncated: an organization had more pages than the budget.
    void finished(const QList<ct::WebhookEvent> &events, const ct::ApiError &error, bool truncated);

private:
    struct Organization
    {
        QString id;
        QString slug;
        QString name;
    };
    struct Found
    {
        WebhookEvent workflow;
        QList<WebhookEvent> jobs;
    };

    QDateTime now() const;
    QDateTime listBound() const;
    bool wanted(const QString &projectSlug) const;
    bool orgWanted(const QString &orgSlug) const;
    bool fatal(const ApiError &error) const;
    void finish(const ApiError &error);
    void fetchOrganizations();
    void fetchPipelinePage(int org, const QString &pageToken, int page);
    void fetchWorkflows(int candidate);
    void fetchJobs(int found);
    void fetchProjects(int index);
    WebhookEvent workflowEvent(const QJsonObject &workflow, const QJsonObject &pipeline, const Organization &org) const;

    CircleCiClient *m_client;
    QDateTime m_since;
    QDateTime m_now;
    QUrl m_webHost;
    QSet<QString> m_projects; //!< lower-case API form
    int m_pageBudget = defaultPageBudget;
    std::chrono::seconds m_longest = defaultLongestWorkflow;

    bool m_running = false;
    bool m_truncated = false;
    QStringList m_warnings;
    QList<Organization> m_orgs;
    QList<std::pair<QJsonObject, int>> m_candidates; //!< pipeline, organization index
    QSet<QString> m_seenPipelines;
    QList<Found> m_found;
    QStringList m_projectSlugs; //!< API form, of the workflows found
};

} // namespace ct
