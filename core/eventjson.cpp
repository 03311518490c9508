// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/eventjson.h"

#include "core/timestamp.h"

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QJsonValue str(const OptString &s)
    {
        return s ? QJsonValue(*s) : QJsonValue(QJsonValue::Null);
    }

    QJsonValue time(const QDateTime &t)
    {
        return t.isValid() ? QJsonValue(QString::fromLatin1(formatTimestamp(t))) : QJsonValue(QJsonValue::Null);
    }

    template <typename T, typename F> QJsonValue object(const std::optional<T> &value, F &&toObject)
    {
        return value ? QJsonValue(toObject(*value)) : QJsonValue(QJsonValue::Null);
    }

} // namespace

QJsonObject eventToJson(const WebhookEvent &e)
{
    QJsonObject o {
        {u"type"_s, QString::fromLatin1(eventTypeName(e.type))},
        {u"id"_s, e.id},
        {u"happened_at"_s, time(e.happenedAt)},
        {u"webhook"_s, QJsonObject {{u"id"_s, e.webhook.id}, {u"name"_s, str(e.webhook.name)}}},
    };
    if (e.type == EventType::Ping)
        return o;

    o.insert(u"project"_s, object(e.project, [](const ProjectInfo &p) {
                 return QJsonObject {{u"id"_s, p.id}, {u"name"_s, str(p.name)}, {u"slug"_s, p.slug}};
             }));
    o.insert(u"organization"_s, object(e.organization, [](const OrganizationInfo &org) {
                 return QJsonObject {{u"id"_s, org.id}, {u"name"_s, str(org.name)}};
             }));
    o.insert(u"workflow"_s, object(e.workflow, [](const WorkflowInfo &w) {
                 return QJsonObject {
                     {u"id"_s, w.id},
                     {u"name"_s, w.name},
                     {u"status"_s, str(w.status)},
                     {u"status_class"_s,
                      w.status ? QJsonValue(QString::fromLatin1(statusClassName(w.statusClass)))
                               : QJsonValue(QJsonValue::Null)},
                     {u"url"_s, str(w.url)},
                     {u"created_at"_s, time(w.createdAt)},
                     {u"stopped_at"_s, time(w.stoppedAt)},
                 };
             }));
    o.insert(u"job"_s, object(e.job, [](const JobInfo &j) {
                 return QJsonObject {
                     {u"id"_s, j.id},
                     {u"name"_s, j.name},
                     {u"number"_s, j.number},
                     {u"status"_s, j.status},
                     {u"status_class"_s, QString::fromLatin1(statusClassName(j.statusClass))},
                     {u"url"_s, str(j.url)},
                     {u"started_at"_s, time(j.startedAt)},
                     {u"stopped_at"_s, time(j.stoppedAt)},
                 };
             }));
    o.insert(u"pipeline"_s, object(e.pipeline, [](const PipelineInfo &p) {
                 return QJsonObject {
                     {u"id"_s, p.id},
                     {u"number"_s, p.number},
                     {u"created_at"_s, time(p.createdAt)},
                     {u"trigger_type"_s, str(p.triggerType)},
                     {u"branch"_s, str(p.branch)},
                     {u"tag"_s, str(p.tag)},
                     {u"revision"_s, str(p.revision)},
                     {u"commit_subject"_s, str(p.commitSubject)},
                     {u"commit_author_name"_s, str(p.commitAuthorName)},
                     {u"commit_author_email"_s, str(p.commitAuthorEmail)},
                 };
             }));
    return o;
}

} // namespace ct
