// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// `circletray-hook projects | webhooks list | sync | remove` (issue 10), the real process against the
// project's CircleCI API stand-in (tests/circleci-standin/) on 127.0.0.1: the fixture's user alice
// is admin of gh/acme and of a standalone org, a member of gh/globex; gh/acme/api has 4 webhooks
// already, gh/acme/web-ui a foreign one.
#include "circlecistandin.h"
#include "testca.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
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

} // namespace

class TestAccountCommands final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void projectsListsWhatTheTokenSees();
    void webhooksListShowsEveryHook();
    void syncCreatesOnceAndIsIdempotent();
    void syncUpdatesAChangedUrlInPlace();
    void syncRemovesDuplicatesAndLeavesForeignHooksAlone();
    void syncReportsEachProjectAndGoesOn();
    void syncSurvivesRateLimits_data();
    void syncSurvivesRateLimits();
    void requestsAreSequentialHyphenatedAndTokenFree();
    void removeDeletesOnlyThatName();
    void httpUrlIsRefusedBeforeAnyRequest();
    void tokenSourcesInTheirOrder_data();
    void tokenSourcesInTheirOrder();
    void errorsSayWhatToDo_data();
    void errorsSayWhatToDo();
    void pagingStopsOnARepeatedToken();
    void httpsWithATrustedCa();
    void rerunFromFailedAppendsToThePipeline();
    void rerunWholeWorkflowSendsNoFromFailed();
    void rerunAndCancelSayWhy_data();
    void rerunAndCancelSayWhy();
    void cancelStopsARunningWorkflow();
    void rerunSurvivesRateLimit();

private:
    QJsonObject standInWorkflow(const QString &id);
    Run hook(const QStringList &args, const QMap<QString, QString> &env = {});
    QStringList account(const QString &token = u"alice"_s) const;

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
    QString m_secretFile;
};

void TestAccountCommands::initTestCase()
{
    QVERIFY2(m_api.start(), "the stand-in did not start (python3 missing?)");
    for (const char *user : {"alice", "bob"}) {
        QFile f(m_dir.filePath(QString::fromLatin1(user) + u".token"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# personal API token\ntok-" + QByteArray(user) + '\n');
    }
    m_secretFile = m_dir.filePath(u"secret"_s);
    QFile s(m_secretFile);
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write("the-webhook-secret\n");
}

void TestAccountCommands::init()
{
    m_api.reset();
}

QStringList TestAccountCommands::account(const QString &user) const
{
    return {u"--host"_s, m_api.host(), u"--token-file"_s, m_dir.filePath(user + u".token"_s)};
}

Run TestAccountCommands::hook(const QStringList &args, const QMap<QString, QString> &env)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"CIRCLECI_TOKEN", "CIRCLECI_CLI_TOKEN"})
        e.remove(QString::fromLatin1(name));
    e.insert(u"HOME"_s, m_dir.filePath(u"home"_s)); // no ~/.circleci/cli.yml unless a test writes one
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        e.insert(it.key(), it.value());
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

void TestAccountCommands::projectsListsWhatTheTokenSees()
{
    const Run r = hook(QStringList {u"projects"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QStringList slugs;
    for (const QString &line : r.lines()) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QCOMPARE(keysOf(o), QSet<QString>({u"slug"_s, u"name"_s, u"id"_s, u"organization"_s}));
        QVERIFY(!o[u"id"_s].toString().isEmpty());
        slugs.append(o[u"slug"_s].toString());
    }
    // Classic projects from v1.1, the standalone one only from its pipelines; not the unfollowed
    // legacy-tools, nor initech's (no access).
    QVERIFY2(slugs.contains(u"gh/acme/api"_s) && slugs.contains(u"gh/globex/mobile"_s), qPrintable(r.out));
    QVERIFY2(std::any_of(slugs.cbegin(), slugs.cend(), [](const QString &s) { return s.startsWith(u"circleci/"_s); }),
             qPrintable(r.out));
    QVERIFY(!slugs.contains(u"gh/acme/legacy-tools"_s));
    QVERIFY(!slugs.contains(u"gh/initech/payroll"_s));
    QCOMPARE(QSet<QString>(slugs.cbegin(), slugs.cend()).size(), slugs.size());

    const Run table = hook(QStringList {u"projects"_s} + account());
    QCOMPARE(table.code, 0);
    QVERIFY(table.lines().first().startsWith(u"SLUG"_s));
    QCOMPARE(table.lines().size(), slugs.size() + 1);
}

void TestAccountCommands::webhooksListShowsEveryHook()
{
    const Run r =
        hook(QStringList {u"webhooks"_s, u"list"_s, u"--project"_s, u"gh/acme/api"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.lines().size(), 4); // CircleTray's or not
    for (const QString &line : r.lines()) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        QCOMPARE(keysOf(o), QSet<QString>({u"id"_s, u"name"_s, u"url"_s, u"events"_s, u"verify_tls"_s}));
        QVERIFY(o[u"events"_s].isArray());
    }
}

void TestAccountCommands::syncCreatesOnceAndIsIdempotent()
{
    const QStringList sync =
        QStringList {u"webhooks"_s,      u"sync"_s,       u"--url"_s,     u"https://relay.example.com/webhook"_s,
                     u"--secret-file"_s, m_secretFile,    u"--project"_s, u"gh/acme/web-ui"_s,
                     u"--project"_s,     u"gh/acme/api"_s}
        + account();
    const Run first = hook(sync);
    QVERIFY2(first.code == 0, qPrintable(first.out + first.err));
    QCOMPARE(first.lines(), QStringList({u"gh/acme/web-ui: created"_s, u"gh/acme/api: created"_s}));
    const auto circleTrayHooks = [this](const QString &slug) {
        QJsonArray out;
        for (const QJsonValue &w : m_api.webhooksOf(slug)) {
            if (w[u"name"_s].toString() == u"CircleTray"_s)
                out.append(w);
        }
        return out;
    };
    QStringList ids;
    for (const QString &slug : {u"gh/acme/web-ui"_s, u"gh/acme/api"_s}) {
        const QJsonArray mine = circleTrayHooks(slug);
        QCOMPARE(mine.size(), 1);
        const QJsonObject w = mine.first().toObject();
        QCOMPARE(w[u"url"_s].toString(), u"https://relay.example.com/webhook"_s);
        QCOMPARE(w[u"signing_secret"_s].toString(), u"the-webhook-secret"_s); // the real one, stored
        QCOMPARE(w[u"verify_tls"_s].toBool(), true);
        const QJsonArray events = w[u"events"_s].toArray();
        QCOMPARE(QSet<QString>({events.at(0).toString(), events.at(1).toString()}),
                 QSet<QString>({u"workflow-completed"_s, u"job-completed"_s}));
        ids.append(w[u"id"_s].toString());
    }
    QCOMPARE(m_api.webhooksOf(u"gh/acme/api"_s).size(), 5);

    const Run second = hook(sync);
    QVERIFY2(second.code == 0, qPrintable(second.out + second.err));
    QCOMPARE(second.lines(), QStringList({u"gh/acme/web-ui: updated"_s, u"gh/acme/api: updated"_s}));
    QCOMPARE(m_api.webhooksOf(u"gh/acme/api"_s).size(), 5); // nothing created the second time
    QCOMPARE(circleTrayHooks(u"gh/acme/web-ui"_s).first()[u"id"_s].toString(), ids.first());
    QCOMPARE(circleTrayHooks(u"gh/acme/web-ui"_s).first()[u"signing_secret"_s].toString(), u"the-webhook-secret"_s);
}

void TestAccountCommands::syncUpdatesAChangedUrlInPlace()
{
    const auto syncTo = [this](const QString &url) {
        return hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, url, u"--secret-file"_s, m_secretFile,
                                 u"--project"_s, u"gh/acme/web-ui"_s}
                    + account());
    };
    QCOMPARE(syncTo(u"https://old-tunnel.ngrok-free.app/webhook"_s).code, 0);
    const QJsonArray before = m_api.webhooksOf(u"gh/acme/web-ui"_s);
    const Run moved = syncTo(u"https://new-tunnel.ngrok-free.app/webhook"_s); // a restarted free tunnel
    QCOMPARE(moved.lines(), QStringList({u"gh/acme/web-ui: updated"_s}));
    const QJsonArray after = m_api.webhooksOf(u"gh/acme/web-ui"_s);
    QCOMPARE(after.size(), before.size());
    for (const QJsonValue &w : after) {
        if (w[u"name"_s].toString() != u"CircleTray"_s)
            continue;
        QCOMPARE(w[u"url"_s].toString(), u"https://new-tunnel.ngrok-free.app/webhook"_s);
        QCOMPARE(w[u"signing_secret"_s].toString(), u"the-webhook-secret"_s); // a PUT without it would wipe it
        bool sameId = false;
        for (const QJsonValue &b : before)
            sameId = sameId || b[u"id"_s] == w[u"id"_s];
        QVERIFY(sameId);
    }
}

void TestAccountCommands::syncRemovesDuplicatesAndLeavesForeignHooksAlone()
{
    // Two laptops raced, or an older version: the project has CircleTray's hook twice.
    QString projectId;
    for (const QJsonValue &p : m_api.control("GET", u"projects"_s).array()) {
        if (p[u"slug"_s].toString() == u"gh/acme/web-ui"_s)
            projectId = p[u"id"_s].toString();
    }
    QVERIFY(!projectId.isEmpty());
    QJsonArray seeded;
    for (const char *created : {"2026-03-01T10:00:00.000Z", "2026-03-02T10:00:00.000Z"})
        seeded.append(QJsonObject {{u"name"_s, u"CircleTray"_s},
                                   {u"url"_s, u"https://somewhere.example/webhook"_s},
                                   {u"verify_tls"_s, false},
                                   {u"signing_secret"_s, u"old"_s},
                                   {u"events"_s, QJsonArray {u"workflow-completed"_s}},
                                   {u"scope"_s, QJsonObject {{u"id"_s, projectId}, {u"type"_s, u"project"_s}}},
                                   {u"created_at"_s, QString::fromLatin1(created)}});
    m_api.control("POST", u"webhooks"_s, QJsonDocument(seeded));
    const auto foreign = [this] {
        QJsonArray out;
        for (const QJsonValue &w : m_api.webhooks()) {
            if (w[u"name"_s].toString() != u"CircleTray"_s)
                out.append(w);
        }
        return out;
    };
    const QJsonArray foreignBefore = foreign();
    QVERIFY(!foreignBefore.isEmpty());
    const Run r = hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                                    u"--secret-file"_s, m_secretFile, u"--all"_s}
                       + account());
    QVERIFY2(r.lines().contains(u"gh/acme/web-ui: updated, removed 1 duplicate"_s), qPrintable(r.out));
    int mine = 0;
    for (const QJsonValue &w : m_api.webhooksOf(u"gh/acme/web-ui"_s)) {
        if (w[u"name"_s].toString() == u"CircleTray"_s) {
            ++mine;
            QCOMPARE(w[u"created_at"_s].toString(), u"2026-03-01T10:00:00.000Z"_s); // the oldest stays
            QCOMPARE(w[u"verify_tls"_s].toBool(), true);
        }
    }
    QCOMPARE(mine, 1);
    QCOMPARE(foreign(), foreignBefore); // other names: never touched, not even updated
    hook(QStringList {u"webhooks"_s, u"remove"_s, u"--all"_s} + account());
    QCOMPARE(foreign(), foreignBefore);
}

void TestAccountCommands::syncReportsEachProjectAndGoesOn()
{
    // gh/acme/api at CircleCI's limit; alice is only a member of gh/globex.
    QString apiId;
    for (const QJsonValue &p : m_api.control("GET", u"projects"_s).array()) {
        if (p[u"slug"_s].toString() == u"gh/acme/api"_s)
            apiId = p[u"id"_s].toString();
    }
    m_api.control("POST", u"webhooks"_s,
                  QJsonDocument(QJsonObject {
                      {u"name"_s, u"fifth"_s},
                      {u"url"_s, u"https://fifth.example/hook"_s},
                      {u"events"_s, QJsonArray {u"job-completed"_s}},
                      {u"scope"_s, QJsonObject {{u"id"_s, apiId}, {u"type"_s, u"project"_s}}},
                  }));
    const Run r =
        hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                          u"--secret-file"_s, m_secretFile, u"--project"_s, u"gh/acme/api"_s, u"--project"_s,
                          u"gh/globex/mobile"_s, u"--project"_s, u"gh/acme/nope"_s, u"--project"_s, u"gh/acme/web-ui"_s}
             + account());
    QCOMPARE(r.code, 1);
    const QStringList lines = r.lines();
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines.at(0).startsWith(u"gh/acme/api: failed: "_s) && lines.at(0).contains(u"limit"_s),
             qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(u"gh/globex/mobile: failed: "_s)
                 && lines.at(1).contains(u"only organization admins can manage webhooks"_s),
             qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).startsWith(u"gh/acme/nope: failed: "_s) && lines.at(2).contains(u"404"_s),
             qPrintable(lines.at(2)));
    QCOMPARE(lines.at(3), u"gh/acme/web-ui: created"_s); // the others went on
    QCOMPARE(m_api.webhooksOf(u"gh/acme/api"_s).size(), 5); // no sixth attempt that CircleCI would refuse
}

void TestAccountCommands::syncSurvivesRateLimits_data()
{
    QTest::addColumn<QJsonObject>("fault");
    QTest::addColumn<double>("minimumWait");
    QTest::newRow("429 with Retry-After: 1, twice") << QJsonObject {{u"method"_s, u"GET"_s},
                                                                    {u"path"_s, u"/api/v2/webhook"_s},
                                                                    {u"status"_s, 429},
                                                                    {u"retry_after"_s, 1},
                                                                    {u"count"_s, 2}}
                                                    << 0.95;
    QTest::newRow("429 without Retry-After (backoff)") << QJsonObject {{u"method"_s, u"POST"_s},
                                                                       {u"path"_s, u"/api/v2/webhook"_s},
                                                                       {u"status"_s, 429},
                                                                       {u"count"_s, 1}}
                                                       << 0.7; // 1 s minus the jitter
    QTest::newRow("500 on a read, once") << QJsonObject {{u"method"_s, u"GET"_s},
                                                         {u"path"_s, u"/api/v2/project/*"_s},
                                                         {u"status"_s, 500},
                                                         {u"count"_s, 1}}
                                         << 0.7;
}

void TestAccountCommands::syncSurvivesRateLimits()
{
    QFETCH(QJsonObject, fault);
    QFETCH(double, minimumWait);
    m_api.addFault(fault);
    const Run r = hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                                    u"--secret-file"_s, m_secretFile, u"--project"_s, u"gh/acme/web-ui"_s}
                       + account());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(r.lines(), QStringList({u"gh/acme/web-ui: created"_s}));
    // Each faulted answer was followed by the same request, after the wait it asked for.
    const QJsonArray log = m_api.requests();
    int faulted = 0;
    for (qsizetype i = 0; i < log.size(); ++i) {
        const QJsonObject entry = log.at(i).toObject();
        if (entry[u"fault"_s].isNull())
            continue;
        ++faulted;
        QVERIFY(i + 1 < log.size());
        const QJsonObject retry = log.at(i + 1).toObject();
        QCOMPARE(retry[u"path"_s], entry[u"path"_s]);
        QCOMPARE(retry[u"method"_s], entry[u"method"_s]);
        const double waited = retry[u"started"_s].toDouble() - entry[u"finished"_s].toDouble();
        QVERIFY2(waited >= minimumWait, qPrintable(QString::number(waited)));
    }
    QCOMPARE(faulted, fault[u"count"_s].toInt());
}

void TestAccountCommands::requestsAreSequentialHyphenatedAndTokenFree()
{
    const Run r = hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                                    u"--secret-file"_s, m_secretFile, u"--all"_s}
                       + account());
    QVERIFY(!r.lines().isEmpty());
    const QJsonArray log = m_api.requests();
    QVERIFY(log.size() > 10);
    double previousEnd = 0;
    int puts = 0;
    int posts = 0;
    for (const QJsonValue &v : log) {
        const QJsonObject e = v.toObject();
        QVERIFY2(e[u"started"_s].toDouble() >= previousEnd, "two requests were in flight at once");
        previousEnd = e[u"finished"_s].toDouble();
        QCOMPARE(e[u"headers"_s][u"circle-token"_s].toString(), u"tok-alice"_s);
        QVERIFY(!e[u"headers"_s].toObject().contains(u"authorization"_s));
        QVERIFY2(!e[u"query"_s].toString().contains(u"tok-"_s) && !e[u"path"_s].toString().contains(u"tok-"_s),
                 "the token must never be in a URL");
        const QJsonObject body = QJsonDocument::fromJson(e[u"body"_s].toString().toUtf8()).object();
        if (e[u"method"_s].toString() == u"PUT"_s || e[u"method"_s].toString() == u"POST"_s) {
            ++(e[u"method"_s].toString() == u"PUT"_s ? puts : posts);
            QCOMPARE(body[u"signing-secret"_s].toString(), u"the-webhook-secret"_s); // always sent
            QCOMPARE(body[u"verify-tls"_s].toBool(), true);
            QVERIFY(!body.contains(u"signing_secret"_s) && !body.contains(u"verify_tls"_s));
        }
    }
    QVERIFY(posts >= 3);
    // Again: everything is a PUT now, each with the secret.
    QVERIFY(hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                              u"--secret-file"_s, m_secretFile, u"--all"_s}
                 + account())
                .lines()
                .size()
            > 0);
    for (const QJsonValue &v : m_api.requests()) {
        if (v[u"method"_s].toString() == u"PUT"_s)
            ++puts;
    }
    QVERIFY(puts >= 3);
}

void TestAccountCommands::removeDeletesOnlyThatName()
{
    const QStringList projects {u"--project"_s, u"gh/acme/web-ui"_s, u"--project"_s, u"gh/acme/api"_s};
    QCOMPARE(hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"https://relay.example.com/webhook"_s,
                               u"--secret-file"_s, m_secretFile}
                  + projects + account())
                 .code,
             0);
    const qsizetype apiBefore = m_api.webhooksOf(u"gh/acme/api"_s).size();
    // One of them vanishes between the listing and the delete (another laptop): still "removed".
    m_api.addFault(
        {{u"method"_s, u"DELETE"_s}, {u"path"_s, u"/api/v2/webhook/*"_s}, {u"status"_s, 404}, {u"count"_s, 1}});
    const Run r = hook(QStringList {u"webhooks"_s, u"remove"_s, u"--name"_s, u"CircleTray"_s} + projects + account());
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QCOMPARE(r.lines(), QStringList({u"gh/acme/web-ui: removed 1"_s, u"gh/acme/api: removed 1"_s}));
    QCOMPARE(m_api.webhooksOf(u"gh/acme/api"_s).size(), apiBefore - 1); // the foreign ones stay
    for (const QJsonValue &w : m_api.webhooksOf(u"gh/acme/api"_s))
        QVERIFY(w[u"name"_s].toString() != u"CircleTray"_s);
    // The stand-in's 404 only pretended: web-ui's hook is still there, and goes now.
    const Run again = hook(QStringList {u"webhooks"_s, u"remove"_s} + projects + account());
    QCOMPARE(again.lines(), QStringList({u"gh/acme/web-ui: removed 1"_s, u"gh/acme/api: nothing to remove"_s}));
    const Run done = hook(QStringList {u"webhooks"_s, u"remove"_s} + projects + account());
    QCOMPARE(done.lines(), QStringList({u"gh/acme/web-ui: nothing to remove"_s, u"gh/acme/api: nothing to remove"_s}));
}

void TestAccountCommands::httpUrlIsRefusedBeforeAnyRequest()
{
    m_api.control("DELETE", u"requests"_s);
    const Run r = hook(QStringList {u"webhooks"_s, u"sync"_s, u"--url"_s, u"http://relay.example.com/webhook"_s,
                                    u"--secret-file"_s, m_secretFile, u"--all"_s}
                       + account());
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(u"https://"_s), qPrintable(r.err));
    QCOMPARE(m_api.requests().size(), 0);
}

void TestAccountCommands::tokenSourcesInTheirOrder_data()
{
    QTest::addColumn<bool>("tokenFile");
    QTest::addColumn<QString>("circleciToken");
    QTest::addColumn<QString>("cliToken");
    QTest::addColumn<bool>("cliYml");
    QTest::addColumn<QString>("used");
    QTest::newRow("--token-file first") << true << u"tok-bob"_s << u"tok-bob"_s << true << u"tok-alice"_s;
    QTest::newRow("then CIRCLECI_TOKEN") << false << u"tok-bob"_s << u"tok-alice"_s << true << u"tok-bob"_s;
    QTest::newRow("then CIRCLECI_CLI_TOKEN") << false << QString() << u"tok-bob"_s << true << u"tok-bob"_s;
    QTest::newRow("then the circleci CLI's cli.yml, with its host")
        << false << QString() << QString() << true << u"tok-alice"_s;
}

void TestAccountCommands::tokenSourcesInTheirOrder()
{
    QFETCH(bool, tokenFile);
    QFETCH(QString, circleciToken);
    QFETCH(QString, cliToken);
    QFETCH(bool, cliYml);
    QFETCH(QString, used);
    QDir().mkpath(m_dir.filePath(u"home/.circleci"_s));
    QFile yml(m_dir.filePath(u"home/.circleci/cli.yml"_s));
    if (cliYml) {
        QVERIFY(yml.open(QIODevice::WriteOnly));
        yml.write("host: " + m_api.host().toUtf8() + "\nendpoint: graphql-unstable\ntoken: tok-alice\n");
        yml.close();
    }
    QMap<QString, QString> env;
    if (!circleciToken.isEmpty())
        env.insert(u"CIRCLECI_TOKEN"_s, circleciToken);
    if (!cliToken.isEmpty())
        env.insert(u"CIRCLECI_CLI_TOKEN"_s, cliToken);
    // With cli.yml alone no --host: its host: is the stand-in.
    QStringList args {u"projects"_s};
    if (tokenFile)
        args << u"--token-file"_s << m_dir.filePath(u"alice.token"_s);
    if (tokenFile || !circleciToken.isEmpty() || !cliToken.isEmpty())
        args << u"--host"_s << m_api.host();
    const Run r = hook(args, env);
    yml.remove();
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonArray log = m_api.requests();
    QVERIFY(!log.isEmpty());
    QCOMPARE(log.first()[u"headers"_s][u"circle-token"_s].toString(), used);
}

void TestAccountCommands::errorsSayWhatToDo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("says");
    const QString closed = [] {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return u"http://127.0.0.1:%1"_s.arg(s.serverPort());
    }();
    QTest::newRow("no token anywhere") << QStringList {u"projects"_s} << 2 << u"no CircleCI token"_s;
    QTest::newRow("unreadable token file")
        << QStringList {u"projects"_s, u"--token-file"_s, u"/nonexistent/t"_s} << 2 << u"cannot read --token-file"_s;
    QTest::newRow("nothing listens") << QStringList {u"projects"_s, u"--host"_s, closed} << 3 << u"Cannot reach"_s;
    QTest::newRow("plain http to another host")
        << QStringList {u"projects"_s, u"--host"_s, u"http://ci.example.com"_s} << 1 << u"over plain http"_s;
}

void TestAccountCommands::errorsSayWhatToDo()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, says);
    QMap<QString, QString> env;
    if (!args.contains(u"--token-file"_s) && QTest::currentDataTag() != QByteArray("no token anywhere"))
        env.insert(u"CIRCLECI_TOKEN"_s, u"tok-alice"_s);
    const Run r = hook(args, env);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(says), qPrintable(r.err));
    QVERIFY(!r.err.contains(u"tok-alice"_s));

    // The API's own refusals, in words: a wrong token, a project token.
    QFile bad(m_dir.filePath(u"bad.token"_s));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("tok-revoked\n");
    bad.close();
    const Run rejected = hook({u"projects"_s, u"--host"_s, m_api.host(), u"--token-file"_s, bad.fileName()});
    QCOMPARE(rejected.code, 1);
    QVERIFY2(rejected.err.contains(u"CircleCI token rejected (401)"_s), qPrintable(rejected.err));
    QVERIFY(!rejected.err.contains(u"tok-revoked"_s));
}

void TestAccountCommands::pagingStopsOnARepeatedToken()
{
    // A server that answers the same next_page_token forever must not hang the client.
    m_api.setOptions({{u"webhook_page_size"_s, 1}, {u"repeat_page_token"_s, true}});
    const Run r =
        hook(QStringList {u"webhooks"_s, u"list"_s, u"--project"_s, u"gh/acme/api"_s, u"--json"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.lines().size() >= 1 && r.lines().size() <= 4);
    QVERIFY2(r.err.contains(u"page token seen before"_s), qPrintable(r.err));
    m_api.setOptions({{u"webhook_page_size"_s, 1}, {u"repeat_page_token"_s, false}});
    const Run paged =
        hook(QStringList {u"webhooks"_s, u"list"_s, u"--project"_s, u"gh/acme/api"_s, u"--json"_s} + account());
    QCOMPARE(paged.lines().size(), 4); // every page drained
}

void TestAccountCommands::httpsWithATrustedCa()
{
    TestCa ca;
    if (!ca.create())
        QSKIP("openssl command not installed");
    CircleCiStandIn tls;
    QVERIFY(tls.start(ca.serverCert(), ca.serverKey()));
    const QStringList base {u"projects"_s, u"--host"_s, tls.host(), u"--token-file"_s,
                            m_dir.filePath(u"alice.token"_s)};
    const Run untrusted = hook(base);
    QCOMPARE(untrusted.code, 3);
    QVERIFY2(untrusted.err.contains(u"TLS"_s), qPrintable(untrusted.err));
    const Run trusted = hook(base + QStringList {u"--cacert"_s, ca.caCert()});
    QVERIFY2(trusted.code == 0, qPrintable(trusted.err));
    QVERIFY(trusted.lines().size() > 2);
}

namespace {
// In fixture-default.json: gh/acme/web-ui #58 "ci" failed; gh/acme/api #105 running, #104 "deploy"
// on hold; gh/initech/payroll #9, whose org alice has no access to.
const QString failedWorkflow = u"246e05f1-3277-52c6-a174-36f0e8e3f082"_s;
const QString runningWorkflow = u"fe2f652c-1b35-5a7d-a225-d2c234c775df"_s;
const QString onHoldWorkflow = u"0ff4370c-2c08-537a-8b4d-7dcbf27fd6ec"_s;
const QString hiddenWorkflow = u"2a088c89-f27f-59a1-94b4-676c09714d7a"_s;
} // namespace

QJsonObject TestAccountCommands::standInWorkflow(const QString &id)
{
    for (const QJsonValue &w : m_api.control("GET", u"workflows"_s).array()) {
        if (w[u"id"_s].toString() == id)
            return w.toObject();
    }
    return {};
}

void TestAccountCommands::rerunFromFailedAppendsToThePipeline()
{
    const Run r = hook(QStringList {u"rerun"_s, failedWorkflow, u"--failed"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.lines().size(), 1);
    const QString newId = r.lines().first();
    QVERIFY2(!QUuid::fromString(newId).isNull(), qPrintable(newId));
    QVERIFY(newId != failedWorkflow);
    int reruns = 0;
    for (const QJsonValue &v : m_api.requests()) {
        if (v[u"method"_s].toString() != u"POST"_s)
            continue;
        ++reruns;
        QCOMPARE(v[u"path"_s].toString(), u"/api/v2/workflow/%1/rerun"_s.arg(failedWorkflow));
        QCOMPARE(QJsonDocument::fromJson(v[u"body"_s].toString().toUtf8()).object(),
                 QJsonObject({{u"from_failed"_s, true}}));
    }
    QCOMPARE(reruns, 1);
    const QJsonObject old = standInWorkflow(failedWorkflow);
    const QJsonObject created = standInWorkflow(newId);
    QCOMPARE(created[u"status"_s].toString(), u"running"_s);
    QCOMPARE(created[u"pipeline_id"_s].toString(), old[u"pipeline_id"_s].toString());
    QCOMPARE(created[u"name"_s].toString(), old[u"name"_s].toString());
    QCOMPARE(old[u"status"_s].toString(), u"failed"_s); // the original stays
}

void TestAccountCommands::rerunWholeWorkflowSendsNoFromFailed()
{
    const Run r = hook(QStringList {u"rerun"_s, failedWorkflow} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonArray log = m_api.requests();
    QCOMPARE(log.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(log.first()[u"body"_s].toString().toUtf8()).object(), QJsonObject());
}

void TestAccountCommands::rerunAndCancelSayWhy_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QJsonObject>("fault");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("says");
    const QJsonObject none;
    // clang-format off
    QTest::newRow("rerun of a running workflow")  << QStringList {u"rerun"_s, runningWorkflow, u"--failed"_s} << u"alice"_s << none << 1 << u"the workflow has not finished yet"_s;
    QTest::newRow("rerun of an on-hold workflow") << QStringList {u"rerun"_s, onHoldWorkflow} << u"alice"_s << none << 1 << u"the workflow has not finished yet"_s;
    QTest::newRow("unknown id")                   << QStringList {u"rerun"_s, u"00000000-0000-4000-8000-000000000000"_s, u"--failed"_s} << u"alice"_s << none << 1 << u"not found on CircleCI, or older than 90 days, or this token's user cannot see it"_s;
    QTest::newRow("no access")                    << QStringList {u"cancel"_s, hiddenWorkflow} << u"alice"_s << none << 1 << u"not found on CircleCI"_s;
    QTest::newRow("token rejected")               << QStringList {u"rerun"_s, failedWorkflow} << u"revoked"_s << none << 1 << u"CircleCI token rejected (401)"_s;
    QTest::newRow("403")                          << QStringList {u"rerun"_s, failedWorkflow} << u"alice"_s << QJsonObject {{u"method"_s, u"POST"_s}, {u"path"_s, u"/api/v2/workflow/*"_s}, {u"status"_s, 403}} << 1 << u"not allowed: the token's user cannot run this project's workflows"_s;
    QTest::newRow("no workflow id")               << QStringList {u"rerun"_s} << u"alice"_s << none << 2 << u"give one workflow id"_s;
    QTest::newRow("two workflow ids")             << QStringList {u"cancel"_s, failedWorkflow, runningWorkflow} << u"alice"_s << none << 2 << u"give one workflow id"_s;
    // clang-format on
}

void TestAccountCommands::rerunAndCancelSayWhy()
{
    QFETCH(QStringList, args);
    QFETCH(QString, token);
    QFETCH(QJsonObject, fault);
    QFETCH(int, code);
    QFETCH(QString, says);
    QFile f(m_dir.filePath(u"revoked.token"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("tok-revoked\n");
    f.close();
    if (!fault.isEmpty())
        m_api.addFault(fault);
    const qsizetype workflowsBefore = m_api.control("GET", u"workflows"_s).array().size();
    const Run r = hook(args + account(token));
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(says), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!r.err.contains(u"tok-"_s));
    QCOMPARE(m_api.control("GET", u"workflows"_s).array().size(), workflowsBefore); // nothing was rerun
}

void TestAccountCommands::cancelStopsARunningWorkflow()
{
    QCOMPARE(standInWorkflow(runningWorkflow)[u"status"_s].toString(), u"running"_s);
    const Run r = hook(QStringList {u"cancel"_s, runningWorkflow} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.lines(), QStringList({u"canceled"_s}));
    QCOMPARE(standInWorkflow(runningWorkflow)[u"status"_s].toString(), u"canceled"_s);
    const QJsonArray log = m_api.requests();
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.first()[u"path"_s].toString(), u"/api/v2/workflow/%1/cancel"_s.arg(runningWorkflow));
}

void TestAccountCommands::rerunSurvivesRateLimit()
{
    m_api.addFault({{u"method"_s, u"POST"_s},
                    {u"path"_s, u"/api/v2/workflow/*/rerun"_s},
                    {u"status"_s, 429},
                    {u"retry_after"_s, 1},
                    {u"count"_s, 1}});
    const Run r = hook(QStringList {u"rerun"_s, failedWorkflow, u"--failed"_s} + account());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.lines().size(), 1);
    const QJsonArray log = m_api.requests();
    QCOMPARE(log.size(), 2); // the 429, then the same request after the second it asked for
    QVERIFY(!log.at(0)[u"fault"_s].isNull());
    QVERIFY(log.at(1)[u"fault"_s].isNull());
    QVERIFY(log.at(1)[u"started"_s].toDouble() - log.at(0)[u"finished"_s].toDouble() >= 0.95);
    QCOMPARE(log.at(1)[u"status"_s].toInt(), 202);
    QCOMPARE(standInWorkflow(r.lines().first())[u"status"_s].toString(), u"running"_s);
}

QTEST_GUILESS_MAIN(TestAccountCommands)
#include "tst_accountcommands.moc"
