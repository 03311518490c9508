// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace ct {

//! What a workflow result means compared with the previous result for the same key.
enum class Transition {
    Broken, //!< failure after success, or a failure never seen before
    Fixed, //!< success after failure
    StillFailing, //!< failure after failure
    Passed, //!< success after success, or first seen
    Canceled,
    Unknown, //!< a status CircleTray does not know (kept, never notified as a break)
};

QByteArray transitionName(Transition t); //!< "broken", "fixed", "still-failing", "passed", "canceled", "unknown"

//! Identifies a stream of comparable workflow runs: the same workflow of the same project on the same ref.
struct TrackerKey
{
    QString projectSlug;
    QString ref; //!< the branch, or "tag:<tag>" for tag builds, or "" when CircleCI sent neither
    QString workflowName;

    static TrackerKey fromEvent(const WebhookEvent &event);
    QString toString() const;
    friend bool operator==(const TrackerKey &, const TrackerKey &) = default;
};

struct TrackerUpdate
{
    Transition transition = Transition::Unknown;
    //! The same workflow id was seen before (CircleCI sends N+1 events on cancel, and duplicates):
    //! the transition is computed as for the first one, so callers can replace rather than repeat a popup.
    bool repeat = false;
    //! The workflow was created before the newest one recorded for its key: the state did not move.
    bool stale = false;
};

/*!
 * \brief Classifies workflow results per key as Broken / Fixed / Still failing / Passed / Canceled.
 *
 * Pure logic, no storage: the caller saves and restores the state (saveState()/restoreState()).
 * Canceled and unknown results do not change what the next result is compared with, so
 * "failed, canceled, success" is Fixed.
 */
class StatusTracker
{
public:
    //! Records a workflow-completed event; std::nullopt for any other kind of event.
    std::optional<TrackerUpdate> record(const WebhookEvent &event);
    TrackerUpdate record(const TrackerKey &key, const QString &workflowId, StatusClass status,
                         const QDateTime &workflowCreatedAt = {});

    //! Every key with a success/failure recorded, and that last result.
    QList<QPair<TrackerKey, StatusClass>> decisiveStates() const;
    //! The last success/failure recorded for \a key, if any.
    std::optional<StatusClass> lastDecisive(const TrackerKey &key) const;
    qsizetype size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }

    //! Compact JSON the caller may store anywhere; restoreState() reads it back.
    QByteArray saveState() const;
    //! Replaces the state; false (and the state unchanged) if \a state is not something saveState() wrote.
    bool restoreState(const QByteArray &state);

private:
    struct Entry
    {
        QString key;
        QString projectSlug, ref, workflowName;
        std::optional<StatusClass> decisive; //!< last success/failure
        std::optional<StatusClass> decisiveBeforeLast; //!< what the last workflow id was compared with
        QString lastWorkflowId;
        QDateTime lastCreatedAt;
    };
    QHash<QString, Entry> m_entries;
};

} // namespace ct
