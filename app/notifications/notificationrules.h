// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/history/historystore.h"
#include "app/notifications/notification.h"
#include "core/statustracker.h"

#include <QDateTime>
#include <QStringList>

#include <optional>

namespace ct {

//! The user's notification settings, as plain values (from Settings).
struct RuleSettings
{
    QStringList kinds {QStringLiteral("broken"), QStringLiteral("fixed"), QStringLiteral("still-failing")};
    bool jobFailures = false;
    QStringList includeProjects; //!< slugs or names; empty = all
    QStringList excludeProjects;
    QStringList branchPatterns; //!< globs such as "main" or "release/*"; empty = all
    bool onlyMine = false;
    QStringList myEmails;
    QDateTime pausedUntil;
};

/*!
 * \brief Decides which results become popups, and what they say.
 *
 * The tracker (core) says what happened (broken, fixed, …); these rules say whether this user wants
 * to hear about it: kinds, projects, branches, "only my commits", pause.
 */
class NotificationRules
{
public:
    explicit NotificationRules(RuleSettings settings = {});
    void setSettings(const RuleSettings &settings) { m_settings = settings; }
    const RuleSettings &settings() const { return m_settings; }

    //! Is \a workflow (project, branch, author) watched at all, whatever its result?
    bool watches(const WorkflowRecord &workflow) const;
    bool isPaused(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    //! A popup for a completed workflow, or nullopt if the rules say nothing.
    std::optional<Notification> forWorkflow(const WorkflowRecord &workflow, const QList<JobRecord> &jobs,
                                            const TrackerUpdate &update,
                                            const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    //! A popup as soon as a job fails (option), before its workflow completes.
    std::optional<Notification> forFailedJob(const WorkflowRecord &workflow, const JobRecord &job,
                                             const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    static QString titleFor(Transition t); //!< "Broken", "Fixed", "Still failing", "Passed", "Canceled"

private:
    RuleSettings m_settings;
};

} // namespace ct
