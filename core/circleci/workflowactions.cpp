// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/workflowactions.h"

#include "core/circleci/circleciclient.h"
#include "core/logging.h"

#include <QHostAddress>
#include <QJsonObject>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcActions, "circletray.core.actions", QtInfoMsg)

namespace ct {

WorkflowActions::WorkflowActions(CircleCiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{ }

/*!
 * \brief CircleCI's short workflow link (`https://app.circleci.com/pipelines/workflows/<id>`, no
 * project slug needed); a CircleCI server at `https://<host>` serves its web app at `app.<host>`.
 * The tests' stand-in on this computer stands in for circleci.com.
 */
QUrl WorkflowActions::webUrl(const QUrl &apiHost, const QString &workflowId)
{
    if (workflowId.isEmpty())
        return {};
    QString host = apiHost.host().toLower();
    const QHostAddress address(host);
    if (host.isEmpty() || host == u"circleci.com" || host == u"localhost"
        || (!address.isNull() && address.isLoopback()))
        host = u"circleci.com"_s;
    if (!host.startsWith(u"app."_s))
        host.prepend(u"app."_s);
    QUrl url;
    url.setScheme(u"https"_s);
    url.setHost(host);
    url.setPath(u"/pipelines/workflows/"_s + workflowId);
    return url;
}

QString WorkflowActions::reasonFor(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::BadRequest:
        if (error.message.contains(u"terminal state"_s, Qt::CaseInsensitive))
            return u"the workflow has not finished yet"_s;
        break;
    case ApiError::Kind::NotFound:
        return u"not found on CircleCI, or older than 90 days, or this token's user cannot see it"_s;
    case ApiError::Kind::NotAllowed:
        return u"not allowed: the token's user cannot run this project's workflows"_s;
    default:
        break;
    }
    return error.text();
}

bool WorkflowActions::rerun(const QString &workflowId, bool fromFailed)
{
    if (workflowId.isEmpty() || !m_client || isBusy(workflowId))
        return false;
    m_inFlight.insert(workflowId);
    QJsonObject body;
    if (fromFailed)
        body.insert(u"from_failed"_s, true);
    qCInfo(lcActions).noquote() << "rerun" << logQuoted(workflowId) << (fromFailed ? "from failed" : "");
    const QPointer<WorkflowActions> self(this);
    m_client->post(u"/workflow/"_s + CircleCiClient::segment(workflowId) + u"/rerun"_s, body,
                   [self, workflowId](const CircleCiClient::Reply &r) {
                       if (!self)
                           return;
                       self->m_inFlight.remove(workflowId);
                       ApiError error = r.error;
                       const QString newId = r.json.object().value(u"workflow_id"_s).toString();
                       if (error.ok() && newId.isEmpty()) {
                           error.kind = ApiError::Kind::BadResponse;
                           error.message = u"a rerun answer without \"workflow_id\""_s;
                       }
                       if (!error.ok()) {
                           Q_EMIT self->failed(workflowId, error, reasonFor(error));
                           return;
                       }
                       Q_EMIT self->rerunStarted(workflowId, newId);
                   });
    return true;
}

bool WorkflowActions::cancel(const QString &workflowId)
{
    if (workflowId.isEmpty() || !m_client || isBusy(workflowId))
        return false;
    m_inFlight.insert(workflowId);
    qCInfo(lcActions).noquote() << "cancel" << logQuoted(workflowId);
    const QPointer<WorkflowActions> self(this);
    m_client->post(u"/workflow/"_s + CircleCiClient::segment(workflowId) + u"/cancel"_s, {},
                   [self, workflowId](const CircleCiClient::Reply &r) {
                       if (!self)
                           return;
                       self->m_inFlight.remove(workflowId);
                       if (!r.ok()) {
                           Q_EMIT self->failed(workflowId, r.error, reasonFor(r.error));
                           return;
                       }
                       Q_EMIT self->canceled(workflowId);
                   });
    return true;
}

} // namespace ct
