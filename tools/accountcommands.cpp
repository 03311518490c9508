// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The commands that use a CircleCI account (API v2 with a personal token): projects, webhooks,
// workflows.
#include "core/circleci/circleciclient.h"
#include "core/circleci/circlecitoken.h"
#include "core/circleci/projectdiscovery.h"
#include "core/circleci/webhooksync.h"
#include "core/circleci/workflowactions.h"
#include "core/circleci/workflowcatchup.h"
#include "core/eventjson.h"
#include "core/timestamp.h"
#include "hookcommands.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace ct::hook {

namespace {

    const QCommandLineOption
        hostOption(u"host"_s, u"CircleCI: https://circleci.com (default) or your server's https://<host>."_s, u"url"_s);
    const QCommandLineOption tokenFileOption(
        u"token-file"_s,
        u"File with a personal API token. Else $CIRCLECI_TOKEN, $CIRCLECI_CLI_TOKEN or ~/.circleci/cli.yml."_s,
        u"file"_s);
    const QCommandLineOption cacertOption(u"cacert"_s, u"Also trust the CA certificate(s) in this PEM file."_s,
                                          u"file"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"One JSON object per line instead of a table."_s);
    const QCommandLineOption projectOption(u"project"_s, u"A project slug, e.g. gh/acme/api; repeat for several."_s,
                                           u"slug"_s);
    const QCommandLineOption allOption(u"all"_s, u"Every project the token can see."_s);

    //! The client for the account options, or the exit code when they are unusable.
    std::variant<int, std::unique_ptr<CircleCiClient>> accountClient(const QCommandLineParser &parser,
                                                                     const QString &command)
    {
        QString error;
        const CircleCiToken token = CircleCiToken::find(parser.value(tokenFileOption), &error);
        if (!error.isEmpty())
            return usageError(error, command);
        if (token.isEmpty())
            return usageError(u"no CircleCI token: give --token-file FILE, set CIRCLECI_TOKEN, or log in with the "
                              "circleci CLI (circleci setup)"_s,
                              command);
        auto client = std::make_unique<CircleCiClient>();
        client->setToken(token.token);
        if (parser.isSet(hostOption))
            client->setHost(QUrl::fromUserInput(parser.value(hostOption)));
        else if (token.host.isValid() && !token.host.isEmpty())
            client->setHost(token.host); // the circleci CLI's own host, with its token
        if (parser.isSet(cacertOption)) {
            const QList<QSslCertificate> certs = QSslCertificate::fromPath(parser.value(cacertOption));
            if (certs.isEmpty())
                return usageError(u"no certificate in %1"_s.arg(parser.value(cacertOption)), command);
            client->setCaCertificates(certs);
        }
        return client;
    }

    int failure(const ApiError &error, const QString &command)
    {
        err() << "circletray-hook " << command << ": " << error.text() << '\n';
        const bool network = error.kind == ApiError::Kind::Network || error.kind == ApiError::Kind::Tls
            || error.kind == ApiError::Kind::Timeout;
        return network ? Network : Failed;
    }

    void printTable(const QList<QStringList> &rows)
    {
        QList<qsizetype> widths;
        for (const QStringList &row : rows) {
            for (qsizetype i = 0; i < row.size(); ++i) {
                if (widths.size() <= i)
                    widths.append(0);
                widths[i] = std::max(widths[i], row.at(i).size());
            }
        }
        for (const QStringList &row : rows) {
            QString line;
            for (qsizetype i = 0; i < row.size(); ++i)
                line += i + 1 < row.size() ? row.at(i).leftJustified(widths[i] + 2) : row.at(i);
            out() << line << '\n';
        }
    }

    void printJson(const QJsonObject &o)
    {
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) << '\n';
    }

    //! Every project (discovery), for --all; warnings go to stderr.
    std::optional<QList<CircleCiProject>> discover(CircleCiClient &client, const QString &command, int *code)
    {
        ProjectDiscovery discovery(&client);
        QEventLoop loop;
        std::optional<QList<CircleCiProject>> result;
        QObject::connect(
            &discovery, &ProjectDiscovery::finished, &loop,
            [&](const QList<CircleCiProject> &projects, const ApiError &error, const QStringList &warnings) {
                for (const QString &w : warnings)
                    err() << "circletray-hook " << command << ": warning: " << w << '\n';
                if (error.ok())
                    result = projects;
                else
                    *code = failure(error, command);
                loop.quit();
            });
        discovery.start();
        loop.exec();
        return result;
    }

    //! The projects of --project (ids looked up later) or --all.
    std::optional<QList<CircleCiProject>> chosenProjects(const QCommandLineParser &parser, CircleCiClient &client,
                                                         const QString &command, int *code)
    {
        if (parser.isSet(allOption))
            return discover(client, command, code);
        QList<CircleCiProject> projects;
        for (const QString &slug : parser.values(projectOption)) {
            CircleCiProject p;
            p.slug = slug.trimmed();
            projects.append(p);
        }
        return projects;
    }

    int runWebhookSync(CircleCiClient &client, const QList<CircleCiProject> &projects,
                       const std::function<void(WebhookSync &)> &start)
    {
        WebhookSync sync(&client);
        QEventLoop loop;
        bool allOk = true;
        QObject::connect(&sync, &WebhookSync::projectDone, &loop, [&allOk](const WebhookOutcome &o) {
            out() << o.line() << '\n';
            out().flush();
            allOk = allOk && o.ok();
        });
        QObject::connect(&sync, &WebhookSync::finished, &loop, &QEventLoop::quit);
        if (projects.isEmpty())
            return Success;
        start(sync);
        loop.exec();
        return allOk ? Success : Failed;
    }

    int webhooksList(const QStringList &arguments)
    {
        const QString command = u"webhooks list"_s;
        QCommandLineParser parser;
        for (const auto &o : {hostOption, tokenFileOption, cacertOption, jsonOption, projectOption})
            parser.addOption(o);
        if (const int code = parseArguments(parser, arguments, command); code >= 0)
            return code;
        if (parser.values(projectOption).size() != 1)
            return usageError(u"give one project: --project SLUG"_s, command);
        auto made = accountClient(parser, command);
        if (std::holds_alternative<int>(made))
            return std::get<int>(made);
        CircleCiClient &client = *std::get<1>(made);
        const QString path = CircleCiClient::slugPath(parser.value(projectOption));
        if (path.isEmpty())
            return usageError(u"not a project slug: %1"_s.arg(parser.value(projectOption)), command);
        QEventLoop loop;
        int code = Success;
        QList<CircleCiWebhook> hooks;
        client.get(u"/project/"_s + path, {}, [&](const CircleCiClient::Reply &r) {
            const auto project = r.ok() ? CircleCiProject::fromJson(r.json.object()) : std::nullopt;
            if (!project) {
                code = failure(r.error, command);
                return loop.quit();
            }
            QUrlQuery query;
            query.addQueryItem(u"scope-id"_s, project->id);
            query.addQueryItem(u"scope-type"_s, u"project"_s);
            client.getAll(u"/webhook"_s, query, [&](const CircleCiClient::Pages &pages) {
                if (!pages.error.ok())
                    code = failure(pages.error, command);
                for (const QJsonValue &v : pages.items) {
                    if (const auto w = CircleCiWebhook::fromJson(v.toObject()))
                        hooks.append(*w);
                }
                loop.quit();
            });
        });
        loop.exec();
        if (code != Success)
            return code;
        if (parser.isSet(jsonOption)) {
            for (const CircleCiWebhook &w : std::as_const(hooks))
                printJson({{u"id"_s, w.id},
                           {u"name"_s, w.name},
                           {u"url"_s, w.url},
                           {u"events"_s, QJsonArray::fromStringList(w.events)},
                           {u"verify_tls"_s, w.verifyTls}});
            return Success;
        }
        if (hooks.isEmpty()) {
            out() << parser.value(projectOption) << " has no webhooks\n";
            return Success;
        }
        QList<QStringList> rows {{u"NAME"_s, u"URL"_s, u"EVENTS"_s, u"TLS"_s, u"SECRET"_s, u"ID"_s}};
        for (const CircleCiWebhook &w : std::as_const(hooks))
            rows.append({w.name, w.url, w.events.join(u','), w.verifyTls ? u"verified"_s : u"off"_s,
                         w.hasSecret ? u"set"_s : u"none"_s, w.id});
        printTable(rows);
        return Success;
    }

    int webhooksSync(const QStringList &arguments)
    {
        const QString command = u"webhooks sync"_s;
        const QCommandLineOption url(
            u"url"_s, u"The https:// URL CircleCI posts to, e.g. https://relay.example.com/webhook."_s, u"url"_s);
        const QCommandLineOption secretFile(u"secret-file"_s, u"File whose first line is the webhook secret."_s,
                                            u"file"_s);
        const QCommandLineOption name(u"name"_s, u"The webhook's name (default CircleTray)."_s, u"name"_s);
        QCommandLineParser parser;
        for (const auto &o :
             {hostOption, tokenFileOption, cacertOption, projectOption, allOption, url, secretFile, name})
            parser.addOption(o);
        if (const int code = parseArguments(parser, arguments, command); code >= 0)
            return code;
        WebhookSpec spec;
        spec.url = parser.value(url).trimmed();
        if (const QString problem = WebhookSpec::urlProblem(spec.url); !problem.isEmpty())
            return usageError(problem, command); // before any request
        if (parser.isSet(name))
            spec.name = parser.value(name).trimmed();
        if (spec.name.isEmpty())
            return usageError(u"the webhook needs a name"_s, command);
        if (!parser.isSet(secretFile))
            return usageError(u"give the webhook secret with --secret-file FILE (never on the command line)"_s,
                              command);
        QFile f(parser.value(secretFile));
        if (!f.open(QIODevice::ReadOnly))
            return usageError(u"cannot read %1: %2"_s.arg(f.fileName(), f.errorString()), command);
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.trimmed().isEmpty() && !line.trimmed().startsWith('#')) {
                spec.secret = line.trimmed();
                break;
            }
        }
        if (spec.secret.isEmpty())
            return usageError(u"%1 holds no secret"_s.arg(f.fileName()), command);
        if (parser.isSet(allOption) == parser.isSet(projectOption))
            return usageError(u"give --project SLUG (repeatable) or --all"_s, command);
        auto made = accountClient(parser, command);
        if (std::holds_alternative<int>(made))
            return std::get<int>(made);
        CircleCiClient &client = *std::get<1>(made);
        int code = Success;
        const auto projects = chosenProjects(parser, client, command, &code);
        if (!projects)
            return code;
        return runWebhookSync(client, *projects, [&](WebhookSync &sync) { sync.sync(*projects, spec); });
    }

    int webhooksRemove(const QStringList &arguments)
    {
        const QString command = u"webhooks remove"_s;
        const QCommandLineOption name(u"name"_s, u"Remove the webhooks of this name (default CircleTray)."_s,
                                      u"name"_s);
        QCommandLineParser parser;
        for (const auto &o : {hostOption, tokenFileOption, cacertOption, projectOption, allOption, name})
            parser.addOption(o);
        if (const int code = parseArguments(parser, arguments, command); code >= 0)
            return code;
        const QString hookName = parser.isSet(name) ? parser.value(name).trimmed() : u"CircleTray"_s;
        if (hookName.isEmpty())
            return usageError(u"give the name of the webhooks to remove"_s, command);
        if (parser.isSet(allOption) == parser.isSet(projectOption))
            return usageError(u"give --project SLUG (repeatable) or --all"_s, command);
        auto made = accountClient(parser, command);
        if (std::holds_alternative<int>(made))
            return std::get<int>(made);
        CircleCiClient &client = *std::get<1>(made);
        int code = Success;
        const auto projects = chosenProjects(parser, client, command, &code);
        if (!projects)
            return code;
        return runWebhookSync(client, *projects, [&](WebhookSync &sync) { sync.remove(*projects, hookName); });
    }

    //! rerun / cancel: one workflow id, one request, the outcome on stdout or the reason on stderr.
    int runWorkflowAction(const QStringList &arguments, bool rerun)
    {
        const QString command = rerun ? u"rerun"_s : u"cancel"_s;
        const QCommandLineOption failed(u"failed"_s, u"Rerun only the failed jobs (and what depends on them)."_s);
        QCommandLineParser parser;
        for (const auto &o : {hostOption, tokenFileOption, cacertOption})
            parser.addOption(o);
        if (rerun)
            parser.addOption(failed);
        parser.addPositionalArgument(u"WORKFLOW_ID"_s, u"The workflow's id (the last part of its URL)."_s);
        if (const int code = parseArguments(parser, arguments, command); code >= 0)
            return code;
        if (parser.positionalArguments().size() != 1 || parser.positionalArguments().first().trimmed().isEmpty())
            return usageError(u"give one workflow id"_s, command);
        const QString id = parser.positionalArguments().first().trimmed();
        auto made = accountClient(parser, command);
        if (std::holds_alternative<int>(made))
            return std::get<int>(made);
        CircleCiClient &client = *std::get<1>(made);
        WorkflowActions actions(&client);
        QEventLoop loop;
        int code = Success;
        QObject::connect(&actions, &WorkflowActions::rerunStarted, &loop, [&](const QString &, const QString &newId) {
            out() << newId << '\n';
            loop.quit();
        });
        QObject::connect(&actions, &WorkflowActions::canceled, &loop, [&] {
            out() << "canceled\n";
            loop.quit();
        });
        QObject::connect(&actions, &WorkflowActions::failed, &loop,
                         [&](const QString &, const ApiError &error, const QString &reason) {
                             err() << "circletray-hook " << command << ": " << reason << '\n';
                             const bool network = error.kind == ApiError::Kind::Network
                                 || error.kind == ApiError::Kind::Tls || error.kind == ApiError::Kind::Timeout;
                             code = network ? Network : Failed;
                             loop.quit();
                         });
        if (rerun)
            actions.rerun(id, parser.isSet(failed));
        else
            actions.cancel(id);
        loop.exec();
        return code;
    }

} // namespace

int runRerun(const QStringList &arguments)
{
    return runWorkflowAction(arguments, true);
}

int runCancel(const QStringList &arguments)
{
    return runWorkflowAction(arguments, false);
}

int runProjects(const QStringList &arguments)
{
    const QString command = u"projects"_s;
    QCommandLineParser parser;
    for (const auto &o : {hostOption, tokenFileOption, cacertOption, jsonOption})
        parser.addOption(o);
    if (const int code = parseArguments(parser, arguments, command); code >= 0)
        return code;
    auto made = accountClient(parser, command);
    if (std::holds_alternative<int>(made))
        return std::get<int>(made);
    int code = Success;
    const auto projects = discover(*std::get<1>(made), command, &code);
    if (!projects)
        return code;
    if (parser.isSet(jsonOption)) {
        for (const CircleCiProject &p : *projects)
            printJson(
                {{u"slug"_s, p.slug}, {u"name"_s, p.name}, {u"id"_s, p.id}, {u"organization"_s, p.organizationName}});
        return Success;
    }
    QList<QStringList> rows {{u"SLUG"_s, u"NAME"_s, u"ORGANIZATION"_s}};
    for (const CircleCiProject &p : *projects)
        rows.append({p.slug, p.name, p.organizationName});
    printTable(rows);
    return Success;
}

int runWebhooks(const QStringList &arguments)
{
    // arguments: program, subcommand, options…
    const QString sub = arguments.value(1);
    QStringList rest = arguments;
    if (rest.size() > 1)
        rest.removeAt(1);
    if (sub == u"list")
        return webhooksList(rest);
    if (sub == u"sync")
        return webhooksSync(rest);
    if (sub == u"remove")
        return webhooksRemove(rest);
    const bool help = sub.isEmpty() || sub == u"--help" || sub == u"-h";
    (help ? out() : err()) << (help ? QString() : u"unknown webhooks command: "_s + sub + u'\n')
                           << "Usage: circletray-hook webhooks list|sync|remove [options]\n"
                              "  list    a project's webhooks (CircleTray's and others)\n"
                              "  sync    make each project's CircleTray webhook point at --url with the secret\n"
                              "  remove  delete the webhooks of one name\n"
                              "Run \"circletray-hook webhooks <command> --help\" for its options.\n";
    return help ? Success : Usage;
}

int runWorkflows(const QStringList &arguments)
{
    const QString command = u"workflows"_s;
    const QCommandLineOption sinceOption(
        u"since"_s, u"Finished at or after TIME: ISO 8601 (2026-12-01T08:00:00Z) or back from now (90m, 2h, 3d)."_s,
        u"time"_s);
    const QCommandLineOption pagesOption(
        u"max-pages"_s,
        u"Pages of pipelines to read per organization (default %1)."_s.arg(WorkflowCatchUp::defaultPageBudget), u"n"_s);
    QCommandLineOption nowOption(u"now"_s, u"The current time (for tests)."_s, u"time"_s);
    nowOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineParser parser;
    for (const auto &o :
         {hostOption, tokenFileOption, cacertOption, jsonOption, projectOption, sinceOption, pagesOption, nowOption})
        parser.addOption(o);
    if (const int code = parseArguments(parser, arguments, command); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(u"unexpected argument: %1"_s.arg(parser.positionalArguments().constFirst()), command);
    if (!parser.isSet(sinceOption))
        return usageError(u"give --since TIME"_s, command);
    QString error;
    QDateTime now = QDateTime::currentDateTimeUtc();
    if (parser.isSet(nowOption)) {
        const auto t = WorkflowCatchUp::parseSince(parser.value(nowOption), now, &error);
        if (!t)
            return usageError(u"--now: "_s + error, command);
        now = *t;
    }
    const auto since = WorkflowCatchUp::parseSince(parser.value(sinceOption), now, &error);
    if (!since)
        return usageError(u"--since: "_s + error, command);
    int pages = WorkflowCatchUp::defaultPageBudget;
    if (parser.isSet(pagesOption)) {
        bool ok = false;
        pages = parser.value(pagesOption).toInt(&ok);
        if (!ok || pages < 1)
            return usageError(u"--max-pages: not a positive number: %1"_s.arg(parser.value(pagesOption)), command);
    }
    for (const QString &slug : parser.values(projectOption)) {
        if (CircleCiClient::slugPath(slug.trimmed()).isEmpty())
            return usageError(u"not a project slug: %1"_s.arg(slug), command);
    }
    auto made = accountClient(parser, command);
    if (std::holds_alternative<int>(made))
        return std::get<int>(made);

    WorkflowCatchUp catchUp(std::get<1>(made).get());
    catchUp.setNow(now);
    catchUp.setSince(*since);
    catchUp.setProjects(parser.values(projectOption));
    catchUp.setPageBudget(pages);
    if (catchUp.effectiveSince() > *since)
        err() << "circletray-hook " << command << ": note: looking back 7 days at most, since "
              << QString::fromLatin1(formatTimestamp(catchUp.effectiveSince())) << '\n';
    QEventLoop loop;
    QList<WebhookEvent> events;
    ApiError failed;
    bool truncated = false;
    QObject::connect(&catchUp, &WorkflowCatchUp::finished, &loop,
                     [&](const QList<WebhookEvent> &e, const ApiError &error, bool t) {
                         events = e;
                         failed = error;
                         truncated = t;
                         loop.quit();
                     });
    catchUp.start();
    loop.exec();
    for (const QString &w : catchUp.warnings())
        err() << "circletray-hook " << command << ": warning: " << w << '\n';
    if (!failed.ok())
        return failure(failed, command);
    if (truncated)
        err() << "circletray-hook " << command << ": truncated: the page budget ran out before "
              << QString::fromLatin1(formatTimestamp(*since)) << " (--max-pages); older workflows are missing\n";

    if (parser.isSet(jsonOption)) {
        for (const WebhookEvent &e : std::as_const(events)) {
            if (e.type != EventType::WorkflowCompleted)
                continue;
            QJsonObject o = eventToJson(e);
            o.insert(u"id"_s, QJsonValue::Null); // no webhook delivered it
            o.insert(u"webhook"_s, QJsonValue::Null);
            printJson(o);
        }
        return Success;
    }
    QList<QStringList> rows {{u"FINISHED"_s, u"PROJECT"_s, u"BRANCH"_s, u"WORKFLOW"_s, u"STATUS"_s, u"FAILED JOBS"_s}};
    QStringList failedJobs;
    for (const WebhookEvent &e : std::as_const(events)) {
        if (e.type == EventType::JobCompleted) {
            failedJobs.append(e.job->name);
            continue;
        }
        const PipelineInfo &p = *e.pipeline;
        const QString ref = p.branch ? *p.branch : p.tag ? u"tag "_s + *p.tag : u"-"_s;
        rows.append({e.happenedAt.toString(u"yyyy-MM-dd HH:mm"_s), e.project->slug, ref,
                     e.workflow->name + u" #"_s + QString::number(p.number), e.workflow->status.value_or(QString()),
                     failedJobs.isEmpty() ? u"-"_s : failedJobs.join(u", "_s)});
        failedJobs.clear();
    }
    if (rows.size() == 1) {
        out() << "no workflows finished since " << QString::fromLatin1(formatTimestamp(catchUp.effectiveSince()))
              << '\n';
        return Success;
    }
    printTable(rows);
    return Success;
}

} // namespace ct::hook
