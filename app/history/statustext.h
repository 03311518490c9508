// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace ct {

/*!
 * \brief CircleCI's raw status as words a user reads: `not_run` → "Not run", `on_hold` → "On hold",
 * `unauthorized` → "Not authorized", `infrastructure_fail` → "Infrastructure failure"; an empty
 * status (only job results so far) → "Running". Unknown values are shown readably, never dropped.
 */
QString readableStatus(const QString &status);

} // namespace ct
