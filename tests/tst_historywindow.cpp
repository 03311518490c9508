// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historymodel.h"
#include "app/history/historywindow.h"
#include "app/setup/settings.h"
#include "core/eventparser.h"
#include "historyfixture.h"

#include <QAction>
#include <QComboBox>
#include <QDesktopServices>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;

class TestHistoryWindow final : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void openUrl(const QUrl &url) { m_opened.append(url); }

private Q_SLOTS:
    void initTestCase();
    void largeHistoryLoadsLazily();
    void searchAsYouType();
    void newWorkflowAppearsOnTopAndJobsExpand();
    void enterOpensTheWorkflow();
    void filtersSayWhatTheyShow();
    void projectFilterLearnsNewProjects();
    void keyboardClosesAndSearches();
    void reachesEverythingWithoutATray();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ct::HistoryStore> m_store;
    std::unique_ptr<ct::Settings> m_settings;
    QList<QUrl> m_opened;
};

void TestHistoryWindow::initTestCase()
{
    QDesktopServices::setUrlHandler(u"https"_s, this, "openUrl");
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY(m_store->open(&error));
    m_settings = std::make_unique<ct::Settings>(m_dir.filePath(u"settings.ini"_s));
    QVERIFY(ct::test::fillHistory(*m_store, 100'000));
}

void TestHistoryWindow::largeHistoryLoadsLazily()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ct::HistoryModel *model = window.model();
    QCOMPARE(model->totalCount(), 100'000);
    QVERIFY2(model->rowCount() < 1000, qPrintable(QString::number(model->rowCount()))); // a page, not everything
    QCOMPARE(model->index(0, ct::HistoryModel::Subject).data().toString(), u"Commit 99999"_s); // newest first
    QVERIFY(model->canFetchMore({}));
    const int before = model->rowCount();
    window.view()->scrollToBottom();
    QTRY_VERIFY(model->rowCount() > before); // more as you scroll
    // Sorting is a query too.
    window.view()->sortByColumn(ct::HistoryModel::Pipeline, Qt::AscendingOrder);
    QCOMPARE(model->index(0, ct::HistoryModel::Pipeline).data().toLongLong(), 0);
}

void TestHistoryWindow::searchAsYouType()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::keyClicks(window.searchBox(), u"needle"_s);
    QTRY_COMPARE(window.model()->totalCount(), 1);
    QCOMPARE(window.model()->rowCount(), 1);
    QCOMPARE(window.model()->index(0, ct::HistoryModel::Subject).data().toString(), u"Needle in the haystack"_s);
    window.searchBox()->clear();
    QTRY_COMPARE(window.model()->totalCount(), 100'000);
}

void TestHistoryWindow::newWorkflowAppearsOnTopAndJobsExpand()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    ct::HistoryModel *model = window.model();
    const int rows = model->rowCount();
    ct::EventParser parser;
    const auto job = parser.parse(R"({"type":"job-completed","id":"j-new","happened_at":"2099-01-01T00:00:00Z",
        "webhook":{"id":"w"},"project":{"id":"p","name":"api","slug":"github/org/api"},"organization":{"id":"o"},
        "workflow":{"id":"wf-new","name":"build","url":"https://app.circleci.com/w/new","created_at":"2099-01-01T00:00:00Z"},
        "pipeline":{"id":"pl","number":100001,"vcs":{"branch":"main"}},
        "job":{"id":"job-1","name":"unit-tests","number":3,"status":"failed"}})"_ba);
    QVERIFY2(job.ok(), qPrintable(job.error));
    QVERIFY(m_store->record(job.event).jobChanged);
    window.workflowChanged(u"wf-new"_s);
    QCOMPARE(model->rowCount(), rows + 1);
    const QModelIndex top = model->index(0, 0);
    QCOMPARE(top.data(ct::HistoryModel::WorkflowIdRole).toString(), u"wf-new"_s);
    QCOMPARE(top.data().toString(), u"Running"_s);
    QCOMPARE(model->index(0, ct::HistoryModel::Finished).data().toString(), u"running"_s); // not "just now"
    QCOMPARE(model->rowCount(top), 1);
    QCOMPARE(model->index(0, ct::HistoryModel::Workflow, top).data().toString(), u"unit-tests"_s);
}

void TestHistoryWindow::enterOpensTheWorkflow()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.view()->setFocus();
    window.view()->setCurrentIndex(window.model()->index(0, 0));
    m_opened.clear();
    QTest::keyClick(window.view(), Qt::Key_Return);
    QCOMPARE(m_opened.size(), 1);
    QCOMPARE(m_opened.first(), QUrl(window.model()->index(0, 0).data(ct::HistoryModel::UrlRole).toString()));
}

void TestHistoryWindow::filtersSayWhatTheyShow()
{
    // Issue 15 (3): "14 of 42 workflows" when filtered; a filter that matches nothing says so.
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const qint64 all = m_store->count(ct::HistoryFilter());
    const QLocale locale;
    QCOMPARE(window.countLabel()->text(), u"%1 workflows"_s.arg(locale.toString(all)));
    QVERIFY(!window.emptyLabel()->isVisible());
    window.statusFilter()->setCurrentIndex(window.statusFilter()->findData(u"failure"_s));
    ct::HistoryFilter failed;
    failed.statusClass = u"failure"_s;
    QCOMPARE(window.countLabel()->text(),
             u"%1 of %2 workflows"_s.arg(locale.toString(m_store->count(failed)), locale.toString(all)));
    QTest::keyClicks(window.searchBox(), u"needle"_s); // the needle's workflow passed
    QTRY_COMPARE(window.model()->totalCount(), 0);
    QTRY_VERIFY(window.emptyLabel()->isVisible());
    QCOMPARE(window.emptyLabel()->text(), u"No failed workflows match “needle”."_s);
    QCOMPARE(window.countLabel()->text(), u"0 of %1 workflows"_s.arg(locale.toString(all)));
    window.statusFilter()->setCurrentIndex(0);
    QTRY_COMPARE(window.model()->totalCount(), 1);
    QVERIFY(!window.emptyLabel()->isVisible());
    // Issue 15 (17): a search matching most rows shows its page and "20,000+" at once, then the count.
    window.model()->setFilter(u"main"_s, QString(), QString());
    QCOMPARE(window.countLabel()->text(), u"%1+ of %2 workflows"_s.arg(locale.toString(20000), locale.toString(all)));
    QTRY_COMPARE(window.countLabel()->text(), u"%1 of %1 workflows"_s.arg(locale.toString(all)));
}

void TestHistoryWindow::projectFilterLearnsNewProjects()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.projectFilter()->findData(u"github/org/brand-new"_s), -1);
    ct::EventParser parser;
    const auto e = parser.parse(R"({"type":"workflow-completed","id":"e-brand-new","happened_at":"2026-01-01T00:00:00Z",
        "webhook":{"id":"w"},"project":{"id":"p2","name":"brand-new","slug":"github/org/brand-new"},
        "organization":{"id":"o"},"workflow":{"id":"wf-brand-new","name":"build","status":"success",
        "url":"https://app.circleci.com/w/b","created_at":"2026-01-01T00:00:00Z"},
        "pipeline":{"id":"pl","number":1,"vcs":{"branch":"main"}}})"_ba);
    QVERIFY2(e.ok(), qPrintable(e.error));
    QVERIFY(m_store->record(e.event).workflowChanged);
    window.workflowChanged(u"wf-brand-new"_s); // while the window is open
    const int at = window.projectFilter()->findData(u"github/org/brand-new"_s);
    QVERIFY(at > 0);
    window.projectFilter()->setCurrentIndex(at);
    QCOMPARE(window.model()->totalCount(), 1);
}

void TestHistoryWindow::keyboardClosesAndSearches()
{
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.view()->setFocus();
    QTest::keyClick(window.view(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(window.searchBox()->hasFocus());
    QTest::keyClick(window.searchBox(), Qt::Key_Escape);
    QTRY_VERIFY(!window.isVisible());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::keyClick(window.view(), Qt::Key_W, Qt::ControlModifier);
    QTRY_VERIFY(!window.isVisible());
}

void TestHistoryWindow::reachesEverythingWithoutATray()
{
    // Issue 15 (10): without a system tray (stock GNOME, --windowed) nothing reached Settings,
    // Pause, the guide, Quit or the connection state.
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy settings(&window, &ct::HistoryWindow::settingsRequested);
    QSignalSpy guide(&window, &ct::HistoryWindow::setupGuideRequested);
    QSignalSpy quit(&window, &ct::HistoryWindow::quitRequested);
    window.findChild<QAction *>(u"actionSettings"_s)->trigger();
    window.findChild<QAction *>(u"actionSetupGuide"_s)->trigger();
    window.findChild<QAction *>(u"actionQuit"_s)->trigger();
    QCOMPARE(settings.size(), 1);
    QCOMPARE(guide.size(), 1);
    QCOMPARE(quit.size(), 1);
    QAction *pause = window.findChild<QAction *>(u"actionPause"_s);
    QVERIFY(pause && pause->menu());
    Q_EMIT pause->menu()->aboutToShow();
    QStringList items;
    for (QAction *a : pause->menu()->actions())
        items.append(a->text());
    QCOMPARE(items, QStringList({u"For 1 hour"_s, u"Until tomorrow"_s, u"Resume now"_s}));
    pause->menu()->actions().first()->trigger();
    QVERIFY(m_settings->pausedUntil() > QDateTime::currentDateTimeUtc());
    m_settings->setValue(ct::Settings::Key::PausedUntil, QDateTime());
    window.setConnectionState(false, u"relay relay.example.com — connection lost, since 10:42"_s);
    QCOMPARE(window.connectionLabel()->text(),
             u"○ Disconnected: relay relay.example.com — connection lost, since 10:42"_s);
    window.setConnectionState(true, u"relay relay.example.com"_s);
    QCOMPARE(window.connectionLabel()->text(), u"● Connected: relay relay.example.com"_s);
    QCOMPARE(window.windowTitle(), u"History"_s); // the desktop adds "— CircleTray" once
}

QTEST_MAIN(TestHistoryWindow)
#include "tst_historywindow.moc"
