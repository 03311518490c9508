// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// circletray-hook: verify, parse and send CircleCI webhooks from the command line.
#include "hookcommands.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace {

const char *const overview = R"(Usage: circletray-hook <command> [options]

Verify, parse and send CircleCI webhooks, for debugging a CircleTray setup.

Commands:
  verify   check a body against a circleci-signature header and secret(s)
  parse    print a webhook body as CircleTray's normalised JSON
  send     sign a body (or a built-in sample) and POST it like CircleCI does

With a CircleCI personal API token (--token-file F, $CIRCLECI_TOKEN, $CIRCLECI_CLI_TOKEN or the
circleci CLI's ~/.circleci/cli.yml):
  projects          every project the token can see
  webhooks list     a project's webhooks
  webhooks sync     create or update CircleTray's webhook in each chosen project
  webhooks remove   delete CircleTray's webhooks
  workflows         the workflows that finished since a time (what the app catches up)
  rerun ID          rerun a finished workflow (--failed: only its failed jobs); prints the new id
  cancel ID         cancel a running workflow

Run "circletray-hook <command> --help" for a command's options.
Exit status: 0 success, 1 the check or request failed, 2 usage error, 3 network error.
)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"circletray-hook"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CT_VERSION));

    // The commands say what went wrong themselves; the API client's own info lines are for debugging
    // (QT_LOGGING_RULES=circletray.core.api.info=true shows them).
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(u"circletray.core.api.info=false\ncircletray.core.catchup.info=false"_s);
    const QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args;
    if (!rest.isEmpty() && args.size() > 1)
        rest.removeAt(1); // the command; what remains parses like a program of its own

    const auto run = [&rest](int (*commandFunction)(const QStringList &)) {
        const int code = commandFunction(rest);
        ct::hook::flushOutput();
        return code;
    };
    if (command == u"verify")
        return run(ct::hook::runVerify);
    if (command == u"parse")
        return run(ct::hook::runParse);
    if (command == u"send")
        return run(ct::hook::runSend);
    if (command == u"projects")
        return run(ct::hook::runProjects);
    if (command == u"webhooks")
        return run(ct::hook::runWebhooks);
    if (command == u"workflows")
        return run(ct::hook::runWorkflows);
    if (command == u"rerun")
        return run(ct::hook::runRerun);
    if (command == u"cancel")
        return run(ct::hook::runCancel);
    if (command == u"--version" || command == u"-v") {
        QTextStream(stdout) << "circletray-hook " << QCoreApplication::applicationVersion() << '\n';
        return ct::hook::Success;
    }
    const bool help = command == u"--help" || command == u"-h" || command == u"help";
    QTextStream(help ? stdout : stderr) << (command.isEmpty() || help ? ""_L1 : "unknown command: "_L1)
                                        << (command.isEmpty() || help ? QString() : command + u'\n')
                                        << QString::fromUtf8(overview);
    return help ? ct::hook::Success : ct::hook::Usage;
}
