// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// "What finished since T" from the API (issue 11): ct::WorkflowCatchUp in process, and
// `circletray-hook workflows --since` as a real process, against the project's CircleCI API
// stand-in (tests/circleci-standin/). Its default fixture's clock is Monday 2026-03-16 09:00Z;
// alice sees gh/acme (api, web-ui; legacy-tools unfollowed), gh/globex/mobile and the standalone
// relay-server, not gh/initech. Expectations are computed from the stand-in's control API.
#include "circlecistandin.h"
#include "core/circleci/circleciclient.h"
#include "core/circleci/workflowcatchup.h"
#include "core/eventjson.h"
#include "core/timestamp.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace ct;
using namespace ct::test;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
    QStringList lines() const { return out.split(u'\n', Qt::SkipEmptyParts); }
};

QSet<QString> keysOf(const QJsonObject &o)
{
    const QStringList keys = o.keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

QDateTime at(const char *iso)
{
    return parseTimestamp(QByteArrayView(iso));
}

const QDateTime standInNow = at("2026-03-16T09:00:00Z");
const QString alice = u"b832b0c4-25cb-5528-a3f6-e59e39a618a2"_s;

} // namespace

class TestWorkflowCatchUp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void parseSince_data();
    void parseSince();
    void slugsAndWebHost_data();
    void slugsAndWebHost();
    void eventsAreTheWebhookModel();
    void cliMatchesTheStandIn_data();
    void cliMatchesTheStandIn();
    void cliJsonFieldByField();
    void cliTableNamesFailedJobs();
    void cliProjectFilters_data();
    void cliProjectFilters();
    void cliBadTime_data();
    void cliBadTime();
    void cliTokenRejected_data();
    void cliTokenRejected();
    void cliSkipsAFailingOrganization();
    void cliSurvivesRateLimit();
    void cliPageBudget();

private:
    Run hook(const QStringList &args);
    QStringList account(const QString &tokenFile = {}) const;
    //! Ids of the workflows the stand-in says finished at or after \a since in alice's projects
    //! (terminal, pipeline visible, created after since − 24 h: the catch-up's documented reach), by stop time.
    QStringList expectedSince(const QDateTime &since, const QStringList &projects = {});
    QList<WebhookEvent> catchUp(const QDateTime &since, ApiError *error = nullptr, bool *truncated = nullptr);

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
};

void TestWorkflowCatchUp::initTestCase()
{
    QVERIFY2(m_api.start(), "the stand-in did not start (python3 missing?)");
    for (const char *user : {"alice", "nobody"}) {
        QFile f(m_dir.filePath(QString::fromLatin1(user) + u".token"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("tok-" + QByteArray(user) + '\n');
    }
}

void TestWorkflowCatchUp::init()
{
    m_api.reset();
}

QStringList TestWorkflowCatchUp::account(const QString &tokenFile) const
{
    return {u"--host"_s,       m_api.host(),
            u"--token-file"_s, tokenFile.isEmpty() ? m_dir.filePath(u"alice.token"_s) : tokenFile,
            u"--now"_s,        QString::fromLatin1(formatTimestamp(standInNow))};
}

Run TestWorkflowCatchUp::hook(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"CIRCLECI_TOKEN", "CIRCLECI_CLI_TOKEN"})
        e.remove(QString::fromLatin1(name));
    e.insert(u"HOME"_s, m_dir.filePath(u"home"_s));
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(CT_HOOK_PATH), args);
    Run r;
    if (!p.waitForFinished(60000))
        return r;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QStringList TestWorkflowCatchUp::expectedSince(const QDateTime &since, const QStringList &projects)
{
    const QJsonObject state = m_api.control("GET", u"state"_s).object();
    const QDateTime now = parseTimestamp(state[u"now"_s].toString().toUtf8());
    QSet<QString> orgs;
    for (const QJsonValue &o : state[u"orgs"_s].toArray()) {
        if (!o[u"id"_s].isNull() && o[u"roles"_s].toObject().contains(alice))
            orgs.insert(o[u"slug"_s].toString());
    }
    QSet<QString> visible;
    for (const QJsonValue &p : state[u"projects"_s].toArray()) {
        const QString slug = p[u"slug"_s].toString();
        const QString org = p[u"org"_s].toString(slug.section(u'/', 0, 1));
        if (p[u"followed"_s].toBool(true) && orgs.contains(org) && (projects.isEmpty() || projects.contains(slug)))
            visible.insert(slug);
    }
    QHash<QString, QJsonObject> pipelines;
    for (const QJsonValue &p : state[u"pipelines"_s].toArray())
        pipelines.insert(p[u"id"_s].toString(), p.toObject());
    const QDateTime reach = std::max(since.addSecs(-24 * 3600), now.addDays(-7));
    QList<std::pair<QDateTime, QString>> found;
    for (const QJsonValue &w : state[u"workflows"_s].toArray()) {
        const QJsonObject p = pipelines.value(w[u"pipeline_id"_s].toString());
        const QDateTime created = parseTimestamp(p[u"created_at"_s].toString().toUtf8());
        const QDateTime stopped = parseTimestamp(w[u"stopped_at"_s].toString().toUtf8());
        if (!visible.contains(p[u"project_slug"_s].toString()) || created > now || created < reach)
            continue;
        if (classifyStatus(w[u"status"_s].toString()) == StatusClass::Unknown || !stopped.isValid() || stopped < since)
            continue;
        found.append({stopped, w[u"id"_s].toString()});
    }
    std::sort(found.begin(), found.end());
    QStringList ids;
    for (const auto &f : std::as_const(found))
        ids.append(f.second);
    return ids;
}

QList<WebhookEvent> TestWorkflowCatchUp::catchUp(const QDateTime &since, ApiError *error, bool *truncated)
{
    CircleCiClient client;
    client.setHost(QUrl(m_api.host()));
    client.setToken("tok-alice");
    WorkflowCatchUp c(&client);
    c.setNow(standInNow);
    c.setSince(since);
    QList<WebhookEvent> events;
    QEventLoop loop;
    QObject::connect(&c, &WorkflowCatchUp::finished, &loop,
                     [&](const QList<WebhookEvent> &e, const ApiError &err, bool t) {
                         events = e;
                         if (error)
                             *error = err;
                         if (truncated)
                             *truncated = t;
                         loop.quit();
                     });
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    c.start();
    loop.exec();
    return events;
}

void TestWorkflowCatchUp::parseSince_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // empty: an error
    QTest::newRow("minutes") << u"90m"_s << u"2026-03-16T07:30:00.000Z"_s;
    QTest::newRow("hours") << u"2h"_s << u"2026-03-16T07:00:00.000Z"_s;
    QTest::newRow("days") << u"3d"_s << u"2026-03-13T09:00:00.000Z"_s;
    QTest::newRow("weeks") << u"1w"_s << u"2026-03-09T09:00:00.000Z"_s;
    QTest::newRow("iso Z") << u"2026-12-01T08:00:00Z"_s << u"2026-12-01T08:00:00.000Z"_s;
    QTest::newRow("iso offset") << u"2026-12-01T09:30:00+01:00"_s << u"2026-12-01T08:30:00.000Z"_s;
    QTest::newRow("iso no seconds") << u"2026-12-01T08:00"_s << u"2026-12-01T08:00:00.000Z"_s;
    QTest::newRow("iso millis") << u" 2026-03-13T18:00:00.250Z "_s << u"2026-03-13T18:00:00.250Z"_s;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("no unit") << u"90"_s << QString();
    QTest::newRow("unknown unit") << u"3x"_s << QString();
    QTest::newRow("negative") << u"-2h"_s << QString();
    QTest::newRow("word") << u"yesterday"_s << QString();
    QTest::newRow("date only") << u"2026-12-01"_s << QString();
    QTest::newRow("month 13") << u"2026-13-01T08:00:00Z"_s << QString();
}

void TestWorkflowCatchUp::parseSince()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QString error;
    const auto t = WorkflowCatchUp::parseSince(text, standInNow, &error);
    if (expected.isEmpty()) {
        QVERIFY2(!t, t ? formatTimestamp(*t).constData() : "");
        QVERIFY(error.contains(u"90m"_s));
    } else {
        QVERIFY2(t, qPrintable(error));
        QCOMPARE(QString::fromLatin1(formatTimestamp(*t)), expected);
    }
}

void TestWorkflowCatchUp::slugsAndWebHost_data()
{
    QTest::addColumn<QString>("api");
    QTest::addColumn<QString>("webhook");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("web");
    QTest::newRow("github") << u"gh/acme/api"_s << u"github/acme/api"_s << u"https://circleci.com"_s
                            << u"https://app.circleci.com"_s;
    QTest::newRow("bitbucket") << u"bb/acme/api"_s << u"bitbucket/acme/api"_s << u"https://ci.example.com"_s
                               << u"https://app.ci.example.com"_s;
    QTest::newRow("standalone") << u"circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"_s
                                << u"circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"_s
                                << u"http://127.0.0.1:8080"_s << u"https://app.circleci.com"_s;
}

void TestWorkflowCatchUp::slugsAndWebHost()
{
    QFETCH(QString, api);
    QFETCH(QString, webhook);
    QFETCH(QString, host);
    QFETCH(QString, web);
    QCOMPARE(WorkflowCatchUp::webhookSlug(api), webhook);
    QCOMPARE(WorkflowCatchUp::apiSlug(webhook), api);
    QCOMPARE(WorkflowCatchUp::webHostFor(QUrl(host)).toString(), web);
}

void TestWorkflowCatchUp::eventsAreTheWebhookModel()
{
    ApiError error;
    bool truncated = true;
    const QList<WebhookEvent> events = catchUp(at("2026-03-13T09:00:00Z"), &error, &truncated);
    QVERIFY2(error.ok(), qPrintable(error.text()));
    QVERIFY(!truncated);
    QStringList workflowIds;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const WebhookEvent &e = events.at(i);
        QVERIFY(e.fromApi);
        QVERIFY(e.id.isEmpty() && e.webhook.id.isEmpty());
        QVERIFY(e.project && e.organization && e.workflow && e.pipeline);
        QVERIFY(!e.project->slug.startsWith(u"gh/"_s));
        if (e.type == EventType::WorkflowCompleted)
            workflowIds.append(e.workflow->id);
        else
            QCOMPARE(events.at(i + 1).workflow->id, e.workflow->id); // a job event just before its workflow's
    }
    QCOMPARE(workflowIds, expectedSince(at("2026-03-13T09:00:00Z")));

    // web-ui #58 (renovate): failed, e2e failed (build passed): one JobCompleted, then the workflow.
    const auto w = std::find_if(events.cbegin(), events.cend(), [](const WebhookEvent &e) {
        return e.type == EventType::WorkflowCompleted && e.workflow->id == u"246e05f1-3277-52c6-a174-36f0e8e3f082";
    });
    QVERIFY(w != events.cend());
    QCOMPARE(w->happenedAt, at("2026-03-15T23:41:12Z"));
    QCOMPARE(w->project->slug, u"github/acme/web-ui"_s);
    QCOMPARE(w->project->name, OptString(u"web-ui"_s));
    QCOMPARE(w->project->id, u"e8516439-699b-5798-96ce-0ba23843c2aa"_s); // from /project/{slug}
    QCOMPARE(w->organization->name, OptString(u"acme"_s));
    QCOMPARE(w->organization->id, u"6e4bd128-3758-55d0-9dcf-da877e2a0745"_s);
    QCOMPARE(w->workflow->name, u"ci"_s);
    QCOMPARE(w->workflow->status, OptString(u"failed"_s));
    QCOMPARE(w->workflow->statusClass, StatusClass::Failure);
    QCOMPARE(w->workflow->createdAt, at("2026-03-15T23:30:01Z"));
    QCOMPARE(
        w->workflow->url,
        OptString(
            u"https://app.circleci.com/pipelines/gh/acme/web-ui/58/workflows/246e05f1-3277-52c6-a174-36f0e8e3f082"_s));
    QCOMPARE(w->pipeline->number, 58);
    QCOMPARE(w->pipeline->branch, OptString(u"renovate/react-19"_s));
    QCOMPARE(w->pipeline->commitSubject, OptString(u"Update react to v19"_s));
    QCOMPARE(w->pipeline->commitAuthorName, OptString(u"bob"_s)); // the trigger actor: no commit author
    QCOMPARE(w->pipeline->createdAt, at("2026-03-15T23:30:00Z"));
    const WebhookEvent &job = *(w - 1);
    QCOMPARE(job.type, EventType::JobCompleted);
    QCOMPARE(job.job->name, u"e2e"_s);
    QCOMPARE(job.job->status, u"failed"_s);
    QCOMPARE(job.job->statusClass, StatusClass::Failure);
    QVERIFY(job.job->number > 0);
    QCOMPARE(job.job->url, OptString(*w->workflow->url + u"/jobs/"_s + QString::number(job.job->number)));
    QVERIFY(!job.job->id.isEmpty());
    QCOMPARE(job.happenedAt, job.job->stoppedAt);
    QVERIFY((w - 2)->type == EventType::WorkflowCompleted); // build (success) has no event

    // The standalone relay-server (GitLab trigger parameters), slug unchanged; the rerun of api #101.
    const auto relay = std::find_if(events.cbegin(), events.cend(), [](const WebhookEvent &e) {
        return e.type == EventType::WorkflowCompleted && e.workflow->id == u"57c9b418-0e6b-5951-b43e-81e8c2329ecd";
    });
    QVERIFY(relay != events.cend());
    QCOMPARE(relay->project->slug, u"circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"_s);
    QCOMPARE(relay->project->name, OptString(u"relay-server"_s)); // not the slug's id fragment
    QCOMPARE((relay - 1)->project->id, u"bb401814-56eb-575e-a7ad-9f758d96bc45"_s);
    QCOMPARE(relay->pipeline->branch, OptString(u"main"_s));
    QCOMPARE(relay->pipeline->commitSubject, OptString(u"Drop idle clients"_s));
    QCOMPARE(relay->pipeline->revision, OptString(u"67964f5e2e422c8c1cccbd0f6df1a73847a7ca98"_s));
    QCOMPARE((relay - 1)->job->name, u"unit-tests"_s);
    QVERIFY(workflowIds.contains(u"6a03960e-582a-56cc-b088-e4c1477c89dc"_s));

    // The key set of `parse` is unchanged for both kinds.
    WebhookEvent plain;
    plain.type = EventType::WorkflowCompleted;
    QCOMPARE(keysOf(eventToJson(*w)), keysOf(eventToJson(plain)));
}

void TestWorkflowCatchUp::cliMatchesTheStandIn_data()
{
    QTest::addColumn<QString>("since");
    QTest::addColumn<QString>("iso"); // what it means with the stand-in's clock
    QTest::newRow("90m") << u"90m"_s << u"2026-03-16T07:30:00Z"_s;
    QTest::newRow("2h") << u"2h"_s << u"2026-03-16T07:00:00Z"_s;
    QTest::newRow("3d") << u"3d"_s << u"2026-03-13T09:00:00Z"_s;
    QTest::newRow("iso friday evening") << u"2026-03-13T18:00:00Z"_s << u"2026-03-13T18:00:00Z"_s;
    QTest::newRow("7d") << u"7d"_s << u"2026-03-09T09:00:00Z"_s;
    QTest::newRow("before the 7-day bound") << u"30d"_s << u"2026-03-09T09:00:00Z"_s;
}

void TestWorkflowCatchUp::cliMatchesTheStandIn()
{
    QFETCH(QString, since);
    QFETCH(QString, iso);
    const Run r = hook(QStringList {u"workflows"_s, u"--since"_s, since, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QStringList ids;
    QDateTime previous;
    for (const QString &line : r.lines()) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QCOMPARE(o[u"type"_s].toString(), u"workflow-completed"_s);
        const QDateTime t = parseTimestamp(o[u"happened_at"_s].toString().toUtf8());
        QVERIFY(!previous.isValid() || previous <= t); // oldest first
        previous = t;
        ids.append(o[u"workflow"_s][u"id"_s].toString());
    }
    QCOMPARE(ids, expectedSince(parseTimestamp(iso.toUtf8())));
    // Never running (api #105) or on hold (api #104 deploy).
    QVERIFY(!ids.contains(u"fe2f652c-1b35-5a7d-a225-d2c234c775df"_s));
    QVERIFY(!ids.contains(u"0ff4370c-2c08-537a-8b4d-7dcbf27fd6ec"_s));
    if (since == u"3d" || since == u"7d") // the rerun appended to Thursday's api #101, Sunday night
        QVERIFY(ids.contains(u"6a03960e-582a-56cc-b088-e4c1477c89dc"_s));
    if (since == u"90m") // relay-server #78 failed at 07:03:30, before 07:30
        QVERIFY(ids.isEmpty());
    if (since == u"2h")
        QCOMPARE(ids, QStringList {u"57c9b418-0e6b-5951-b43e-81e8c2329ecd"_s});
}

void TestWorkflowCatchUp::cliJsonFieldByField()
{
    const Run r = hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    WebhookEvent plain; // what the parser makes of a workflow-completed webhook
    plain.type = EventType::WorkflowCompleted;
    plain.project = ProjectInfo();
    plain.organization = OrganizationInfo();
    plain.workflow = WorkflowInfo();
    plain.pipeline = PipelineInfo();
    const QJsonObject parseShape = eventToJson(plain);
    QHash<QString, QJsonObject> byId;
    for (const QString &line : r.lines()) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QCOMPARE(keysOf(o), keysOf(parseShape));
        for (const QString &k : {u"project"_s, u"organization"_s, u"workflow"_s, u"pipeline"_s})
            QCOMPARE(keysOf(o[k].toObject()), keysOf(parseShape[k].toObject()));
        QVERIFY(o[u"id"_s].isNull());
        QVERIFY(o[u"webhook"_s].isNull());
        QVERIFY(o[u"job"_s].isNull());
        QCOMPARE(o[u"happened_at"_s], o[u"workflow"_s][u"stopped_at"_s]);
        byId.insert(o[u"workflow"_s][u"id"_s].toString(), o);
    }
    const QJsonObject webUi = byId.value(u"246e05f1-3277-52c6-a174-36f0e8e3f082"_s);
    QCOMPARE(webUi[u"happened_at"_s].toString(), u"2026-03-15T23:41:12.000Z"_s);
    QCOMPARE(webUi[u"project"_s][u"slug"_s].toString(), u"github/acme/web-ui"_s);
    QCOMPARE(webUi[u"project"_s][u"name"_s].toString(), u"web-ui"_s);
    QCOMPARE(webUi[u"project"_s][u"id"_s].toString(), u"e8516439-699b-5798-96ce-0ba23843c2aa"_s);
    QCOMPARE(webUi[u"organization"_s][u"name"_s].toString(), u"acme"_s);
    QCOMPARE(webUi[u"workflow"_s][u"name"_s].toString(), u"ci"_s);
    QCOMPARE(webUi[u"workflow"_s][u"status"_s].toString(), u"failed"_s);
    QCOMPARE(webUi[u"workflow"_s][u"status_class"_s].toString(), u"failure"_s);
    QCOMPARE(webUi[u"workflow"_s][u"url"_s].toString(),
             u"https://app.circleci.com/pipelines/gh/acme/web-ui/58/workflows/246e05f1-3277-52c6-a174-36f0e8e3f082"_s);
    QCOMPARE(webUi[u"pipeline"_s][u"number"_s].toInteger(), 58);
    QCOMPARE(webUi[u"pipeline"_s][u"branch"_s].toString(), u"renovate/react-19"_s);
    QVERIFY(webUi[u"pipeline"_s][u"tag"_s].isNull());
    QCOMPARE(webUi[u"pipeline"_s][u"commit_subject"_s].toString(), u"Update react to v19"_s);
    QCOMPARE(webUi[u"pipeline"_s][u"trigger_type"_s].toString(), u"webhook"_s);

    const QJsonObject rerun = byId.value(u"6a03960e-582a-56cc-b088-e4c1477c89dc"_s);
    QCOMPARE(rerun[u"workflow"_s][u"status"_s].toString(), u"success"_s);
    QCOMPARE(rerun[u"pipeline"_s][u"number"_s].toInteger(), 101);
    QCOMPARE(rerun[u"pipeline"_s][u"commit_subject"_s].toString(), u"Add rate limiter"_s);
    QCOMPARE(rerun[u"project"_s][u"slug"_s].toString(), u"github/acme/api"_s);

    const QJsonObject unauthorized = byId.value(u"c3bc9290-a9f7-527e-b580-4ef6ade144ee"_s);
    QCOMPARE(unauthorized[u"workflow"_s][u"status"_s].toString(), u"unauthorized"_s);
    QCOMPARE(unauthorized[u"project"_s][u"slug"_s].toString(), u"github/globex/mobile"_s);

    const QJsonObject canceled = byId.value(u"6c12d17b-d76e-5bf4-8ff9-365e9b0dd48f"_s);
    QCOMPARE(canceled[u"workflow"_s][u"status_class"_s].toString(), u"canceled"_s);
    QCOMPARE(canceled[u"pipeline"_s][u"branch"_s].toString(), u"main"_s);
}

void TestWorkflowCatchUp::cliTableNamesFailedJobs()
{
    const Run r = hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = r.lines();
    QVERIFY(lines.first().startsWith(u"FINISHED"_s));
    QCOMPARE(lines.size(), expectedSince(at("2026-03-13T09:00:00Z")).size() + 1);
    const auto row = [&lines](const QString &needle) {
        const auto it =
            std::find_if(lines.cbegin(), lines.cend(), [&](const QString &l) { return l.contains(needle); });
        return it == lines.cend() ? QString() : *it;
    };
    const QString webUi = row(u"ci #58"_s);
    QVERIFY2(webUi.contains(u"github/acme/web-ui"_s) && webUi.contains(u"renovate/react-19"_s)
                 && webUi.contains(u"failed"_s) && webUi.endsWith(u"e2e"_s),
             qPrintable(webUi));
    QVERIFY2(row(u"apps #12"_s).endsWith(u"build-ios"_s), qPrintable(r.out));
    QVERIFY2(row(u"ci #78"_s).endsWith(u"unit-tests"_s), qPrintable(r.out));
    QVERIFY2(row(u"build-and-test #101"_s).contains(u"success"_s), qPrintable(r.out));
    QVERIFY2(row(u"build-and-test #104"_s).endsWith(u"-"_s), qPrintable(r.out));
    QVERIFY2(lines.at(1).startsWith(u"2026-03-13 11:09"_s), qPrintable(r.out)); // oldest first
}

void TestWorkflowCatchUp::cliProjectFilters_data()
{
    QTest::addColumn<QStringList>("given");
    QTest::addColumn<QStringList>("projects"); // API form
    QTest::newRow("one") << QStringList {u"gh/acme/api"_s} << QStringList {u"gh/acme/api"_s};
    QTest::newRow("webhook form, two orgs") << QStringList {u"github/acme/web-ui"_s, u"gh/globex/mobile"_s}
                                            << QStringList {u"gh/acme/web-ui"_s, u"gh/globex/mobile"_s};
    QTest::newRow("no access") << QStringList {u"gh/initech/payroll"_s} << QStringList {u"gh/initech/payroll"_s};
}

void TestWorkflowCatchUp::cliProjectFilters()
{
    QFETCH(QStringList, given);
    QFETCH(QStringList, projects);
    QStringList args {u"workflows"_s, u"--since"_s, u"7d"_s, u"--json"_s};
    for (const QString &p : given)
        args << u"--project"_s << p;
    const Run r = hook(args + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QStringList ids;
    for (const QString &line : r.lines()) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QVERIFY(projects.contains(WorkflowCatchUp::apiSlug(o[u"project"_s][u"slug"_s].toString())));
        ids.append(o[u"workflow"_s][u"id"_s].toString());
    }
    QCOMPARE(ids, expectedSince(at("2026-03-09T09:00:00Z"), projects));
}

void TestWorkflowCatchUp::cliBadTime_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("word") << QStringList {u"--since"_s, u"yesterday"_s};
    QTest::newRow("unit") << QStringList {u"--since"_s, u"3x"_s};
    QTest::newRow("month 13") << QStringList {u"--since"_s, u"2026-13-01T00:00:00Z"_s};
    QTest::newRow("missing") << QStringList {};
    QTest::newRow("bad page budget") << QStringList {u"--since"_s, u"2h"_s, u"--max-pages"_s, u"0"_s};
}

void TestWorkflowCatchUp::cliBadTime()
{
    QFETCH(QStringList, args);
    m_api.control("DELETE", u"requests"_s);
    const Run r = hook(QStringList {u"workflows"_s} + args + account());
    QCOMPARE(r.code, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(u"circletray-hook workflows"_s), qPrintable(r.err));
    QVERIFY(m_api.requests().isEmpty()); // refused before any request
}

void TestWorkflowCatchUp::cliTokenRejected_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("faultPath"); // empty: no fault
    QTest::newRow("unknown token") << u"nobody"_s << QString();
    QTest::newRow("401 on /pipeline") << u"alice"_s << u"/api/v2/pipeline"_s;
    QTest::newRow("401 on a pipeline's workflows") << u"alice"_s << u"/api/v2/pipeline/*/workflow"_s;
    QTest::newRow("401 on a workflow's jobs") << u"alice"_s << u"/api/v2/workflow/*/job"_s;
}

void TestWorkflowCatchUp::cliTokenRejected()
{
    QFETCH(QString, token);
    QFETCH(QString, faultPath);
    if (!faultPath.isEmpty())
        m_api.addFault({{u"method"_s, u"GET"_s}, {u"path"_s, faultPath}, {u"status"_s, 401}, {u"count"_s, 1}});
    const Run r =
        hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s} + account(m_dir.filePath(token + u".token"_s)));
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(u"CircleCI token rejected"_s), qPrintable(r.err));
}

void TestWorkflowCatchUp::cliSkipsAFailingOrganization()
{
    m_api.addFault({{u"method"_s, u"GET"_s}, {u"path"_s, u"/api/v2/pipeline"_s}, {u"status"_s, 403}, {u"count"_s, 1}});
    const Run r = hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    static const QRegularExpression warning(u"warning: the pipelines of (\\S+): "_s);
    const QRegularExpressionMatch m = warning.match(r.err);
    QVERIFY2(m.hasMatch(), qPrintable(r.err));
    const QString skipped = m.captured(1) + u'/';
    QStringList ids;
    for (const QString &line : r.lines())
        ids.append(QJsonDocument::fromJson(line.toUtf8()).object()[u"workflow"_s][u"id"_s].toString());
    QStringList others;
    for (const QJsonValue &p : m_api.control("GET", u"projects"_s).array()) {
        if (!p[u"slug"_s].toString().startsWith(skipped))
            others.append(p[u"slug"_s].toString());
    }
    QVERIFY(!ids.isEmpty());
    QCOMPARE(ids, expectedSince(at("2026-03-13T09:00:00Z"), others));
}

void TestWorkflowCatchUp::cliSurvivesRateLimit()
{
    const Run before = hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s, u"--json"_s} + account());
    QCOMPARE(before.code, 0);
    m_api.control("DELETE", u"requests"_s);
    m_api.addFault({{u"method"_s, u"GET"_s},
                    {u"path"_s, u"/api/v2/pipeline"_s},
                    {u"status"_s, 429},
                    {u"retry_after"_s, 1},
                    {u"count"_s, 1}});
    const Run r = hook(QStringList {u"workflows"_s, u"--since"_s, u"3d"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, before.out);
    QJsonArray pipelineCalls;
    for (const QJsonValue &q : m_api.requests()) {
        if (q[u"path"_s].toString() == u"/api/v2/pipeline")
            pipelineCalls.append(q);
    }
    QVERIFY(pipelineCalls.size() >= 2);
    QCOMPARE(pipelineCalls.at(0)[u"status"_s].toInt(), 429);
    QCOMPARE(pipelineCalls.at(1)[u"status"_s].toInt(), 200);
    QVERIFY(pipelineCalls.at(1)[u"started"_s].toDouble() - pipelineCalls.at(0)[u"finished"_s].toDouble() >= 0.9);
}

void TestWorkflowCatchUp::cliPageBudget()
{
    const Run all = hook(QStringList {u"workflows"_s, u"--since"_s, u"7d"_s, u"--json"_s} + account());
    QCOMPARE(all.code, 0);
    m_api.setOptions({{u"page_size"_s, 2}});
    // Ten pages of two are enough for the fixture: the same answer, not truncated.
    const Run paged = hook(QStringList {u"workflows"_s, u"--since"_s, u"7d"_s, u"--json"_s} + account());
    QVERIFY2(paged.code == 0, qPrintable(paged.err));
    QCOMPARE(paged.out, all.out);
    QVERIFY2(!paged.err.contains(u"truncated"_s), qPrintable(paged.err));

    m_api.control("DELETE", u"requests"_s);
    const Run cut = hook(QStringList {u"workflows"_s, u"--since"_s, u"7d"_s, u"--max-pages"_s, u"1"_s} + account());
    QVERIFY2(cut.code == 0, qPrintable(cut.err));
    QVERIFY2(cut.err.contains(u"truncated"_s) && cut.err.contains(u"--max-pages"_s), qPrintable(cut.err));
    int acmePages = 0;
    for (const QJsonValue &q : m_api.requests()) {
        if (q[u"path"_s].toString() == u"/api/v2/pipeline" && q[u"query"_s].toString().contains(u"acme"_s))
            ++acmePages;
    }
    QCOMPARE(acmePages, 1);
}

QTEST_GUILESS_MAIN(TestWorkflowCatchUp)
#include "tst_workflowcatchup.moc"
