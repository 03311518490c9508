// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The dashboard's fold of the event log: tiles (state, verdict, streak, failing jobs, running) and
// recent results, from real webhook bodies through the core parser and tracker.
#include "relay/dashboard/dashboardstate.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct;

namespace {

const QDateTime base = QDateTime(QDate(2026, 12, 1), QTime(10, 0), Qt::UTC);

QString iso(const QDateTime &t)
{
    return t.toString(Qt::ISODateWithMs);
}

//! A webhook body for workflow run \a n (pipeline n, created n×10 minutes after base).
QByteArray body(const QString &type, int n, const QString &status, const QString &job, const QString &branch,
                const QString &subject, int serial)
{
    const QDateTime created = base.addSecs(n * 600);
    QJsonObject workflow {{u"id"_s, u"wf-%1-%2"_s.arg(branch).arg(n)},
                          {u"name"_s, u"build"_s},
                          {u"url"_s, u"https://app.circleci.com/pipelines/gh/acme/api/%1/workflows/wf-%1"_s.arg(n)},
                          {u"created_at"_s, iso(created)},
                          {u"stopped_at"_s, iso(created.addSecs(300))}};
    QJsonObject o {
        {u"type"_s, type},
        {u"id"_s, u"ev-%1"_s.arg(serial)},
        {u"happened_at"_s, iso(created.addSecs(300))},
        {u"webhook"_s, QJsonObject {{u"id"_s, u"w"_s}, {u"name"_s, u"relay"_s}}},
        {u"project"_s, QJsonObject {{u"id"_s, u"p"_s}, {u"name"_s, u"api"_s}, {u"slug"_s, u"gh/acme/api"_s}}},
        {u"organization"_s, QJsonObject {{u"id"_s, u"o"_s}, {u"name"_s, u"acme"_s}}},
        {u"pipeline"_s,
         QJsonObject {{u"id"_s, u"pl-%1"_s.arg(n)},
                      {u"number"_s, n},
                      {u"created_at"_s, iso(created)},
                      {u"trigger"_s, QJsonObject {{u"type"_s, u"webhook"_s}}},
                      {u"vcs"_s,
                       QJsonObject {{u"branch"_s, branch},
                                    {u"revision"_s, u"abc"_s},
                                    {u"commit"_s,
                                     QJsonObject {{u"subject"_s, subject},
                                                  {u"author"_s,
                                                   QJsonObject {{u"name"_s, u"Zoë Dev"_s},
                                                                {u"email"_s, u"z@example.com"_s}}}}}}}}},
    };
    if (type == u"job-completed") {
        o.insert(u"job"_s,
                 QJsonObject {{u"id"_s, u"job-%1-%2"_s.arg(n).arg(job)},
                              {u"name"_s, job},
                              {u"number"_s, serial},
                              {u"status"_s, status},
                              {u"started_at"_s, iso(created)},
                              {u"stopped_at"_s, iso(created.addSecs(200))}});
    } else {
        workflow.insert(u"status"_s, status);
    }
    o.insert(u"workflow"_s, workflow);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

//! "W1=failed J2.test=success W3=success@dev" → stored events, in order.
QList<StoredEvent> script(const QString &text)
{
    static const QRegularExpression token(uR"(^([WJ])(\d+)(?:\.([\w-]+))?=(\w+)(?:@([\w/-]+))?$)"_s);
    QList<StoredEvent> events;
    int serial = 0;
    for (const QString &step : text.split(u' ', Qt::SkipEmptyParts)) {
        const auto m = token.match(step);
        if (!m.hasMatch())
            qFatal("bad script step %s", qPrintable(step));
        const bool job = m.captured(1) == u"J";
        ++serial;
        StoredEvent e;
        e.seq = serial;
        e.eventId = u"ev-%1"_s.arg(serial);
        e.receivedAt = base.addSecs(serial);
        e.eventType = job ? "job-completed"_ba : "workflow-completed"_ba;
        e.body = body(job ? u"job-completed"_s : u"workflow-completed"_s, m.captured(2).toInt(), m.captured(4),
                      m.captured(3), m.captured(5).isEmpty() ? u"main"_s : m.captured(5), u"Commit %1"_s.arg(serial),
                      serial);
        events.append(e);
    }
    return events;
}

QJsonObject tileOf(const QJsonObject &state, const QString &ref = u"main"_s)
{
    for (const QJsonValue &t : state.value(u"tiles"_s).toArray()) {
        if (t[u"ref"_s].toString() == ref)
            return t.toObject();
    }
    return {};
}

QString names(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out.append(v.toString());
    return out.join(u',');
}

} // namespace

class TestDashboardState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tiles_data();
    void tiles();
    void updatesCarryTheChangedTile();
    void recentIsOnePerWorkflowAndSearchable();
    void recentIsBounded();
    void recentIsInFinishOrder();
    void pingsAndJunkChangeNothing();
};

void TestDashboardState::tiles_data()
{
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<int>("streak");
    QTest::addColumn<QString>("streakOutcome");
    QTest::addColumn<QString>("failedJobs");
    QTest::addColumn<int>("runningPipeline"); // 0: not running
    QTest::addColumn<int>("recent");

    QTest::newRow("first success") << u"W1=success"_s << u"success"_s << u"passed"_s << 1 << u"success"_s << u""_s << 0
                                   << 1;
    QTest::newRow("first failure is broken")
        << u"W1=failed"_s << u"failed"_s << u"broken"_s << 1 << u"failed"_s << u""_s << 0 << 1;
    QTest::newRow("failing for 3 runs") << u"W1=success W2=failed W3=error W4=failed"_s << u"failed"_s
                                        << u"still-failing"_s << 3 << u"failed"_s << u""_s << 0 << 4;
    QTest::newRow("fixed") << u"W1=failed W2=failed W3=success"_s << u"success"_s << u"fixed"_s << 1 << u"success"_s
                           << u""_s << 0 << 3;
    QTest::newRow("canceled keeps the streak") << u"W1=failed W2=failed W3=canceled"_s << u"canceled"_s << u"canceled"_s
                                               << 2 << u"failed"_s << u""_s << 0 << 3;
    QTest::newRow("failed, canceled, success is fixed")
        << u"W1=failed W2=canceled W3=success"_s << u"success"_s << u"fixed"_s << 1 << u"success"_s << u""_s << 0 << 3;
    QTest::newRow("failing jobs before the result")
        << u"J1.test=failed J1.lint=success J1.e2e=failed W1=failed"_s << u"failed"_s << u"broken"_s << 1 << u"failed"_s
        << u"test,e2e"_s << 0 << 1;
    QTest::newRow("a failing job reported after the result")
        << u"W1=failed J1.test=failed"_s << u"failed"_s << u"broken"_s << 1 << u"failed"_s << u"test"_s << 0 << 1;
    QTest::newRow("job results of a newer run: running")
        << u"W1=success J2.build=success"_s << u"running"_s << u"running"_s << 1 << u"success"_s << u""_s << 2 << 1;
    QTest::newRow("only job results: running")
        << u"J1.build=failed"_s << u"running"_s << u"running"_s << 0 << u""_s << u""_s << 1 << 0;
    QTest::newRow("running ends with its result") << u"W1=success J2.test=failed W2=failed"_s << u"failed"_s
                                                  << u"broken"_s << 1 << u"failed"_s << u"test"_s << 0 << 2;
    QTest::newRow("an older run's late job is not running")
        << u"W2=success J1.build=failed"_s << u"success"_s << u"passed"_s << 1 << u"success"_s << u""_s << 0 << 1;
    QTest::newRow("a repeated delivery (N+1 on cancel) is one run")
        << u"W1=failed W1=failed W1=failed"_s << u"failed"_s << u"broken"_s << 1 << u"failed"_s << u""_s << 0 << 1;
    QTest::newRow("an older run finishing late leaves the tile")
        << u"W2=success W1=failed"_s << u"success"_s << u"passed"_s << 1 << u"success"_s << u""_s << 0 << 2;
    QTest::newRow("an unknown status is kept")
        << u"W1=success W2=not_run"_s << u"unknown"_s << u"unknown"_s << 1 << u"success"_s << u""_s << 0 << 2;
}

void TestDashboardState::tiles()
{
    QFETCH(QString, events);
    DashboardState state;
    for (const StoredEvent &e : script(events))
        state.apply(e);
    const QJsonObject all = state.toJson(u"relay-1"_s, state.lastSeq(), base.addDays(1));
    QCOMPARE(all[u"tiles"_s].toArray().size(), 1);
    const QJsonObject tile = tileOf(all);
    QCOMPARE(tile[u"project"_s].toString(), u"gh/acme/api"_s);
    QCOMPARE(tile[u"workflow"_s].toString(), u"build"_s);
    QTEST(tile[u"state"_s].toString(), "state");
    QTEST(tile[u"verdict"_s].toString(), "verdict");
    QTEST(tile[u"streak"_s][u"runs"_s].toInt(), "streak");
    QTEST(tile[u"streak"_s][u"outcome"_s].toString(), "streakOutcome");
    QFETCH(int, runningPipeline);
    if (runningPipeline == 0) {
        QVERIFY(tile[u"running"_s].isNull());
        QTEST(names(tile[u"failed_jobs"_s]), "failedJobs");
    } else {
        QCOMPARE(tile[u"running"_s][u"pipeline_number"_s].toInt(), runningPipeline);
        QCOMPARE(tile[u"running"_s][u"event"_s][u"type"_s].toString(), u"job-completed"_s);
    }
    QTEST(all[u"recent"_s][u"total"_s].toInt(), "recent");
    QCOMPARE(all[u"head_seq"_s].toInteger(), qint64(script(events).size()));
    QCOMPARE(all[u"relay_id"_s].toString(), u"relay-1"_s);
}

void TestDashboardState::updatesCarryTheChangedTile()
{
    DashboardState state;
    const QList<StoredEvent> events = script(u"W1=failed J2.test=failed W2=success"_s);
    const auto first = state.apply(events[0]);
    QVERIFY(first);
    QCOMPARE(first->value(u"type"_s).toString(), u"update"_s);
    QCOMPARE(first->value(u"seq"_s).toInteger(), 1);
    QCOMPARE(first->value(u"tile"_s)[u"verdict"_s].toString(), u"broken"_s);
    QCOMPARE(first->value(u"recent"_s)[u"verdict"_s].toString(), u"broken"_s);
    // Normalised, not CircleCI's shape: the browser never parses a payload.
    QCOMPARE(first->value(u"tile"_s)[u"event"_s][u"pipeline"_s][u"commit_subject"_s].toString(), u"Commit 1"_s);
    QCOMPARE(first->value(u"tile"_s)[u"event"_s][u"pipeline"_s][u"commit_author_name"_s].toString(), u"Zoë Dev"_s);
    QVERIFY(!first->value(u"tile"_s)[u"event"_s].toObject().contains(u"vcs"_s));

    const auto job = state.apply(events[1]);
    QVERIFY(job);
    QCOMPARE(job->value(u"tile"_s)[u"state"_s].toString(), u"running"_s);
    QCOMPARE(names(job->value(u"tile"_s)[u"running"_s][u"failed_jobs"_s]), u"test"_s);
    QVERIFY(job->value(u"recent"_s).isNull());

    const auto fixed = state.apply(events[2]);
    QVERIFY(fixed);
    QCOMPARE(fixed->value(u"tile"_s)[u"verdict"_s].toString(), u"fixed"_s);
    QCOMPARE(names(fixed->value(u"tile"_s)[u"failed_jobs"_s]), u"test"_s); // a job failed, then its rerun passed
    QCOMPARE(fixed->value(u"last_event_at"_s).toString(), iso(base.addSecs(3)));
}

void TestDashboardState::recentIsOnePerWorkflowAndSearchable()
{
    DashboardState state;
    for (const StoredEvent &e :
         script(u"W1=success W2=failed@feature/login W3=success W2=failed@feature/login W4=canceled"_s))
        state.apply(e);
    QCOMPARE(state.tileCount(), 2);
    const QJsonObject page = state.recent(QString(), 0, 2);
    QCOMPARE(page[u"total"_s].toInt(), 4); // W2 was delivered twice: one item, where it finished
    QCOMPARE(page[u"items"_s].toArray().size(), 2);
    QCOMPARE(page[u"next"_s].toInt(), 2);
    QCOMPARE(page[u"items"_s][0][u"event"_s][u"pipeline"_s][u"number"_s].toInt(), 4);
    QCOMPARE(page[u"items"_s][1][u"event"_s][u"pipeline"_s][u"number"_s].toInt(), 3);
    QCOMPARE(state.recent(QString(), 2, 1)[u"items"_s][0][u"seq"_s].toInt(), 4); // the later delivery's
    const QJsonObject last = state.recent(QString(), 2, 2);
    QVERIFY(last[u"next"_s].isNull());
    QCOMPARE(last[u"items"_s].toArray().size(), 2);

    QCOMPARE(state.recent(u"LOGIN"_s, 0, 50)[u"total"_s].toInt(), 1); // branch, any case
    QCOMPARE(state.recent(u"feature failed"_s, 0, 50)[u"total"_s].toInt(), 1); // every word
    QCOMPARE(state.recent(u"zoë commit"_s, 0, 50)[u"total"_s].toInt(), 4); // author and subject
    QCOMPARE(state.recent(u"canceled"_s, 0, 50)[u"total"_s].toInt(), 1); // status
    QCOMPARE(state.recent(u"nothing-like-this"_s, 0, 50)[u"total"_s].toInt(), 0);
    QCOMPARE(state.recent(QString(), 0, 100000)[u"items"_s].toArray().size(), 4); // limit capped, not refused
}

void TestDashboardState::recentIsInFinishOrder()
{
    // Newest finish first, whatever order the deliveries came in (retries, catch-up, N+1 events).
    DashboardState state;
    for (const StoredEvent &e : script(u"W5=success W2=failed@a W9=success@b W7=failed@c"_s))
        state.apply(e);
    QList<int> order;
    for (const QJsonValue &item : state.recent(QString(), 0, 50)[u"items"_s].toArray())
        order.append(item[u"event"_s][u"pipeline"_s][u"number"_s].toInt());
    QCOMPARE(order, QList<int>({9, 7, 5, 2}));
}

void TestDashboardState::recentIsBounded()
{
    DashboardState state(DashboardState::Limits {3, 3});
    QStringList steps;
    for (int n = 1; n <= 6; ++n)
        steps << u"W%1=success"_s.arg(n);
    for (const StoredEvent &e : script(steps.join(u' ')))
        state.apply(e);
    QCOMPARE(state.recentCount(), 3);
    QCOMPARE(state.recent(QString(), 0, 50)[u"items"_s][2][u"event"_s][u"pipeline"_s][u"number"_s].toInt(), 4);
}

void TestDashboardState::pingsAndJunkChangeNothing()
{
    DashboardState state;
    StoredEvent ping;
    ping.seq = 1;
    ping.eventType = "ping"_ba;
    ping.body = R"({"type":"ping","id":"p1","happened_at":"2026-12-01T10:00:00Z","webhook":{"id":"w","name":"n"}})"_ba;
    QVERIFY(!state.apply(ping));
    StoredEvent junk;
    junk.seq = 2;
    junk.body = "{not json"_ba;
    QVERIFY(!state.apply(junk));
    QCOMPARE(state.tileCount(), 0);
    QCOMPARE(state.lastSeq(), 2);
    QVERIFY(state.toJson(u"r"_s, 2, base)[u"last_event_at"_s].isNull());
}

QTEST_GUILESS_MAIN(TestDashboardState)
#include "tst_dashboardstate.moc"
