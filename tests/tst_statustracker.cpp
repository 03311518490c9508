// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/eventparser.h"
#include "core/statustracker.h"
#include "fixtures.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using ct::StatusClass;
using ct::Transition;

namespace {

StatusClass cls(QChar c)
{
    switch (c.unicode()) {
    case 's':
        return StatusClass::Success;
    case 'f':
        return StatusClass::Failure;
    case 'c':
        return StatusClass::Canceled;
    default:
        return StatusClass::Unknown;
    }
}

} // namespace

class TestStatusTracker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sequences_data();
    void sequences();
    void keysAreIndependent();
    void repeatedWorkflowId();
    void staleRunDoesNotMoveState();
    void fromParsedEvents();
    void saveAndRestore();
    void restoreRejectsGarbage_data();
    void restoreRejectsGarbage();
};

void TestStatusTracker::sequences_data()
{
    // Results for one key, oldest first (s success, f failure, c canceled, u unknown), and the
    // transition reported for each.
    QTest::addColumn<QString>("results");
    QTest::addColumn<QStringList>("expected");
    // clang-format off
    QTest::newRow("first success")           << u"s"_s     << QStringList { u"passed"_s };
    QTest::newRow("first failure")           << u"f"_s     << QStringList { u"broken"_s };
    QTest::newRow("first canceled")          << u"c"_s     << QStringList { u"canceled"_s };
    QTest::newRow("first unknown")           << u"u"_s     << QStringList { u"unknown"_s };
    QTest::newRow("break")                   << u"sf"_s    << QStringList { u"passed"_s, u"broken"_s };
    QTest::newRow("fix")                     << u"fs"_s    << QStringList { u"broken"_s, u"fixed"_s };
    QTest::newRow("still failing")           << u"fff"_s   << QStringList { u"broken"_s, u"still-failing"_s, u"still-failing"_s };
    QTest::newRow("passing streak")          << u"sss"_s   << QStringList { u"passed"_s, u"passed"_s, u"passed"_s };
    QTest::newRow("cancel keeps failure")    << u"fcs"_s   << QStringList { u"broken"_s, u"canceled"_s, u"fixed"_s };
    QTest::newRow("cancel keeps success")    << u"scf"_s   << QStringList { u"passed"_s, u"canceled"_s, u"broken"_s };
    QTest::newRow("unknown is transparent")  << u"fuf"_s   << QStringList { u"broken"_s, u"unknown"_s, u"still-failing"_s };
    QTest::newRow("flaky")                   << u"sfsfs"_s << QStringList { u"passed"_s, u"broken"_s, u"fixed"_s, u"broken"_s, u"fixed"_s };
    // clang-format on
}

void TestStatusTracker::sequences()
{
    QFETCH(QString, results);
    QFETCH(QStringList, expected);
    ct::StatusTracker tracker;
    const ct::TrackerKey key {u"github/org/repo"_s, u"main"_s, u"build"_s};
    QStringList got;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const ct::TrackerUpdate u = tracker.record(key, u"wf-%1"_s.arg(i), cls(results[i]));
        QVERIFY(!u.repeat && !u.stale);
        got.append(QString::fromLatin1(ct::transitionName(u.transition)));
    }
    QCOMPARE(got, expected);
}

void TestStatusTracker::keysAreIndependent()
{
    ct::StatusTracker tracker;
    const ct::TrackerKey main {u"github/org/repo"_s, u"main"_s, u"build"_s};
    const ct::TrackerKey feature {u"github/org/repo"_s, u"feature/x"_s, u"build"_s};
    const ct::TrackerKey deploy {u"github/org/repo"_s, u"main"_s, u"deploy"_s};
    const ct::TrackerKey tag {u"github/org/repo"_s, u"tag:v1"_s, u"build"_s};
    const ct::TrackerKey other {u"github/org/other"_s, u"main"_s, u"build"_s};
    QCOMPARE(tracker.record(main, u"1"_s, StatusClass::Failure).transition, Transition::Broken);
    QCOMPARE(tracker.record(feature, u"2"_s, StatusClass::Success).transition, Transition::Passed);
    QCOMPARE(tracker.record(deploy, u"3"_s, StatusClass::Success).transition, Transition::Passed);
    QCOMPARE(tracker.record(tag, u"4"_s, StatusClass::Failure).transition, Transition::Broken);
    QCOMPARE(tracker.record(other, u"5"_s, StatusClass::Failure).transition, Transition::Broken);
    QCOMPARE(tracker.record(main, u"6"_s, StatusClass::Success).transition, Transition::Fixed);
    QCOMPARE(tracker.size(), 5);
}

void TestStatusTracker::repeatedWorkflowId()
{
    // A cancel with N jobs sends N+1 workflow-completed events for one run; the incident of
    // 2025-12 sent duplicates. Each is judged like the first, and flagged as a repeat.
    ct::StatusTracker tracker;
    const ct::TrackerKey key {u"github/org/repo"_s, u"main"_s, u"build"_s};
    QCOMPARE(tracker.record(key, u"A"_s, StatusClass::Success).transition, Transition::Passed);
    ct::TrackerUpdate first = tracker.record(key, u"B"_s, StatusClass::Failure);
    QCOMPARE(first.transition, Transition::Broken);
    QVERIFY(!first.repeat);
    ct::TrackerUpdate again = tracker.record(key, u"B"_s, StatusClass::Failure);
    QCOMPARE(again.transition, Transition::Broken); // not "still failing"
    QVERIFY(again.repeat);
    // canceled → success flip of the same run: it now counts as a success.
    QCOMPARE(tracker.record(key, u"C"_s, StatusClass::Canceled).transition, Transition::Canceled);
    const ct::TrackerUpdate flip = tracker.record(key, u"C"_s, StatusClass::Success);
    QVERIFY(flip.repeat);
    QCOMPARE(flip.transition, Transition::Fixed);
    QCOMPARE(tracker.lastDecisive(key), StatusClass::Success);
    QCOMPARE(tracker.record(key, u"D"_s, StatusClass::Success).transition, Transition::Passed);
}

void TestStatusTracker::staleRunDoesNotMoveState()
{
    ct::StatusTracker tracker;
    const ct::TrackerKey key {u"github/org/repo"_s, u"main"_s, u"build"_s};
    const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    QCOMPARE(tracker.record(key, u"new"_s, StatusClass::Success, t0.addSecs(60)).transition, Transition::Passed);
    const ct::TrackerUpdate late = tracker.record(key, u"old"_s, StatusClass::Failure, t0);
    QVERIFY(late.stale);
    QCOMPARE(tracker.lastDecisive(key), StatusClass::Success);
    QCOMPARE(tracker.record(key, u"newer"_s, StatusClass::Success, t0.addSecs(120)).transition, Transition::Passed);
}

void TestStatusTracker::fromParsedEvents()
{
    auto load = [](const char *name) {
        ct::EventParser parser;
        return parser.parse(ct::test::fixture(QString::fromLatin1(name))).event;
    };
    ct::StatusTracker tracker;
    QVERIFY(!tracker.record(load("gitlab-job-completed.json"))); // jobs are not tracked
    QVERIFY(!tracker.record(load("ping.json")));
    const ct::WebhookEvent tagBuild = load("github-tag-build-nulls.json");
    QCOMPARE(ct::TrackerKey::fromEvent(tagBuild).ref, QString());
    QCOMPARE(tracker.record(tagBuild)->transition, Transition::Broken);
    ct::WebhookEvent success = load("github-oauth-success.json");
    QCOMPARE(ct::TrackerKey::fromEvent(success).toString(),
             u"github/example-org/tray-notifier\nmain\nbuild-and-test"_s);
    QCOMPARE(tracker.record(success)->transition, Transition::Passed);
    ct::WebhookEvent failed = load("github-oauth-success.json");
    failed.workflow->id = u"another-run"_s;
    failed.workflow->statusClass = StatusClass::Failure;
    failed.workflow->createdAt = failed.workflow->createdAt.addSecs(600);
    QCOMPARE(tracker.record(failed)->transition, Transition::Broken);
    ct::WebhookEvent tag = load("github-oauth-success.json");
    tag.pipeline->branch.reset();
    tag.pipeline->tag = u"v1.2.0"_s;
    QCOMPARE(ct::TrackerKey::fromEvent(tag).ref, u"tag:v1.2.0"_s);
}

void TestStatusTracker::saveAndRestore()
{
    ct::StatusTracker tracker;
    const ct::TrackerKey a {u"github/org/repo"_s, u"main"_s, u"build"_s};
    const ct::TrackerKey b {u"gitlab/grp/ü"_s, u"tag:v1"_s, u"deploy ✓"_s};
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
    tracker.record(a, u"1"_s, StatusClass::Failure, t);
    tracker.record(b, u"2"_s, StatusClass::Success);
    tracker.record(b, u"3"_s, StatusClass::Canceled);

    ct::StatusTracker restored;
    QVERIFY(restored.restoreState(tracker.saveState()));
    QCOMPARE(restored.size(), 2);
    QCOMPARE(restored.saveState().size(), tracker.saveState().size());
    QCOMPARE(restored.record(a, u"4"_s, StatusClass::Failure).transition, Transition::StillFailing);
    QCOMPARE(restored.record(b, u"5"_s, StatusClass::Failure).transition, Transition::Broken);
    // The last run id and creation time survive too: a repeat and a stale run are still recognised.
    ct::StatusTracker again;
    QVERIFY(again.restoreState(tracker.saveState()));
    QVERIFY(again.record(a, u"1"_s, StatusClass::Failure, t).repeat);
    QVERIFY(again.record(a, u"0"_s, StatusClass::Success, t.addSecs(-5)).stale);
}

void TestStatusTracker::restoreRejectsGarbage_data()
{
    QTest::addColumn<QByteArray>("state");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << "hello"_ba;
    QTest::newRow("wrong version") << R"({"version":2,"entries":[]})"_ba;
    QTest::newRow("bad status")
        << R"({"version":1,"entries":[{"project":"p","ref":"r","workflow":"w","status":"maybe"}]})"_ba;
    QTest::newRow("missing key part") << R"({"version":1,"entries":[{"project":"p","workflow":"w"}]})"_ba;
}

void TestStatusTracker::restoreRejectsGarbage()
{
    QFETCH(QByteArray, state);
    ct::StatusTracker tracker;
    const ct::TrackerKey key {u"p"_s, u"r"_s, u"w"_s};
    tracker.record(key, u"1"_s, StatusClass::Failure);
    QVERIFY(!tracker.restoreState(state));
    QCOMPARE(tracker.size(), 1); // unchanged
    QCOMPARE(tracker.lastDecisive(key), StatusClass::Failure);
}

QTEST_GUILESS_MAIN(TestStatusTracker)
#include "tst_statustracker.moc"
