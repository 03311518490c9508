// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/statustext.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace ct {

QString readableStatus(const QString &status)
{
    static const QHash<QString, QString> words {
        {u"success"_s, u"Passed"_s},     {u"failed"_s, u"Failed"_s},
        {u"error"_s, u"Error"_s},        {u"failing"_s, u"Failing"_s},
        {u"canceled"_s, u"Canceled"_s},  {u"unauthorized"_s, u"Not authorized"_s},
        {u"not_run"_s, u"Not run"_s},    {u"not_running"_s, u"Not running"_s},
        {u"on_hold"_s, u"On hold"_s},    {u"running"_s, u"Running"_s},
        {u"queued"_s, u"Queued"_s},      {u"retried"_s, u"Retried"_s},
        {u"blocked"_s, u"Blocked"_s},    {u"infrastructure_fail"_s, u"Infrastructure failure"_s},
        {u"timedout"_s, u"Timed out"_s}, {u"terminated-unknown"_s, u"Terminated"_s},
    };
    if (status.isEmpty())
        return u"Running"_s;
    if (const auto it = words.constFind(status); it != words.cend())
        return *it;
    // Something new from CircleCI: "some_new-state" → "Some new state".
    QString s = status;
    s.replace(u'_', u' ').replace(u'-', u' ');
    s[0] = s[0].toUpper();
    return s;
}

} // namespace ct
