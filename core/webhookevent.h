// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace ct {

enum class EventType { WorkflowCompleted, JobCompleted, Ping };

//! How a raw CircleCI status string is understood; the raw string is always kept beside it.
enum class StatusClass { Success, Failure, Canceled, Unknown };

//! `success` → Success; `failed`, `error`, `unauthorized` → Failure; `canceled` → Canceled; else Unknown.
StatusClass classifyStatus(QStringView status);
QByteArray statusClassName(StatusClass c); //!< "success" | "failure" | "canceled" | "unknown"
QByteArray eventTypeName(EventType t); //!< as in the circleci-event-type header
std::optional<EventType> eventTypeFromName(QByteArrayView name);

// Absent, null and unparseable values are std::nullopt (timestamps: an invalid QDateTime).
using OptString = std::optional<QString>;

struct WebhookInfo
{
    QString id;
    OptString name;
};

struct ProjectInfo
{
    QString id;
    OptString name;
    QString slug;
};

struct OrganizationInfo
{
    QString id;
    OptString name;
};

struct WorkflowInfo
{
    QString id;
    QString name;
    OptString status; //!< absent in job-completed events
    StatusClass statusClass = StatusClass::Unknown;
    OptString url;
    QDateTime createdAt;
    QDateTime stoppedAt;
};

struct JobInfo
{
    QString id;
    QString name;
    qint64 number = 0;
    QString status;
    StatusClass statusClass = StatusClass::Unknown;
    OptString url; //!< derived: <workflow.url>/jobs/<number>; null without a workflow URL
    QDateTime startedAt;
    QDateTime stoppedAt;
};

struct PipelineInfo
{
    QString id;
    qint64 number = 0;
    QDateTime createdAt;
    OptString triggerType; //!< pipeline.trigger.type
    OptString branch; //!< null for tag builds and when unknown; never ""
    OptString tag;
    OptString revision;
    OptString commitSubject;
    OptString commitAuthorName;
    OptString commitAuthorEmail;
};

/*!
 * \brief One CircleCI webhook delivery, normalised.
 *
 * A ping carries only type, id, happenedAt and webhook. A workflow-completed event has project,
 * organization, workflow and pipeline; a job-completed event adds job (and may lack workflow).
 */
struct WebhookEvent
{
    EventType type = EventType::Ping;
    QString id;
    QDateTime happenedAt; //!< UTC; invalid when CircleCI sent something unparseable
    WebhookInfo webhook;
    std::optional<ProjectInfo> project;
    std::optional<OrganizationInfo> organization;
    std::optional<WorkflowInfo> workflow;
    std::optional<JobInfo> job;
    std::optional<PipelineInfo> pipeline;
    //! Not delivered by a webhook but found through the API (WorkflowCatchUp): no id, no webhook,
    //! no signature; its trust is the TLS connection and the user's token. Not in eventToJson().
    bool fromApi = false;
};

} // namespace ct
