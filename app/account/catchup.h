// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/workflowcatchup.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

namespace ct {

class AppController;
class CircleCiAccount;
class HistoryStore;
class Settings;

/*!
 * \brief Never miss a build: after the app could not hear (start, resume from sleep, a reconnect,
 * a new tunnel URL, a relay gap) it asks CircleCI's API what finished meanwhile, and feeds the
 * results through the same history, tracker and notification path as webhooks, in finish order,
 * with one summary popup. Since = the newest result in the history minus a margin (never more than
 * 7 days back). Only runs with a token, only when asked: nothing polls while the app is idle.
 *
 * A rejected token is said once (problemChanged, for Settings and the tray tooltip); a rate limit is
 * waited out by the client within its budget; offline means trying again at the next network
 * change. The live path never waits for any of it.
 */
class CatchUp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CatchUp)

public:
    //! How far before the newest result in the history to look again (clocks, late reruns).
    static constexpr int marginMinutes = 10;

    CatchUp(CircleCiAccount *account, HistoryStore *store, AppController *controller, Settings *settings,
            QObject *parent = nullptr);
    ~CatchUp() override;

    //! Asks now, unless a run is going on: then once more when it ends. \a why is for the log.
    void run(const QString &why);
    bool isRunning() const { return m_job != nullptr; }
    //! Why the last run failed in a way the user must fix or know ("CircleCI token rejected …"); empty when fine.
    QString problem() const { return m_problem; }
    //! The last run could not reach CircleCI: the next network change tries again.
    bool waitingForNetwork() const { return m_offline; }
    //! Since when the next run would ask (for tests and the log).
    QDateTime nextSince() const;

Q_SIGNALS:
    void problemChanged(const QString &problem);
    //! A run ended: \a workflows results were fed in (0 when nothing had finished, or on an error).
    void finished(int workflows);

private:
    void setProblem(const QString &problem);

    CircleCiAccount *m_account;
    HistoryStore *m_store;
    AppController *m_controller;
    Settings *m_settings;
    QPointer<WorkflowCatchUp> m_job;
    bool m_again = false;
    bool m_offline = false;
    QString m_problem;
};

} // namespace ct
