// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/eventjson.h"
#include "core/eventparser.h"
#include "core/timestamp.h"
#include "fixtures.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using ct::EventParseStatus;
using ct::test::fixture;

Q_DECLARE_METATYPE(ct::EventParseStatus)

namespace {

QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(fixture(name)).object();
}

//! Removes (or sets to null) the value at a dotted path such as "workflow.status".
QJsonObject without(QJsonObject root, const QString &dotted, bool setNull)
{
    const QStringList keys = dotted.split(u'.');
    std::function<void(QJsonObject &, int)> edit = [&](QJsonObject &o, int i) {
        if (i == keys.size() - 1) {
            if (setNull)
                o.insert(keys[i], QJsonValue::Null);
            else
                o.remove(keys[i]);
            return;
        }
        QJsonObject child = o.value(keys[i]).toObject();
        edit(child, i + 1);
        o.insert(keys[i], child);
    };
    edit(root, 0);
    return root;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString value(const ct::OptString &s)
{
    return s ? *s : u"<null>"_s;
}

} // namespace

class TestEventParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data();
    void fixtures();
    void normalizedJson();
    void pingHasOnlyItsKeys();
    void missingRequiredField_data();
    void missingRequiredField();
    void badInput_data();
    void badInput();
    void lenientFields();
    void parserIsReusable();
};

void TestEventParser::fixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("status"); // workflow status, or job status for job events
    QTest::addColumn<QString>("statusClass");
    QTest::addColumn<QString>("branch");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<QString>("revision");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("author");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("jobUrl");
    // clang-format off
    QTest::newRow("GitHub OAuth success") << u"github-oauth-success.json"_s << u"workflow-completed"_s
        << u"success"_s << u"success"_s << u"main"_s << u"<null>"_s << u"494ebb45b15551a83e427f2e9e484ad053a4ce93"_s
        << u"Add history window"_s << u"Sam Dev"_s << u"sam@example.com"_s << u"<null>"_s;
    QTest::newRow("unicode commit subject, failed") << u"github-oauth-unicode-failed.json"_s << u"workflow-completed"_s
        << u"failed"_s << u"failure"_s << u"fix/tray-flicker"_s << u"<null>"_s << u"494ebb45b15551a83e427f2e9e484ad053a4ce93"_s
        << u"Fix tray icon flicker — naïve repaint on Wayland ✓"_s << u"Zoë Example"_s << u"zoe@example.com"_s << u"<null>"_s;
    QTest::newRow("failed tag build with nulls") << u"github-tag-build-nulls.json"_s << u"workflow-completed"_s
        << u"failed"_s << u"failure"_s << u"<null>"_s << u"<null>"_s << u"494ebb45b15551a83e427f2e9e484ad053a4ce93"_s
        << u"<null>"_s << u"<null>"_s << u"<null>"_s << u"<null>"_s;
    QTest::newRow("GitLab job via trigger_parameters") << u"gitlab-job-completed.json"_s << u"job-completed"_s
        << u"canceled"_s << u"canceled"_s << u"main"_s << u"<null>"_s << u"7a46e68f98bf0eb19c3013b4d18e09652c9c8dba"_s
        << u"Add WebSocket keepalive"_s << u"Example Dev"_s << u"dev@example.com"_s
        << u"https://app.circleci.com/pipelines/circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU/77/workflows/1fd3ad63-0e33-4695-87ef-f10cc0cb8fb0/jobs/312"_s;
    QTest::newRow("GitLab job without workflow (docs sample)") << u"gitlab-job-no-workflow.json"_s << u"job-completed"_s
        << u"failed"_s << u"failure"_s << u"main"_s << u"<null>"_s << u"7a46e68f98bf0eb19c3013b4d18e09652c9c8dba"_s
        << u"Add WebSocket keepalive"_s << u"Example Dev"_s << u"dev@example.com"_s << u"<null>"_s;
    QTest::newRow("GitLab workflow") << u"gitlab-workflow-completed.json"_s << u"workflow-completed"_s
        << u"success"_s << u"success"_s << u"main"_s << u"<null>"_s << u"7a46e68f98bf0eb19c3013b4d18e09652c9c8dba"_s
        << u"Add WebSocket keepalive"_s << u"Example Dev"_s << u"dev@example.com"_s << u"<null>"_s;
    // git.* are "" here: fall through to github_app; the subject comes from git.commit_message's first line.
    QTest::newRow("GitHub App, empty strings") << u"github-app-workflow-completed.json"_s << u"workflow-completed"_s
        << u"error"_s << u"failure"_s << u"release/2.1"_s << u"<null>"_s << u"0123456789abcdef0123456789abcdef01234567"_s
        << u"Release 2.1"_s << u"Ann Releaser"_s << u"ann@example.com"_s << u"<null>"_s;
    QTest::newRow("GitHub job, orb job name") << u"github-job-completed.json"_s << u"job-completed"_s
        << u"success"_s << u"success"_s << u"main"_s << u"<null>"_s << u"494ebb45b15551a83e427f2e9e484ad053a4ce93"_s
        << u"Add history window"_s << u"Sam Dev"_s << u"sam@example.com"_s
        << u"https://app.circleci.com/pipelines/github/example-org/tray-notifier/419/workflows/7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098/jobs/9021"_s;
    QTest::newRow("unknown status, unknown fields") << u"unknown-status.json"_s << u"workflow-completed"_s
        << u"not_run"_s << u"unknown"_s << u"main"_s << u"<null>"_s << u"494ebb45b15551a83e427f2e9e484ad053a4ce93"_s
        << u"Add history window"_s << u"Sam Dev"_s << u"sam@example.com"_s << u"<null>"_s;
    // clang-format on
}

void TestEventParser::fixtures()
{
    QFETCH(QString, file);
    QFETCH(QString, type);
    QFETCH(QString, status);
    QFETCH(QString, statusClass);
    QFETCH(QString, branch);
    QFETCH(QString, tag);
    QFETCH(QString, revision);
    QFETCH(QString, subject);
    QFETCH(QString, author);
    QFETCH(QString, email);
    QFETCH(QString, jobUrl);

    ct::EventParser parser;
    const ct::EventParseResult r = parser.parse(fixture(file));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const ct::WebhookEvent &e = r.event;
    const QJsonObject source = fixtureObject(file);
    QCOMPARE(QString::fromLatin1(ct::eventTypeName(e.type)), type);
    QCOMPARE(e.id, source.value(u"id"_s).toString());
    QVERIFY(e.happenedAt.isValid());
    QVERIFY(e.project && e.organization && e.pipeline);
    QCOMPARE(e.project->slug, source[u"project"_s][u"slug"_s].toString());
    QCOMPARE(value(e.project->name), source[u"project"_s][u"name"_s].toString()); // kept as sent, even ""
    QCOMPARE(e.pipeline->number, source[u"pipeline"_s][u"number"_s].toVariant().toLongLong());
    if (e.type == ct::EventType::JobCompleted) {
        QVERIFY(e.job);
        QCOMPARE(e.job->status, status);
        QCOMPARE(QString::fromLatin1(ct::statusClassName(e.job->statusClass)), statusClass);
        QCOMPARE(value(e.job->url), jobUrl);
        QCOMPARE(e.job->name, source[u"job"_s][u"name"_s].toString());
        QCOMPARE(e.job->number, source[u"job"_s][u"number"_s].toInteger());
        if (e.workflow)
            QVERIFY(!e.workflow->status); // job events carry no workflow status
    } else {
        QVERIFY(!e.job);
        QVERIFY(e.workflow);
        QCOMPARE(value(e.workflow->status), status);
        QCOMPARE(QString::fromLatin1(ct::statusClassName(e.workflow->statusClass)), statusClass);
        QCOMPARE(e.workflow->url.value_or(u"<null>"_s), source[u"workflow"_s][u"url"_s].toString());
    }
    QCOMPARE(value(e.pipeline->branch), branch);
    QCOMPARE(value(e.pipeline->tag), tag);
    QCOMPARE(value(e.pipeline->revision), revision);
    QCOMPARE(value(e.pipeline->commitSubject), subject);
    QCOMPARE(value(e.pipeline->commitAuthorName), author);
    QCOMPARE(value(e.pipeline->commitAuthorEmail), email);
}

void TestEventParser::normalizedJson()
{
    // The documented output of `circletray-hook parse` for the spec's example A, written out by hand.
    const QByteArray expected = R"({
      "type": "workflow-completed", "id": "0863072e-24be-34b6-9b35-2325ccd93631",
      "happened_at": "2026-03-14T09:27:41.508Z",
      "webhook": {"id": "93ef6058-e4d2-4eb7-93ee-05782efcb8e8", "name": "desktop-relay"},
      "project": {"id": "31098d8f-6c58-438a-b49a-ef163d2ebd3b", "name": "tray-notifier",
                  "slug": "github/example-org/tray-notifier"},
      "organization": {"id": "8c0a2468-2073-4c9b-a179-550149682807", "name": "example-org"},
      "workflow": {"id": "dcdeed02-00c0-466b-ba46-ba9a1d603890", "name": "build-and-test", "status": "failed",
                   "status_class": "failure",
                   "url": "https://app.circleci.com/pipelines/github/example-org/tray-notifier/418/workflows/dcdeed02-00c0-466b-ba46-ba9a1d603890",
                   "created_at": "2026-03-14T09:21:05.112Z", "stopped_at": "2026-03-14T09:27:41.377Z"},
      "job": null,
      "pipeline": {"id": "cd967198-2a34-44b2-90a1-0380886dcc43", "number": 418,
                   "created_at": "2026-03-14T09:21:04.980Z", "trigger_type": "webhook",
                   "branch": "fix/tray-flicker", "tag": null, "revision": "494ebb45b15551a83e427f2e9e484ad053a4ce93",
                   "commit_subject": "Fix tray icon flicker — naïve repaint on Wayland ✓",
                   "commit_author_name": "Zoë Example", "commit_author_email": "zoe@example.com"}
    })"_ba;
    ct::EventParser parser;
    const ct::EventParseResult r = parser.parse(fixture(u"github-oauth-unicode-failed.json"_s));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QJsonObject actual = ct::eventToJson(r.event);
    const QJsonObject want = QJsonDocument::fromJson(expected).object();
    QVERIFY(!want.isEmpty());
    if (actual != want)
        QFAIL(qPrintable(u"got:\n"_s + QString::fromUtf8(QJsonDocument(actual).toJson())));
}

void TestEventParser::pingHasOnlyItsKeys()
{
    ct::EventParser parser;
    const ct::EventParseResult r = parser.parse(fixture(u"ping.json"_s));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.event.type, ct::EventType::Ping);
    QVERIFY(!r.event.project && !r.event.workflow && !r.event.pipeline && !r.event.job);
    const QJsonObject json = ct::eventToJson(r.event);
    QStringList keys = json.keys();
    keys.sort();
    QCOMPARE(keys, QStringList({u"happened_at"_s, u"id"_s, u"type"_s, u"webhook"_s}));
    QCOMPARE(json[u"happened_at"_s].toString(), u"2026-03-14T09:00:00.123Z"_s);
    QCOMPARE(json[u"webhook"_s][u"name"_s].toString(), u"desktop-relay"_s);
}

void TestEventParser::missingRequiredField_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("field");
    const QString workflow = u"github-oauth-success.json"_s;
    const QString job = u"gitlab-job-completed.json"_s;
    for (const QString &field :
         {u"type"_s, u"id"_s, u"webhook"_s, u"webhook.id"_s, u"project"_s, u"project.id"_s, u"project.slug"_s,
          u"organization"_s, u"organization.id"_s, u"workflow"_s, u"workflow.id"_s, u"workflow.name"_s,
          u"workflow.status"_s, u"pipeline"_s, u"pipeline.id"_s, u"pipeline.number"_s}) {
        QTest::addRow("workflow-completed without %s", qPrintable(field)) << workflow << field;
    }
    for (const QString &field : {u"job"_s, u"job.id"_s, u"job.name"_s, u"job.number"_s, u"job.status"_s,
                                 u"workflow.id"_s, u"pipeline.number"_s}) {
        QTest::addRow("job-completed without %s", qPrintable(field)) << job << field;
    }
    QTest::addRow("ping without webhook.id") << u"ping.json"_s << u"webhook.id"_s;
    QTest::addRow("ping without id") << u"ping.json"_s << u"id"_s;
}

void TestEventParser::missingRequiredField()
{
    QFETCH(QString, file);
    QFETCH(QString, field);
    ct::EventParser parser;
    for (const bool setNull : {false, true}) {
        const ct::EventParseResult r = parser.parse(compact(without(fixtureObject(file), field, setNull)));
        QVERIFY2(!r.ok(), setNull ? "null accepted" : "absence accepted");
        QCOMPARE(r.status, EventParseStatus::MissingField);
        QVERIFY2(r.error.contains(field), qPrintable(r.error)); // the message names the field
    }
}

void TestEventParser::badInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<EventParseStatus>("status");
    QTest::addColumn<QString>("mentions");
    const QByteArray ok = compact(fixtureObject(u"github-oauth-success.json"_s));
    // clang-format off
    QTest::newRow("empty body")         << QByteArray()                 << EventParseStatus::InvalidJson << u"invalid JSON"_s;
    QTest::newRow("truncated")          << ok.left(ok.size() / 2)       << EventParseStatus::InvalidJson << u"invalid JSON"_s;
    QTest::newRow("trailing garbage")   << ok + "}"                     << EventParseStatus::InvalidJson << u"invalid JSON"_s;
    QTest::newRow("invalid UTF-8")      << "{\"type\":\"ping\",\"id\":\"\xff\xfe\",\"webhook\":{\"id\":\"w\"}}"_ba
                                        << EventParseStatus::InvalidJson << u"UTF-8"_s;
    QTest::newRow("overlong UTF-8")     << "{\"type\":\"ping\",\"id\":\"\xc0\xaf\",\"webhook\":{\"id\":\"w\"}}"_ba
                                        << EventParseStatus::InvalidJson << u"UTF-8"_s;
    QTest::newRow("array at top")       << "[1,2]"_ba                   << EventParseStatus::InvalidJson << u"object"_s;
    QTest::newRow("string at top")      << "\"ping\""_ba                << EventParseStatus::InvalidJson << u"object"_s;
    QTest::newRow("unknown type")       << R"({"type":"pipeline-started","id":"x"})"_ba
                                        << EventParseStatus::UnknownType << u"pipeline-started"_s;
    QTest::newRow("type is a number")   << R"({"type":7,"id":"x"})"_ba  << EventParseStatus::WrongType << u"type"_s;
    QTest::newRow("id is an object")    << R"({"type":"ping","id":{},"webhook":{"id":"w"}})"_ba
                                        << EventParseStatus::WrongType << u"id"_s;
    QTest::newRow("webhook is a string")<< R"({"type":"ping","id":"x","webhook":"w"})"_ba
                                        << EventParseStatus::WrongType << u"webhook"_s;
    QTest::newRow("number not integer") << compact(without(fixtureObject(u"github-oauth-success.json"_s), u"pipeline.number"_s, false)).replace("\"pipeline\":{", "\"pipeline\":{\"number\":\"12a\",")
                                        << EventParseStatus::WrongType << u"pipeline.number"_s;
    QTest::newRow("empty event id") << QByteArray(R"({"type":"ping","id":"","webhook":{"id":"w"}})")
                                    << EventParseStatus::MissingField << u"id must not be empty"_s;
    QTest::newRow("empty workflow id")
        << compact(fixtureObject(u"github-oauth-success.json"_s)).replace("\"id\":\"7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098\"", "\"id\":\"\"")
        << EventParseStatus::MissingField << u"workflow.id"_s;
    // clang-format on
}

void TestEventParser::badInput()
{
    QFETCH(QByteArray, body);
    QFETCH(EventParseStatus, status);
    QFETCH(QString, mentions);
    ct::EventParser parser;
    const ct::EventParseResult r = parser.parse(body);
    QVERIFY(!r.ok());
    QCOMPARE(r.status, status);
    QVERIFY2(r.error.contains(mentions, Qt::CaseInsensitive), qPrintable(r.error));
}

void TestEventParser::lenientFields()
{
    // Unparseable timestamps become null, never a dropped event; numbers sent as strings are read;
    // "" and null in optional fields are kept apart where the spec says names are kept as sent.
    QJsonObject o = fixtureObject(u"github-oauth-success.json"_s);
    QJsonObject workflow = o[u"workflow"_s].toObject();
    workflow[u"created_at"_s] = u"not a time"_s;
    workflow[u"stopped_at"_s] = 1773480478;
    workflow.remove(u"url"_s);
    o[u"workflow"_s] = workflow;
    o[u"happened_at"_s] = u"2024-12-18 17:23:29.361740256 +0000 UTC"_s;
    QJsonObject pipeline = o[u"pipeline"_s].toObject();
    pipeline[u"number"_s] = u"419"_s;
    pipeline.remove(u"trigger"_s);
    QJsonObject vcs = pipeline[u"vcs"_s].toObject();
    vcs[u"branch"_s] = u""_s;
    vcs[u"tag"_s] = u"v2.0.1"_s;
    pipeline[u"vcs"_s] = vcs;
    o[u"pipeline"_s] = pipeline;
    QJsonObject webhook = o[u"webhook"_s].toObject();
    webhook[u"name"_s] = u""_s;
    o[u"webhook"_s] = webhook;
    QJsonObject project = o[u"project"_s].toObject();
    project.remove(u"name"_s);
    o[u"project"_s] = project;

    ct::EventParser parser;
    const ct::EventParseResult r = parser.parse(compact(o));
    QVERIFY2(r.ok(), qPrintable(r.error));
    const QJsonObject json = ct::eventToJson(r.event);
    QCOMPARE(json[u"happened_at"_s].toString(), u"2024-12-18T17:23:29.361Z"_s);
    QVERIFY(json[u"workflow"_s][u"created_at"_s].isNull());
    QVERIFY(json[u"workflow"_s][u"stopped_at"_s].isNull());
    QVERIFY(json[u"workflow"_s][u"url"_s].isNull());
    QCOMPARE(json[u"pipeline"_s][u"number"_s].toInteger(), 419);
    QVERIFY(json[u"pipeline"_s][u"trigger_type"_s].isNull());
    QVERIFY(json[u"pipeline"_s][u"branch"_s].isNull()); // "" is null for branch/tag
    QCOMPARE(json[u"pipeline"_s][u"tag"_s].toString(), u"v2.0.1"_s);
    QCOMPARE(json[u"webhook"_s][u"name"_s].toString(), u""_s); // names kept as sent
    QVERIFY(json[u"webhook"_s][u"name"_s].isString());
    QVERIFY(json[u"project"_s][u"name"_s].isNull());
}

void TestEventParser::parserIsReusable()
{
    // One parser, many documents of different sizes, errors in between: results never leak across.
    ct::EventParser parser;
    const QByteArray big = fixture(u"gitlab-job-completed.json"_s);
    const QByteArray small = fixture(u"ping.json"_s);
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(parser.parse(big).event.job->number, 312);
        QVERIFY(!parser.parse(big.left(100)).ok());
        QCOMPARE(parser.parse(small).event.type, ct::EventType::Ping);
    }
}

QTEST_GUILESS_MAIN(TestEventParser)
#include "tst_eventparser.moc"
