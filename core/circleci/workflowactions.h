// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/apierror.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>

namespace ct {

class CircleCiClient;

/*!
 * \brief Rerun and cancel a workflow through CircleCI's API (`POST /workflow/{id}/rerun`,
 * `…/cancel`), with the outcome as a signal and a failure in words a user acts on.
 *
 * One request per workflow at a time: a second rerun or cancel for a workflow whose request is
 * still in flight is ignored (CircleCI has no idempotency key, a double click would rerun twice).
 */
class WorkflowActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkflowActions)

public:
    explicit WorkflowActions(CircleCiClient *client, QObject *parent = nullptr);

    //! Reruns \a workflowId (only its failed jobs with \a fromFailed). False, and nothing sent,
    //! when a request for that workflow is in flight or the id is empty.
    bool rerun(const QString &workflowId, bool fromFailed);
    //! Cancels \a workflowId; false as for rerun().
    bool cancel(const QString &workflowId);
    bool isBusy(const QString &workflowId) const { return m_inFlight.contains(workflowId); }

    //! The web page of \a workflowId on the CircleCI whose API is at \a apiHost.
    static QUrl webUrl(const QUrl &apiHost, const QString &workflowId);
    //! What went wrong with a rerun or cancel, for a popup or a terminal.
    static QString reasonFor(const ApiError &error);

Q_SIGNALS:
    void rerunStarted(const QString &oldWorkflowId, const QString &newWorkflowId);
    void canceled(const QString &workflowId);
    void failed(const QString &workflowId, const ct::ApiError &error, const QString &reason);

private:
    QPointer<CircleCiClient> m_client;
    QSet<QString> m_inFlight;
};

} // namespace ct
