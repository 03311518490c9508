// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QString>

#include <chrono>

namespace ct {

/*!
 * \brief At most one "CircleCI delivery rejected" popup per interval, however many arrive.
 *
 * A wrong secret makes every delivery fail; anyone on the internet can post to a public relay. The
 * first rejection is told at once; those within the next few minutes are counted and told with
 * the next one after the interval.
 */
class RejectionNotice
{
public:
    explicit RejectionNotice(std::chrono::milliseconds interval = std::chrono::minutes(5))
        : m_interval(interval)
    { }

    //! The popup text for \a count more rejections, the last for \a reason; empty while the
    //! interval since the last popup runs (they are counted into the next).
    QString take(qint64 count, const QString &reason);

private:
    std::chrono::milliseconds m_interval;
    QElapsedTimer m_lastShown;
    qint64 m_unshown = 0;
};

} // namespace ct
