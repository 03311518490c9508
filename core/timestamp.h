// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>

namespace ct {

/*!
 * \brief Parses the timestamp forms CircleCI sends into a UTC QDateTime (millisecond precision).
 *
 * Accepts ISO 8601 / RFC 3339 with any number of fractional digits (`2021-06-01T11:23:14.146213Z`),
 * `+00:00` / `+0000` / `+00` offsets, a space instead of `T`, no offset (taken as UTC), and Go's
 * `time.String()` form (`2024-12-18 17:23:29.361740256 +0000 UTC`). Anything else, including
 * out-of-range fields, gives an invalid QDateTime: callers show "unknown", they never drop the event.
 */
QDateTime parseTimestamp(QByteArrayView text);

//! `2021-06-01T11:23:14.146Z`: UTC, always three fractional digits. Empty for an invalid \a t.
QByteArray formatTimestamp(const QDateTime &t);

} // namespace ct
