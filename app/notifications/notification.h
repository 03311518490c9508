// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QUrl>

namespace ct {

//! What a popup says; how it is shown is the Notifier's business.
struct Notification
{
    QString key; //!< a later notification with the same key replaces this one (the workflow id)
    QString title;
    QString body;
    QString iconName; //!< freedesktop icon name
    bool critical = false;
    QUrl url; //!< opened by the default action and "Open workflow"
    bool opensHistory = false; //!< a click opens the history window instead (summaries)
    //! A failure's workflow: the popup offers "Rerun failed jobs" (where actions exist, with a token)
    QString rerunWorkflowId;
};

} // namespace ct
