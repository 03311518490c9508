// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QStringList>

#include <optional>

class QCommandLineParser;
class QTextStream;

namespace ct::hook {

// Exit codes shared by the commands (documented in README and --help).
enum ExitCode { Success = 0, Failed = 1, Usage = 2, Network = 3 };

int runVerify(const QStringList &arguments);
int runParse(const QStringList &arguments);
int runSend(const QStringList &arguments);

int runProjects(const QStringList &arguments);
int runWebhooks(const QStringList &arguments);
int runWorkflows(const QStringList &arguments);
int runRerun(const QStringList &arguments);
int runCancel(const QStringList &arguments);

// Shared by the commands.
QTextStream &out();
QTextStream &err();
int usageError(const QString &message, const QString &command);
//! Parses \a arguments; returns -1 to go on, or the exit code (help shown, or a usage error).
int parseArguments(QCommandLineParser &parser, const QStringList &arguments, const QString &command);
std::optional<QByteArray> readInput(const QString &name, const QString &command);

//! Flushes what the commands wrote to stdout and stderr (call before exiting).
void flushOutput();

} // namespace ct::hook
