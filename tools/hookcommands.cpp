// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "hookcommands.h"

#include "core/eventjson.h"
#include "core/eventparser.h"
#include "core/webhookverifier.h"
#include "samplepayload.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTextStream>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace ct::hook {

// Shared by every command (declared in hookcommands.h).

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

int usageError(const QString &message, const QString &command)
{
    err() << "circletray-hook " << command << ": " << message << "\nTry \"circletray-hook " << command
          << " --help\".\n";
    err().flush();
    return Usage;
}

//! Parses \a arguments; returns -1 to go on, or the exit code (help shown, or a usage error).
int parseArguments(QCommandLineParser &parser, const QStringList &arguments, const QString &command)
{
    parser.setApplicationDescription(QString());
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    if (!parser.parse(arguments))
        return usageError(parser.errorText(), command);
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        text.replace(u"circletray-hook [options]"_s, u"circletray-hook "_s + command + u" [options]"_s);
        out() << text;
        out().flush();
        return Success;
    }
    return -1;
}

//! The body to work on: a file, or standard input for "-".
std::optional<QByteArray> readInput(const QString &name, const QString &command)
{
    QFile file;
    const bool ok =
        name == u"-" ? file.open(stdin, QIODevice::ReadOnly) : (file.setFileName(name), file.open(QIODevice::ReadOnly));
    if (!ok) {
        err() << "circletray-hook " << command << ": cannot read " << name << ": " << file.errorString() << '\n';
        err().flush();
        return std::nullopt;
    }
    return file.readAll();
}

namespace {
    const QCommandLineOption secretOption(u"secret"_s, u"Webhook signing secret; repeat for several (rotation)."_s,
                                          u"secret"_s);
    const QCommandLineOption secretFileOption(u"secret-file"_s,
                                              u"File with one secret per line (blank lines and # comments skipped)."_s,
                                              u"file"_s);

} // namespace

//! Secrets from --secret and --secret-file, with surrounding whitespace (a trailing newline) removed.
std::optional<QList<QByteArray>> readSecrets(const QCommandLineParser &parser, const QString &command)
{
    QList<QByteArray> secrets;
    for (const QString &s : parser.values(secretOption)) {
        if (!s.trimmed().isEmpty())
            secrets.append(s.trimmed().toUtf8());
    }
    for (const QString &path : parser.values(secretFileOption)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            err() << "circletray-hook " << command << ": cannot read " << path << ": " << file.errorString() << '\n';
            err().flush();
            return std::nullopt;
        }
        for (const QByteArray &line : file.readAll().split('\n')) {
            const QByteArray secret = line.trimmed();
            if (!secret.isEmpty() && !secret.startsWith('#'))
                secrets.append(secret);
        }
    }
    if (secrets.isEmpty()) {
        usageError(u"give a secret with --secret or --secret-file"_s, command);
        return std::nullopt;
    }
    return secrets;
}

void flushOutput()
{
    out().flush();
    err().flush();
}

int runVerify(const QStringList &arguments)
{
    const QString command = u"verify"_s;
    QCommandLineParser parser;
    parser.addOption(secretOption);
    parser.addOption(secretFileOption);
    const QCommandLineOption signature(u"signature"_s, u"The circleci-signature header value, e.g. 'v1=…'."_s,
                                       u"header"_s);
    parser.addOption(signature);
    parser.addPositionalArgument(u"FILE"_s, u"The raw request body; - reads standard input."_s);
    if (const int code = parseArguments(parser, arguments, command); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(u"give exactly one FILE (or - for standard input)"_s, command);
    const auto secrets = readSecrets(parser, command);
    if (!secrets)
        return Usage;
    const auto body = readInput(parser.positionalArguments().constFirst(), command);
    if (!body)
        return Failed;
    std::optional<QByteArray> header;
    if (parser.isSet(signature))
        header = parser.value(signature).toUtf8();
    const VerifyResult result =
        verifySignature(*body, header ? std::optional<QByteArrayView>(*header) : std::nullopt, *secrets);
    if (result == VerifyResult::Valid) {
        out() << "valid\n";
        return Success;
    }
    out() << "invalid: " << verifyResultReason(result) << '\n';
    return Failed;
}

int runParse(const QStringList &arguments)
{
    const QString command = u"parse"_s;
    QCommandLineParser parser;
    parser.addPositionalArgument(u"FILE"_s, u"A webhook body; - reads standard input."_s);
    if (const int code = parseArguments(parser, arguments, command); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(u"give exactly one FILE (or - for standard input)"_s, command);
    const auto body = readInput(parser.positionalArguments().constFirst(), command);
    if (!body)
        return Failed;
    EventParser eventParser;
    const EventParseResult result = eventParser.parse(*body);
    if (!result.ok()) {
        err() << "error: " << result.error << '\n';
        return Failed;
    }
    out() << QJsonDocument(eventToJson(result.event)).toJson(QJsonDocument::Compact) << '\n';
    return Success;
}

int runSend(const QStringList &arguments)
{
    const QString command = u"send"_s;
    QCommandLineParser parser;
    const QCommandLineOption url(u"url"_s, u"Where to POST, e.g. http://127.0.0.1:8787/webhook."_s, u"url"_s);
    const QCommandLineOption type(u"type"_s, u"workflow-completed (default), job-completed or ping."_s, u"type"_s);
    const QCommandLineOption status(
        u"status"_s,
        u"Status in the built-in sample (default success): success, failed, error, canceled or "
        "unauthorized; for job-completed the same but error."_s,
        u"status"_s);
    const QCommandLineOption project(u"project"_s, u"Project name in the built-in sample."_s, u"name"_s);
    const QCommandLineOption branch(u"branch"_s, u"Branch in the built-in sample."_s, u"name"_s);
    const QCommandLineOption workflow(u"workflow"_s, u"Workflow name in the built-in sample."_s, u"name"_s);
    const QCommandLineOption subject(u"subject"_s, u"Commit subject in the built-in sample."_s, u"text"_s);
    const QCommandLineOption author(u"author"_s, u"Commit author in the built-in sample: \"Name <email>\"."_s,
                                    u"author"_s);
    const QCommandLineOption eventId(u"event-id"_s, u"Event id in the built-in sample (default: fresh)."_s, u"uuid"_s);
    const QCommandLineOption workflowId(u"workflow-id"_s, u"Workflow id in the built-in sample (default: fresh)."_s,
                                        u"uuid"_s);
    const QCommandLineOption cacert(u"cacert"_s, u"Trust the CA certificate(s) in this PEM file for https."_s,
                                    u"file"_s);
    for (const auto &o : {url, type, status, project, branch, workflow, subject, author, eventId, workflowId, cacert})
        parser.addOption(o);
    parser.addOption(secretOption);
    parser.addOption(secretFileOption);
    parser.addPositionalArgument(u"FILE"_s, u"Body to send as is; without it a built-in sample is sent."_s,
                                 u"[FILE]"_s);
    if (const int code = parseArguments(parser, arguments, command); code >= 0)
        return code;
    if (!parser.isSet(url))
        return usageError(u"--url is required"_s, command);
    if (parser.positionalArguments().size() > 1)
        return usageError(u"give at most one FILE"_s, command);
    const QUrl target(parser.value(url), QUrl::StrictMode);
    if (!target.isValid() || (target.scheme() != u"http" && target.scheme() != u"https"))
        return usageError(u"--url must be an http:// or https:// URL"_s, command);
    const auto secrets = readSecrets(parser, command);
    if (!secrets)
        return Usage;

    std::optional<EventType> eventType;
    if (parser.isSet(type)) {
        eventType = eventTypeFromName(parser.value(type).toUtf8());
        if (!eventType)
            return usageError(u"--type must be workflow-completed, job-completed or ping"_s, command);
    }
    QByteArray body;
    if (parser.positionalArguments().isEmpty()) {
        SampleOptions sample;
        sample.type = eventType.value_or(EventType::WorkflowCompleted);
        eventType = sample.type;
        if (parser.isSet(status)) {
            // Only what CircleCI sends in a completed event: a typo or "running" would otherwise
            // reach the receiver as a status it never sees from CircleCI.
            const QStringList valid = completedStatuses(sample.type);
            const QString typeName = QString::fromLatin1(eventTypeName(sample.type));
            if (valid.isEmpty())
                return usageError(u"--status does not apply to --type %1 (it has no status)"_s.arg(typeName), command);
            if (!valid.contains(parser.value(status))) {
                return usageError(u"--status \"%1\" is not a status CircleCI sends in %2; use one of: %3"_s.arg(
                                      parser.value(status), typeName, valid.join(u", "_s)),
                                  command);
            }
            sample.status = parser.value(status);
        }
        if (parser.isSet(project))
            sample.project = parser.value(project);
        if (parser.isSet(branch))
            sample.branch = parser.value(branch);
        if (parser.isSet(workflow))
            sample.workflowName = parser.value(workflow);
        if (parser.isSet(subject))
            sample.subject = parser.value(subject);
        if (parser.isSet(author)) {
            // "Name <email>" or just a name
            const QString a = parser.value(author);
            const qsizetype lt = a.indexOf(u'<');
            sample.authorName = (lt < 0 ? a : a.left(lt)).trimmed();
            sample.authorEmail = lt < 0 ? QString() : a.mid(lt + 1).remove(u'>').trimmed();
        }
        sample.eventId = parser.value(eventId);
        sample.workflowId = parser.value(workflowId);
        body = samplePayload(sample);
    } else {
        const auto file = readInput(parser.positionalArguments().constFirst(), command);
        if (!file)
            return Failed;
        body = *file;
        if (!eventType) {
            // The header follows the body's own type, as CircleCI's does.
            const QJsonValue t = QJsonDocument::fromJson(body).object().value(u"type"_s);
            eventType = eventTypeFromName(t.toString().toUtf8());
        }
    }

    QNetworkRequest request(target);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setHeader(QNetworkRequest::UserAgentHeader, u"CircleCI-Webhook/1.0"_s);
    request.setRawHeader("circleci-event-type", eventTypeName(eventType.value_or(EventType::WorkflowCompleted)));
    // CircleCI signs with one secret: the first one given.
    request.setRawHeader("circleci-signature", "v1=" + WebhookVerifier::sign(body, secrets->constFirst()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(10'000); // CircleCI gives up after 10 s
    if (parser.isSet(cacert)) {
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(parser.value(cacert));
        if (certs.isEmpty()) {
            err() << "circletray-hook send: no PEM certificate in " << parser.value(cacert) << '\n';
            return Usage;
        }
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(certs);
        request.setSslConfiguration(ssl);
    }

    QNetworkAccessManager manager;
    QNetworkReply *reply = manager.post(request, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (httpStatus == 0) {
        err() << "circletray-hook send: " << target.toString(QUrl::RemoveUserInfo) << ": " << reply->errorString()
              << '\n';
        reply->deleteLater();
        return Network;
    }
    const QByteArray reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    const QByteArray answer = reply->readAll().trimmed();
    out() << httpStatus;
    if (!reason.isEmpty()) // HTTP/2 has no reason phrases
        out() << ' ' << reason;
    if (!answer.isEmpty() && (httpStatus < 200 || httpStatus > 299))
        out() << ": " << answer.left(500);
    out() << '\n';
    reply->deleteLater();
    return httpStatus >= 200 && httpStatus <= 299 ? Success : Failed;
}

} // namespace ct::hook
