// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/catchup.h"

#include "app/account/circleciaccount.h"
#include "app/appcontroller.h"
#include "app/applogging.h"
#include "app/history/historystore.h"
#include "app/setup/settings.h"
#include "core/circleci/workflowcatchup.h"

using namespace Qt::StringLiterals;

namespace ct {

CatchUp::CatchUp(CircleCiAccount *account, HistoryStore *store, AppController *controller, Settings *settings,
                 QObject *parent)
    : QObject(parent)
    , m_account(account)
    , m_store(store)
    , m_controller(controller)
    , m_settings(settings)
{ }

CatchUp::~CatchUp()
{
    delete m_job;
}

QDateTime CatchUp::nextSince() const
{
    QDateTime since = m_store->newestFinishedAt();
    if (!since.isValid())
        since = m_settings->setupCompletedAt(); // nothing heard yet: what finished since the setup
    return since.isValid() ? since.addSecs(-60 * marginMinutes) : QDateTime();
}

void CatchUp::setProblem(const QString &problem)
{
    if (problem == m_problem)
        return;
    m_problem = problem;
    Q_EMIT problemChanged(problem);
}

void CatchUp::run(const QString &why)
{
    if (!m_account->hasToken())
        return;
    if (m_job) {
        m_again = true; // what changed meanwhile is asked for right after
        return;
    }
    const QDateTime since = nextSince();
    if (!since.isValid()) {
        qCInfo(lcAppAccount) << "catch-up skipped (" << why << "): nothing to compare with yet";
        return;
    }
    qCInfo(lcAppAccount).noquote() << "catching up from the CircleCI API (" << why << ") since"
                                   << since.toString(Qt::ISODate);
    auto *job = new WorkflowCatchUp(m_account->client(), this);
    m_job = job;
    job->setSince(since);
    connect(job, &WorkflowCatchUp::finished, this,
            [this, job](const QList<WebhookEvent> &events, const ApiError &error, bool truncated) {
                job->deleteLater();
                m_job = nullptr;
                m_offline = error.kind == ApiError::Kind::Network || error.kind == ApiError::Kind::Timeout;
                if (error.kind == ApiError::Kind::TokenRejected || error.kind == ApiError::Kind::NotAllowed)
                    setProblem(error.text());
                else if (error.ok() || m_offline)
                    setProblem(QString());
                if (!error.ok())
                    qCInfo(lcAppAccount).noquote() << "catch-up ended early:" << error.text();
                if (truncated)
                    qCInfo(lcAppAccount) << "catch-up stopped at its page budget; older results are not asked for";
                // In finish order, like webhooks would have come; one summary afterwards.
                for (const WebhookEvent &e : events)
                    m_controller->handleEvent(e, true);
                if (!events.isEmpty())
                    m_controller->handleCaughtUp();
                int workflows = 0;
                for (const WebhookEvent &e : events)
                    workflows += e.type == EventType::WorkflowCompleted ? 1 : 0;
                Q_EMIT finished(workflows);
                if (std::exchange(m_again, false))
                    run(u"asked again meanwhile"_s);
            });
    job->start();
}

} // namespace ct
