// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace ct {

//! What `circletray-hook send` puts into its built-in sample; empty fields get fresh or default values.
struct SampleOptions
{
    EventType type = EventType::WorkflowCompleted;
    QString status = QStringLiteral("success"); //!< workflow status, and the job's for job-completed
    QString project = QStringLiteral("tray-notifier");
    QString organization = QStringLiteral("example-org");
    QString branch = QStringLiteral("main");
    QString workflowName = QStringLiteral("build-and-test");
    QString jobName = QStringLiteral("unit-tests");
    QString subject = QStringLiteral("Fix tray icon flicker — naïve repaint on Wayland ✓");
    QString authorName = QStringLiteral("Zoë Example");
    QString authorEmail = QStringLiteral("zoe@example.com");
    QString eventId; //!< fresh UUID when empty
    QString workflowId; //!< fresh UUID when empty
    QDateTime now; //!< current time when invalid
};

//! The statuses CircleCI's webhook documentation lists for a completed event of \a type: success,
//! failed, error, canceled, unauthorized for a workflow, the same but error for a job, none for a
//! ping. API-only values (running, on_hold, queued, …) belong to unfinished runs and are never sent.
QStringList completedStatuses(EventType type);

//! A realistic CircleCI body (GitHub OAuth shape, as in the spec) with fresh ids and times.
QByteArray samplePayload(const SampleOptions &options);

} // namespace ct
