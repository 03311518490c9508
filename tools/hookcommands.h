// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace ct::hook {

// Exit codes shared by the commands (documented in README and --help).
enum ExitCode { Success = 0, Failed = 1, Usage = 2, Network = 3 };

int runVerify(const QStringList &arguments);
int runParse(const QStringList &arguments);
int runSend(const QStringList &arguments);

//! Flushes what the commands wrote to stdout and stderr (call before exiting).
void flushOutput();

} // namespace ct::hook
