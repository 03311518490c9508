// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QString>

namespace ct {

//! "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or the date.
QString relativeTime(const QDateTime &t, const QDateTime &now = QDateTime::currentDateTimeUtc());

//! A duration as every window and popup shows it: "45 s", "10 min 11 s", "2 h 5 min"; empty when
//! unknown (negative).
QString durationText(qint64 seconds);

} // namespace ct
