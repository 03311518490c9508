// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/notifications/rejectionnotice.h"

using namespace Qt::StringLiterals;

namespace ct {

QString RejectionNotice::take(qint64 count, const QString &reason)
{
    m_unshown += std::max<qint64>(count, 1);
    if (m_lastShown.isValid() && !m_lastShown.hasExpired(m_interval.count()))
        return {};
    m_lastShown.start();
    const qint64 n = std::exchange(m_unshown, 0);
    if (n == 1)
        return u"CircleCI delivery rejected: "_s + reason;
    return u"%1 CircleCI deliveries rejected; the last: %2"_s.arg(n).arg(reason);
}

} // namespace ct
