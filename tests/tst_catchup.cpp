// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Issue 11: never miss a build in direct mode. The real app (a process) in the project's headless
// desktop, the CircleCI API stand-in: builds finish while the app is stopped; started again it
// catches up from the API — one summary popup at the notification daemon, each workflow once in
// the history, Broken/Fixed right, a late webhook changing nothing.
#include "circlecistandin.h"
#include "core/statustracker.h"
#include "dunst.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

//! Summaries and bodies of every notification so far (shown or closed), newest first.
QStringList popups()
{
    dunstctl({u"close-all"_s}); // into the history
    QStringList out;
    for (const auto &[summary, body] : dunstHistory())
        out.append(summary + u" | "_s + body);
    return out;
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QString uuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestCatchUp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void missedWhileStoppedComesBackOnce();
    void rateLimitedCatchUpStillArrives();
    void rejectedTokenIsSaidOnceAndBlocksNothing();

private:
    bool startApp(const QString &tokenFile);
    void stopApp();
    int send(const QJsonObject &body);
    QJsonObject webhook(const QString &workflowId, const char *status, const QDateTime &stopped) const;
    //! A pipeline of gh/acme/api on main with one workflow "build" (and its failed job when failed).
    QJsonObject pipeline(const QString &workflowId, const char *status, const QDateTime &stopped, int number) const;
    QStringList rows(const QString &workflowId); //!< the history's rows of it: source per row

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
    QString m_data;
    QString m_secretFile;
    QString m_tokenFile;
    quint16 m_port = 0;
    QProcess m_app;
};

void TestCatchUp::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"), "run this test inside scripts/headless-desktop");
    QVERIFY(m_api.start());
    m_secretFile = m_dir.filePath(u"secret"_s);
    QFile s(m_secretFile);
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write("catch-up-secret\n");
    s.close();
    m_tokenFile = m_dir.filePath(u"token"_s);
    QFile t(m_tokenFile);
    QVERIFY(t.open(QIODevice::WriteOnly));
    t.write("tok-alice\n");
}

void TestCatchUp::init()
{
    m_api.reset();
    m_api.control("POST", u"clock"_s, QJsonDocument(QJsonObject {{u"now"_s, QJsonValue::Null}})); // the wall clock
    m_data = m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    m_port = freePort();
    popups();
    dunstctl({u"history-clear"_s});
}

void TestCatchUp::cleanup()
{
    stopApp();
}

bool TestCatchUp::startApp(const QString &tokenFile)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CIRCLETRAY_SECRET_BACKEND"_s, u"file"_s);
    env.insert(u"CIRCLETRAY_NO_ERROR_DIALOG"_s, u"1"_s);
    m_app.setProcessEnvironment(env);
    m_app.setProcessChannelMode(QProcess::ForwardedChannels);
    m_app.start(QStringLiteral(CT_APP_PATH),
                {u"--port"_s, QString::number(m_port), u"--secret-file"_s, m_secretFile, u"--data-dir"_s, m_data,
                 u"--circleci-host"_s, m_api.host(), u"--circleci-token-file"_s, tokenFile});
    if (!m_app.waitForStarted(10000))
        return false;
    // Up when its receiver answers a signed ping.
    return QTest::qWaitFor(
        [this] {
            QProcess ping;
            ping.start(QStringLiteral(CT_HOOK_PATH),
                       {u"send"_s, u"--type"_s, u"ping"_s, u"--url"_s, u"http://127.0.0.1:%1/webhook"_s.arg(m_port),
                        u"--secret-file"_s, m_secretFile});
            return ping.waitForFinished(5000) && ping.exitCode() == 0;
        },
        20000);
}

void TestCatchUp::stopApp()
{
    if (m_app.state() == QProcess::NotRunning)
        return;
    m_app.terminate();
    if (!m_app.waitForFinished(10000)) {
        m_app.kill();
        m_app.waitForFinished();
    }
}

QJsonObject TestCatchUp::webhook(const QString &workflowId, const char *status, const QDateTime &stopped) const
{
    return QJsonObject {
        {u"type"_s, u"workflow-completed"_s},
        {u"id"_s, uuid()},
        {u"happened_at"_s, iso(stopped.addSecs(1))},
        {u"webhook"_s, QJsonObject {{u"id"_s, uuid()}, {u"name"_s, u"CircleTray"_s}}},
        {u"project"_s, QJsonObject {{u"id"_s, uuid()}, {u"name"_s, u"api"_s}, {u"slug"_s, u"github/acme/api"_s}}},
        {u"organization"_s, QJsonObject {{u"id"_s, uuid()}, {u"name"_s, u"acme"_s}}},
        {u"workflow"_s,
         QJsonObject {{u"id"_s, workflowId},
                      {u"name"_s, u"build"_s},
                      {u"status"_s, QString::fromLatin1(status)},
                      {u"url"_s, QString(u"https://app.circleci.com/pipelines/workflows/"_s + workflowId)},
                      {u"created_at"_s, iso(stopped.addSecs(-300))},
                      {u"stopped_at"_s, iso(stopped)}}},
        {u"pipeline"_s,
         QJsonObject {{u"id"_s, uuid()},
                      {u"number"_s, 500},
                      {u"created_at"_s, iso(stopped.addSecs(-310))},
                      {u"trigger"_s, QJsonObject {{u"type"_s, u"webhook"_s}}},
                      {u"vcs"_s,
                       QJsonObject {{u"provider_name"_s, u"GitHub"_s},
                                    {u"origin_repository_url"_s, u"https://github.com/acme/api"_s},
                                    {u"target_repository_url"_s, u"https://github.com/acme/api"_s},
                                    {u"revision"_s, u"0123456789abcdef0123456789abcdef01234567"_s},
                                    {u"branch"_s, u"main"_s},
                                    {u"commit"_s, QJsonObject {{u"subject"_s, u"Heard live"_s}}}}}}},
    };
}

QJsonObject TestCatchUp::pipeline(const QString &workflowId, const char *status, const QDateTime &stopped,
                                  int number) const
{
    const bool failed = QByteArray(status) == "failed";
    const bool running = QByteArray(status) == "running";
    QJsonArray jobs {
        QJsonObject {{u"name"_s, failed ? u"unit-tests"_s : u"build"_s},
                     {u"type"_s, u"build"_s},
                     {u"status"_s, running ? u"running"_s : QString::fromLatin1(status)},
                     {u"started_at"_s, iso(stopped.addSecs(-200))},
                     {u"stopped_at"_s, running ? QJsonValue(QJsonValue::Null) : QJsonValue(iso(stopped))}}};
    return QJsonObject {
        {u"id"_s, uuid()},
        {u"number"_s, number},
        {u"project_slug"_s, u"gh/acme/api"_s},
        {u"state"_s, u"created"_s},
        {u"created_at"_s, iso(stopped.addSecs(-300))},
        {u"updated_at"_s, iso(stopped.addSecs(-300))},
        {u"trigger"_s,
         QJsonObject {{u"type"_s, u"webhook"_s},
                      {u"received_at"_s, iso(stopped.addSecs(-301))},
                      {u"actor"_s, QJsonObject {{u"login"_s, u"alice"_s}}}}},
        {u"vcs"_s,
         QJsonObject {{u"provider_name"_s, u"GitHub"_s},
                      {u"branch"_s, u"main"_s},
                      {u"revision"_s, u"89abcdef0123456789abcdef0123456789abcdef"_s},
                      {u"commit"_s, QJsonObject {{u"subject"_s, u"Missed #%1"_s.arg(number)}}}}},
        {u"workflows"_s,
         QJsonArray {QJsonObject {{u"id"_s, workflowId},
                                  {u"name"_s, u"build"_s},
                                  {u"status"_s, QString::fromLatin1(status)},
                                  {u"created_at"_s, iso(stopped.addSecs(-290))},
                                  {u"stopped_at"_s, running ? QJsonValue(QJsonValue::Null) : QJsonValue(iso(stopped))},
                                  {u"jobs"_s, jobs}}}},
    };
}

int TestCatchUp::send(const QJsonObject &body)
{
    QFile f(m_dir.filePath(u"body.json"_s));
    if (!f.open(QIODevice::WriteOnly))
        return -1;
    f.write(QJsonDocument(body).toJson(QJsonDocument::Compact));
    f.close();
    QProcess p;
    p.start(QStringLiteral(CT_HOOK_PATH),
            {u"send"_s, u"--url"_s, u"http://127.0.0.1:%1/webhook"_s.arg(m_port), u"--secret-file"_s, m_secretFile,
             f.fileName()});
    return p.waitForFinished(10000) ? p.exitCode() : -1;
}

QStringList TestCatchUp::rows(const QString &workflowId)
{
    QStringList out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"peek"_s);
        db.setDatabaseName(m_data + u"/history.sqlite"_s);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(u"SELECT COALESCE(source, 'webhook'), status FROM workflows WHERE workflow_id = ?"_s);
            q.addBindValue(workflowId);
            q.exec();
            while (q.next())
                out.append(q.value(0).toString() + u':' + q.value(1).toString());
        }
    }
    QSqlDatabase::removeDatabase(u"peek"_s);
    return out;
}

void TestCatchUp::missedWhileStoppedComesBackOnce()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString heard = uuid();
    const QString broke = uuid();
    const QString fixed = uuid();
    const QString running = uuid();
    // Heard live: api · main · build passed 40 minutes ago (also in CircleCI's API).
    m_api.control("POST", u"pipelines"_s, QJsonDocument(pipeline(heard, "success", now.addSecs(-2400), 500)));
    QVERIFY(startApp(m_tokenFile));
    QCOMPARE(send(webhook(heard, "success", now.addSecs(-2400))), 0);
    QTRY_COMPARE(rows(heard), QStringList({u"webhook:success"_s}));
    stopApp(); // the laptop sleeps; the tunnel is gone

    // Meanwhile on CircleCI: it broke, then was fixed; another one is still running.
    m_api.control("POST", u"pipelines"_s,
                  QJsonDocument(QJsonArray {pipeline(broke, "failed", now.addSecs(-1200), 501),
                                            pipeline(fixed, "success", now.addSecs(-600), 502),
                                            pipeline(running, "running", now.addSecs(-60), 503)}));
    popups();
    dunstctl({u"history-clear"_s});
    QVERIFY(startApp(m_tokenFile));
    // One summary, naming what failed; no popup per workflow.
    QTRY_VERIFY_WITH_TIMEOUT(!popups().isEmpty(), 20000);
    QTest::qWait(1000); // anything else that would come
    const QStringList shown = popups();
    QCOMPARE(shown.size(), 1);
    QVERIFY2(shown.first().startsWith(u"2 workflows finished while you were away | 1 failed: api · main · build"_s),
             qPrintable(shown.first()));
    // Each once; marked as read from the API; the one heard live stays the webhook's.
    QCOMPARE(rows(heard), QStringList({u"webhook:success"_s}));
    QCOMPARE(rows(broke), QStringList({u"api:failed"_s}));
    QCOMPARE(rows(fixed), QStringList({u"api:success"_s}));
    QVERIFY(rows(running).isEmpty()); // not finished: not a result
    // The webhook CircleCI retried for the broken one arrives late: the same row, no popup.
    QCOMPARE(send(webhook(broke, "failed", now.addSecs(-1200))), 0);
    QTRY_COMPARE(rows(broke), QStringList({u"webhook:failed"_s}));
    QTest::qWait(500);
    QCOMPARE(popups().size(), 1);
    // And the next live result is compared with the fixed one: passed, not fixed again.
    const QString next = uuid();
    QCOMPARE(send(webhook(next, "failed", now.addSecs(-5))), 0);
    QTRY_VERIFY_WITH_TIMEOUT(popups().size() == 2, 10000);
    QVERIFY2(popups().first().startsWith(u"Broken"_s), qPrintable(popups().first()));
}

void TestCatchUp::rateLimitedCatchUpStillArrives()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString heard = uuid();
    const QString missed = uuid();
    QVERIFY(startApp(m_tokenFile));
    QCOMPARE(send(webhook(heard, "success", now.addSecs(-1800))), 0);
    QTRY_COMPARE(rows(heard).size(), 1);
    stopApp();
    m_api.control("POST", u"pipelines"_s, QJsonDocument(pipeline(missed, "failed", now.addSecs(-300), 600)));
    m_api.addFault({{u"method"_s, u"GET"_s},
                    {u"path"_s, u"/api/v2/pipeline"_s},
                    {u"status"_s, 429},
                    {u"retry_after"_s, 1},
                    {u"count"_s, 2}});
    popups();
    dunstctl({u"history-clear"_s});
    QVERIFY(startApp(m_tokenFile));
    QTRY_COMPARE_WITH_TIMEOUT(rows(missed), QStringList({u"api:failed"_s}), 20000);
    QTRY_VERIFY(!popups().isEmpty());
    // A single result: its own popup, as the webhook's would have been.
    QVERIFY2(popups().first().startsWith(u"Broken"_s), qPrintable(popups().first()));
    int limited = 0;
    for (const QJsonValue &r : m_api.requests())
        limited += r[u"status"_s].toInt() == 429 ? 1 : 0;
    QCOMPARE(limited, 2);
}

void TestCatchUp::rejectedTokenIsSaidOnceAndBlocksNothing()
{
    QFile bad(m_dir.filePath(u"revoked-token"_s));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("tok-revoked\n");
    bad.close();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(startApp(bad.fileName()));
    QCOMPARE(send(webhook(uuid(), "success", now.addSecs(-60))), 0);
    stopApp();
    popups();
    dunstctl({u"history-clear"_s});
    QVERIFY(startApp(bad.fileName()));
    QTRY_VERIFY_WITH_TIMEOUT(!popups().isEmpty(), 20000);
    QVERIFY2(popups().first().startsWith(u"CircleCI token rejected"_s), qPrintable(popups().first()));
    // The live path goes on; and the rejection is not repeated with every event.
    const QString live = uuid();
    QCOMPARE(send(webhook(live, "failed", now)), 0);
    QTRY_COMPARE(rows(live).size(), 1);
    QTest::qWait(500);
    int rejected = 0;
    for (const QString &p : popups())
        rejected += p.startsWith(u"CircleCI token rejected"_s) ? 1 : 0;
    QCOMPARE(rejected, 1);
}

QTEST_MAIN(TestCatchUp)
#include "tst_catchup.moc"
