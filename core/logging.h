// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcVerifier)
Q_DECLARE_LOGGING_CATEGORY(lcParser)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcReceiver)

#include <QString>

namespace ct {

/*!
 * \brief \a text in double quotes, safe to put in a log line: control characters (newlines, ANSI
 * escapes), quotes and backslashes escaped, cut after \a maxChars with "…".
 *
 * For every string that came from outside (event ids, names and errors quoting a signed payload): a
 * value holding "\n2026-… relay: accepted" must not forge a log line, nor ESC sequences a terminal.
 */
QString logQuoted(QStringView text, qsizetype maxChars = 120);

} // namespace ct
