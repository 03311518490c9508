// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QString>

namespace ct {

//! "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or the date.
QString relativeTime(const QDateTime &t, const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace ct
