// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/notifications/notificationrules.h"

#include <QTest>

using namespace Qt::StringLiterals;
using ct::Transition;

Q_DECLARE_METATYPE(ct::Transition)

namespace {

ct::WorkflowRecord workflow(const QString &branch = u"main"_s, const QString &email = u"zoe@example.com"_s)
{
    ct::WorkflowRecord w;
    w.workflowId = u"wf-1"_s;
    w.projectSlug = u"github/org/api"_s;
    w.projectName = u"api"_s;
    w.branch = branch;
    w.workflowName = u"build-and-test"_s;
    w.status = u"failed"_s;
    w.statusClass = u"failure"_s;
    w.url = u"https://app.circleci.com/pipelines/github/org/api/42/workflows/wf-1"_s;
    w.commitSubject = u"Fix <flaky> & slow test"_s;
    w.authorName = u"Zoë"_s;
    w.authorEmail = email;
    w.pipelineNumber = 42;
    w.createdAt = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
    w.stoppedAt = w.createdAt.addSecs(125);
    return w;
}

} // namespace

class TestNotificationRules final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kinds_data();
    void kinds();
    void content();
    void filters_data();
    void filters();
    void pauseAndStale();
    void jobFailures();
};

void TestNotificationRules::kinds_data()
{
    QTest::addColumn<Transition>("transition");
    QTest::addColumn<bool>("byDefault");
    QTest::newRow("broken") << Transition::Broken << true;
    QTest::newRow("fixed") << Transition::Fixed << true;
    QTest::newRow("still failing") << Transition::StillFailing << true;
    QTest::newRow("passed") << Transition::Passed << false;
    QTest::newRow("canceled") << Transition::Canceled << false;
    QTest::newRow("unknown") << Transition::Unknown << false;
}

void TestNotificationRules::kinds()
{
    QFETCH(Transition, transition);
    QFETCH(bool, byDefault);
    ct::NotificationRules rules;
    QCOMPARE(bool(rules.forWorkflow(workflow(), {}, {transition, false, false})), byDefault);
    ct::RuleSettings all;
    all.kinds = QStringList {u"broken"_s, u"fixed"_s, u"still-failing"_s, u"passed"_s, u"canceled"_s};
    rules.setSettings(all);
    QCOMPARE(bool(rules.forWorkflow(workflow(), {}, {transition, false, false})), transition != Transition::Unknown);
}

void TestNotificationRules::content()
{
    ct::NotificationRules rules;
    const QList<ct::JobRecord> jobs {{u"j1"_s, u"wf-1"_s, u"unit-tests"_s, 7, u"failed"_s, u"failure"_s, {}, {}, {}},
                                     {u"j2"_s, u"wf-1"_s, u"lint"_s, 8, u"success"_s, u"success"_s, {}, {}, {}}};
    const auto n = rules.forWorkflow(workflow(), jobs, {Transition::Broken, false, false});
    QVERIFY(n);
    QCOMPARE(n->title, u"Broken: api · main · build-and-test"_s);
    QVERIFY2(n->body.contains(u"Fix <flaky> & slow test"_s), qPrintable(n->body));
    QVERIFY(n->body.contains(u"Zoë"_s));
    QVERIFY(n->body.contains(u"Failed: unit-tests"_s));
    QVERIFY(!n->body.contains(u"lint"_s));
    QVERIFY(n->body.contains(u"2 min 5 s"_s));
    QVERIFY(n->critical);
    // One popup per project · branch · workflow (issue 15, 12): a later run's "Fixed" replaces it.
    QCOMPARE(n->key, u"github/org/api\x1fmain\x1f"_s + u"build-and-test"_s);
    QCOMPARE(n->url, QUrl(u"https://app.circleci.com/pipelines/github/org/api/42/workflows/wf-1"_s));
    QCOMPARE(n->rerunWorkflowId, u"wf-1"_s); // issue 11: "Rerun failed jobs" (the app drops it without a token)
    ct::WorkflowRecord nextRun = workflow();
    nextRun.workflowId = u"wf-2"_s;
    nextRun.status = u"success"_s;
    nextRun.statusClass = u"success"_s;
    const auto fixed = rules.forWorkflow(nextRun, {}, {Transition::Fixed, false, false});
    QVERIFY(fixed->rerunWorkflowId.isEmpty()); // nothing failed: nothing to rerun
    QVERIFY(!fixed->critical);
    QVERIFY(fixed->title.startsWith(u"Fixed: "_s));
    QCOMPARE(fixed->key, n->key);
    auto tag = workflow(QString());
    tag.tag = u"v1.2"_s;
    QCOMPARE(rules.forWorkflow(tag, {}, {Transition::StillFailing, false, false})->title,
             u"Still failing: api · tag v1.2 · build-and-test"_s);
}

void TestNotificationRules::filters_data()
{
    QTest::addColumn<QString>("setting");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("branch");
    QTest::addColumn<bool>("shown");
    // clang-format off
    QTest::newRow("include by name")     << u"include"_s << QStringList { u"api"_s }              << u"main"_s << true;
    QTest::newRow("include by slug")     << u"include"_s << QStringList { u"github/org/api"_s }   << u"main"_s << true;
    QTest::newRow("include other")       << u"include"_s << QStringList { u"web"_s }              << u"main"_s << false;
    QTest::newRow("exclude")             << u"exclude"_s << QStringList { u"API"_s }              << u"main"_s << false;
    QTest::newRow("branch exact")        << u"branches"_s << QStringList { u"main"_s }            << u"main"_s << true;
    QTest::newRow("branch no match")     << u"branches"_s << QStringList { u"main"_s }            << u"mainline"_s << false;
    QTest::newRow("branch glob")         << u"branches"_s << QStringList { u"main"_s, u"release/*"_s } << u"release/2.1"_s << true;
    QTest::newRow("branch glob deep")    << u"branches"_s << QStringList { u"feature/*"_s }      << u"feature/a/b"_s << true;
    QTest::newRow("branch glob miss")    << u"branches"_s << QStringList { u"release/*"_s }      << u"hotfix/1"_s << false;
    QTest::newRow("mine")                << u"mine"_s << QStringList { u"ZOE@example.com"_s }     << u"main"_s << true;
    QTest::newRow("not mine")            << u"mine"_s << QStringList { u"sam@example.com"_s }     << u"main"_s << false;
    // clang-format on
}

void TestNotificationRules::filters()
{
    QFETCH(QString, setting);
    QFETCH(QStringList, values);
    QFETCH(QString, branch);
    QFETCH(bool, shown);
    ct::RuleSettings s;
    if (setting == u"include")
        s.includeProjects = values;
    else if (setting == u"exclude")
        s.excludeProjects = values;
    else if (setting == u"branches")
        s.branchPatterns = values;
    else {
        s.onlyMine = true;
        s.myEmails = values;
    }
    const ct::NotificationRules rules(s);
    QCOMPARE(bool(rules.forWorkflow(workflow(branch), {}, {Transition::Broken, false, false})), shown);
}

void TestNotificationRules::pauseAndStale()
{
    ct::RuleSettings s;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    s.pausedUntil = now.addSecs(3600);
    ct::NotificationRules rules(s);
    QVERIFY(rules.isPaused(now));
    QVERIFY(!rules.forWorkflow(workflow(), {}, {Transition::Broken, false, false}, now));
    QVERIFY(rules.forWorkflow(workflow(), {}, {Transition::Broken, false, false}, now.addSecs(3601)));
    rules.setSettings({});
    QVERIFY(!rules.forWorkflow(workflow(), {}, {Transition::Broken, false, true})); // stale
    QVERIFY(rules.forWorkflow(workflow(), {}, {Transition::Broken, true, false})); // repeat: replaces its popup
}

void TestNotificationRules::jobFailures()
{
    const ct::JobRecord failed {
        u"j1"_s, u"wf-1"_s, u"unit-tests"_s, 7, u"failed"_s, u"failure"_s, u"https://app.circleci.com/x/jobs/7"_s,
        {},      {}};
    ct::NotificationRules rules;
    QVERIFY(!rules.forFailedJob(workflow(), failed)); // off by default
    ct::RuleSettings s;
    s.jobFailures = true;
    rules.setSettings(s);
    const auto n = rules.forFailedJob(workflow(), failed);
    QVERIFY(n);
    QCOMPARE(n->key, u"github/org/api\x1fmain\x1f"_s + u"build-and-test"_s); // its workflow's popup replaces it
    QCOMPARE(n->url, QUrl(u"https://app.circleci.com/x/jobs/7"_s));
    QCOMPARE(n->rerunWorkflowId, u"wf-1"_s);
    ct::JobRecord passed = failed;
    passed.statusClass = u"success"_s;
    QVERIFY(!rules.forFailedJob(workflow(), passed));
}

QTEST_GUILESS_MAIN(TestNotificationRules)
#include "tst_notificationrules.moc"
