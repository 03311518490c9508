// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/relativetime.h"

using namespace Qt::StringLiterals;

namespace ct {

QString relativeTime(const QDateTime &t, const QDateTime &now)
{
    if (!t.isValid())
        return u"unknown"_s;
    const qint64 s = t.secsTo(now);
    if (s < 45)
        return u"just now"_s;
    if (s < 3600)
        return u"%1 min ago"_s.arg(std::max<qint64>(1, (s + 30) / 60));
    if (s < 86400)
        return u"%1 h ago"_s.arg(s / 3600);
    if (s < 2 * 86400)
        return u"yesterday"_s;
    if (s < 7 * 86400)
        return u"%1 days ago"_s.arg(s / 86400);
    return t.toLocalTime().date().toString(Qt::ISODate);
}

QString durationText(qint64 seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 60)
        return u"%1 s"_s.arg(seconds);
    if (seconds < 3600)
        return u"%1 min %2 s"_s.arg(seconds / 60).arg(seconds % 60);
    return u"%1 h %2 min"_s.arg(seconds / 3600).arg((seconds % 3600) / 60);
}

} // namespace ct
