// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "samplepayload.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QString uuid()
    {
        return QUuid::createUuid().toString(QUuid::WithoutBraces);
    }

    QString iso(const QDateTime &t, bool micros = false)
    {
        const QString base = t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s);
        // CircleCI sends happened_at with microseconds and entity times with milliseconds.
        if (!micros)
            return base + u'Z';
        return base + QString::number(QRandomGenerator::global()->bounded(1000)).rightJustified(3, u'0') + u'Z';
    }

} // namespace

QStringList completedStatuses(EventType type)
{
    switch (type) {
    case EventType::WorkflowCompleted:
        return {u"success"_s, u"failed"_s, u"error"_s, u"canceled"_s, u"unauthorized"_s};
    case EventType::JobCompleted:
        return {u"success"_s, u"failed"_s, u"canceled"_s, u"unauthorized"_s};
    case EventType::Ping:
        break;
    }
    return {};
}

QByteArray samplePayload(const SampleOptions &o)
{
    const QDateTime now = o.now.isValid() ? o.now : QDateTime::currentDateTimeUtc();
    const QString eventId = o.eventId.isEmpty() ? uuid() : o.eventId;
    QJsonObject root {
        {u"type"_s, QString::fromLatin1(eventTypeName(o.type))},
        {u"id"_s, eventId},
        {u"happened_at"_s, iso(now, true)},
        {u"webhook"_s,
         QJsonObject {{u"id"_s, u"93ef6058-e4d2-4eb7-93ee-05782efcb8e8"_s}, {u"name"_s, u"circletray"_s}}},
    };
    if (o.type != EventType::Ping) {
        const QString workflowId = o.workflowId.isEmpty() ? uuid() : o.workflowId;
        const int pipelineNumber = 100 + QRandomGenerator::global()->bounded(900);
        const QString slug = u"github/"_s + o.organization + u'/' + o.project;
        // A 1.5–11.5 min run that never starts before one sent earlier: the start is the last
        // ten-minute mark, 90 s back. (A random length per send made a "success" sent after a
        // "failed" look like an older run finishing late — stale, so no "Fixed" — half the time.)
        constexpr qint64 window = 600'000;
        const QDateTime created =
            QDateTime::fromMSecsSinceEpoch(now.toMSecsSinceEpoch() / window * window - 90'000, Qt::UTC);
        QJsonObject workflow {
            {u"id"_s, workflowId},
            {u"name"_s, o.workflowName},
            {u"created_at"_s, iso(created)},
            {u"stopped_at"_s, iso(now.addMSecs(-130))},
            {u"url"_s,
             QString(u"https://app.circleci.com/pipelines/"_s + slug + u'/' + QString::number(pipelineNumber)
                     + u"/workflows/"_s + workflowId)},
        };
        if (o.type == EventType::WorkflowCompleted)
            workflow.insert(u"status"_s, o.status);
        root.insert(u"project"_s,
                    QJsonObject {{u"id"_s, u"31098d8f-6c58-438a-b49a-ef163d2ebd3b"_s},
                                 {u"name"_s, o.project},
                                 {u"slug"_s, slug}});
        root.insert(u"organization"_s,
                    QJsonObject {{u"id"_s, u"8c0a2468-2073-4c9b-a179-550149682807"_s}, {u"name"_s, o.organization}});
        root.insert(u"workflow"_s, workflow);
        const QString repo = u"https://github.com/"_s + o.organization + u'/' + o.project;
        root.insert(u"pipeline"_s,
                    QJsonObject {
                        {u"id"_s, uuid()},
                        {u"number"_s, pipelineNumber},
                        {u"created_at"_s, iso(created.addMSecs(-132))},
                        {u"trigger"_s, QJsonObject {{u"type"_s, u"webhook"_s}}},
                        {u"vcs"_s,
                         QJsonObject {
                             {u"provider_name"_s, u"github"_s},
                             {u"origin_repository_url"_s, repo},
                             {u"target_repository_url"_s, repo},
                             {u"revision"_s,
                              QString::fromLatin1(QUuid::createUuid().toRfc4122().toHex()
                                                  + QUuid::createUuid().toRfc4122().toHex().left(8))},
                             {u"commit"_s,
                              QJsonObject {
                                  {u"subject"_s, o.subject},
                                  {u"body"_s, u"Debounce repaint requests."_s},
                                  {u"author"_s, QJsonObject {{u"name"_s, o.authorName}, {u"email"_s, o.authorEmail}}},
                                  {u"authored_at"_s, created.addSecs(-14).toString(Qt::ISODate)},
                                  {u"committer"_s,
                                   QJsonObject {{u"name"_s, u"GitHub"_s}, {u"email"_s, u"noreply@github.com"_s}}},
                                  {u"committed_at"_s, created.addSecs(-14).toString(Qt::ISODate)},
                              }},
                             {u"branch"_s, o.branch},
                         }},
                    });
        if (o.type == EventType::JobCompleted) {
            root.insert(u"job"_s,
                        QJsonObject {
                            {u"id"_s, uuid()},
                            {u"name"_s, o.jobName},
                            {u"number"_s, 1000 + QRandomGenerator::global()->bounded(9000)},
                            {u"status"_s, o.status},
                            {u"started_at"_s, iso(created.addSecs(7))},
                            {u"stopped_at"_s, iso(now.addMSecs(-130))},
                        });
        }
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace ct
