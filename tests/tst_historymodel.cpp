// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The history model against a real SQLite store while events arrive out of finish order (issue 15,
// 1): the loaded rows must always be the store's first rows in its order, the count the store's
// count, never a row twice or missing — with a page boundary in play, for every sort and filter.
#include "app/history/historymodel.h"
#include "app/history/relativetime.h"
#include "app/history/statustext.h"
#include "core/eventparser.h"
#include "historyfixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

ct::WebhookEvent parsed(const QJsonObject &o)
{
    const auto r = ct::EventParser().parse(QJsonDocument(o).toJson(QJsonDocument::Compact));
    if (!r.ok())
        qFatal("bad test event: %s", qPrintable(r.error));
    return r.event;
}

QJsonObject common(const QString &eventId, const QDateTime &at, const QString &project)
{
    return QJsonObject {
        {u"id"_s, eventId},
        {u"happened_at"_s, iso(at)},
        {u"webhook"_s, QJsonObject {{u"id"_s, u"w"_s}}},
        {u"project"_s,
         QJsonObject {{u"id"_s, u"p"_s}, {u"name"_s, project}, {u"slug"_s, QString(u"github/org/"_s + project)}}},
        {u"organization"_s, QJsonObject {{u"id"_s, u"o"_s}}},
        {u"pipeline"_s,
         QJsonObject {{u"id"_s, u"pl"_s},
                      {u"number"_s, 7},
                      {u"vcs"_s,
                       QJsonObject {{u"branch"_s, u"main"_s},
                                    {u"commit"_s, QJsonObject {{u"subject"_s, QString(u"Late "_s + eventId)}}}}}}},
    };
}

ct::WebhookEvent workflowEvent(const QString &id, const QDateTime &stopped, const QString &project,
                               const QString &status)
{
    QJsonObject o = common(u"ev-"_s + id, stopped, project);
    o.insert(u"type"_s, u"workflow-completed"_s);
    o.insert(u"workflow"_s,
             QJsonObject {{u"id"_s, id},
                          {u"name"_s, u"build"_s},
                          {u"status"_s, status},
                          {u"url"_s, QString(u"https://app.circleci.com/w/"_s + id)},
                          {u"created_at"_s, iso(stopped.addSecs(-90))},
                          {u"stopped_at"_s, iso(stopped)}});
    return parsed(o);
}

ct::WebhookEvent jobEvent(const QString &workflowId, const QDateTime &stopped, const QString &project)
{
    QJsonObject o = common(u"ev-job-"_s + workflowId, stopped, project);
    o.insert(u"type"_s, u"job-completed"_s);
    o.insert(u"workflow"_s,
             QJsonObject {{u"id"_s, workflowId},
                          {u"name"_s, u"build"_s},
                          {u"url"_s, QString(u"https://app.circleci.com/w/"_s + workflowId)}});
    o.insert(u"job"_s,
             QJsonObject {{u"id"_s, QString(u"job-"_s + workflowId)},
                          {u"name"_s, u"unit"_s},
                          {u"number"_s, 1},
                          {u"status"_s, u"failed"_s},
                          {u"stopped_at"_s, iso(stopped)}});
    return parsed(o);
}

QStringList ids(const QList<ct::WorkflowRecord> &rows)
{
    QStringList out;
    for (const auto &w : rows)
        out.append(w.workflowId);
    return out;
}

} // namespace

class TestHistoryModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outOfOrderEventsKeepRowsRight_data();
    void outOfOrderEventsKeepRowsRight();
    void equalValuesKeepNewestFirst();
    void denseSearchCountsInTheBackground_data();
    void denseSearchCountsInTheBackground();
    void oneDurationFormat_data();
    void oneDurationFormat();
    void readableStatuses_data();
    void readableStatuses();

private:
    QTemporaryDir m_bigDir;
    std::unique_ptr<ct::HistoryStore> m_big;
};

void TestHistoryModel::outOfOrderEventsKeepRowsRight_data()
{
    QTest::addColumn<int>("sortColumn");
    QTest::addColumn<int>("order");
    QTest::addColumn<QString>("statusClass");
    QTest::addColumn<QString>("text");
    const int finished = int(ct::HistoryModel::Finished), project = int(ct::HistoryModel::Project),
              status = int(ct::HistoryModel::Status);
    QTest::newRow("newest first") << finished << int(Qt::DescendingOrder) << QString() << QString();
    QTest::newRow("oldest first") << finished << int(Qt::AscendingOrder) << QString() << QString();
    QTest::newRow("by project") << project << int(Qt::AscendingOrder) << QString() << QString();
    QTest::newRow("by status, descending") << status << int(Qt::DescendingOrder) << QString() << QString();
    QTest::newRow("failed only") << finished << int(Qt::DescendingOrder) << u"failure"_s << QString();
    QTest::newRow("running only") << finished << int(Qt::DescendingOrder) << u"running"_s << QString();
    QTest::newRow("search") << finished << int(Qt::DescendingOrder) << QString() << u"late"_s;
}

void TestHistoryModel::outOfOrderEventsKeepRowsRight()
{
    QFETCH(int, sortColumn);
    QFETCH(int, order);
    QFETCH(QString, statusClass);
    QFETCH(QString, text);
    QTemporaryDir dir;
    ct::HistoryStore store(dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    QVERIFY(ct::test::fillHistory(store, 450)); // one a minute up to now: more than two pages
    ct::HistoryModel model(&store);
    model.sort(sortColumn, Qt::SortOrder(order));
    model.setFilter(text, statusClass, QString());
    ct::HistoryFilter filter;
    filter.text = text;
    filter.statusClass = statusClass;
    filter.sortColumn = ct::HistoryFilter::Column(sortColumn);
    filter.order = Qt::SortOrder(order);

    // 60 workflows finishing all over the history's time range, arriving in random order; a third
    // announced by a job result first (running), their workflow result later; a few results twice.
    auto *rng = QRandomGenerator::global();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<ct::WebhookEvent> events;
    for (int i = 0; i < 60; ++i) {
        const QString id = u"late-%1"_s.arg(i);
        const QDateTime stopped = now.addSecs(-qint64(rng->bounded(460)) * 60 - 30);
        const QString project = i % 3 == 0 ? u"api"_s : (i % 3 == 1 ? u"web"_s : u"zeta"_s);
        if (i % 3 == 0)
            events.append(jobEvent(id, stopped.addSecs(-20), project));
        events.append(workflowEvent(id, stopped, project, i % 2 ? u"failed"_s : u"success"_s));
    }
    // Shuffle, but keep each job result before its own workflow result half of the time.
    for (qsizetype i = events.size() - 1; i > 0; --i)
        events.swapItemsAt(i, rng->bounded(int(i + 1)));
    events.append(events.mid(0, 5)); // deliveries repeated

    for (const ct::WebhookEvent &e : std::as_const(events)) {
        const ct::RecordOutcome outcome = store.record(e);
        if (outcome.workflowChanged || outcome.jobChanged)
            model.workflowChanged(e.workflow->id);
        // Between events, the loaded rows are the store's first rows, in its order.
        const QList<ct::WorkflowRecord> expected = store.page(filter, 0, model.rowCount());
        QCOMPARE(model.rowCount(), expected.size());
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.index(r, 0).data(ct::HistoryModel::WorkflowIdRole).toString(), expected[r].workflowId);
    }
    QTRY_COMPARE(model.totalCount(), store.count(filter)); // the count equals the rows
    while (model.canFetchMore({}))
        model.fetchMore({});
    QStringList shown;
    for (int r = 0; r < model.rowCount(); ++r)
        shown.append(model.index(r, 0).data(ct::HistoryModel::WorkflowIdRole).toString());
    QCOMPARE(QSet<QString>(shown.cbegin(), shown.cend()).size(), shown.size()); // none twice
    QCOMPARE(shown, ids(store.page(filter, 0, 100'000))); // none missing, all in place
    QCOMPARE(qint64(shown.size()), model.totalCount());
}

void TestHistoryModel::equalValuesKeepNewestFirst()
{
    // Sorting by a column keeps the newest first among rows with the same value, either direction.
    QTemporaryDir dir;
    ct::HistoryStore store(dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY(store.open(&error));
    QVERIFY(ct::test::fillHistory(store, 50)); // all "main", project api or web
    ct::HistoryModel model(&store);
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        model.sort(ct::HistoryModel::Branch, order); // every row has the same branch
        // "Commit 49" is the newest: first whichever way the (equal) branches are sorted.
        QCOMPARE(model.index(0, ct::HistoryModel::Subject).data().toString(), u"Commit 49"_s);
        QCOMPARE(model.index(1, ct::HistoryModel::Subject).data().toString(), u"Commit 48"_s);
    }
}

void TestHistoryModel::denseSearchCountsInTheBackground_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("status");
    QTest::addColumn<qint64>("expected");
    // 50,000 workflows (tests/historyfixture.h): every one on "main", every 5th failed, every 7th "web".
    QTest::newRow("trigram index, every row") << u"main"_s << QString() << qint64(50000);
    QTest::newRow("short text (LIKE), every row") << u"ma"_s << QString() << qint64(50000);
    QTest::newRow("text and status") << u"main"_s << u"success"_s << qint64(40000);
    QTest::newRow("under the limit: exact at once") << u"commit 1"_s << QString() << qint64(11111);
    QTest::newRow("status only, under the limit") << QString() << u"failure"_s << qint64(10000);
}

void TestHistoryModel::denseSearchCountsInTheBackground()
{
    // Issue 15 (17): a search that matches most of a big history paints its first page at once; the
    // count says "20,000+" until a worker thread has counted exactly — never a wrong final number.
    QFETCH(QString, text);
    QFETCH(QString, status);
    QFETCH(qint64, expected);
    if (!m_big) { // one store for every row: filling it is the slow part
        m_big = std::make_unique<ct::HistoryStore>(m_bigDir.filePath(u"big.sqlite"_s));
        QString error;
        QVERIFY2(m_big->open(&error), qPrintable(error));
        QVERIFY(ct::test::fillHistory(*m_big, 50000));
    }
    ct::HistoryStore &store = *m_big;
    ct::HistoryModel model(&store);
    QSignalSpy counts(&model, &ct::HistoryModel::totalCountChanged);
    model.setFilter(text, status, QString());
    QCOMPARE(model.rowCount(), 200); // the first page, whatever the count
    if (expected <= ct::HistoryModel::exactCountLimit) {
        QVERIFY(model.totalIsExact());
        QCOMPARE(model.totalCount(), expected);
    } else {
        QVERIFY(!model.totalIsExact());
        QCOMPARE(model.totalCount(), ct::HistoryModel::exactCountLimit + 1); // a lower bound
        QTRY_VERIFY(model.totalIsExact());
        QCOMPARE(model.totalCount(), expected);
        QCOMPARE(counts.last().first().toLongLong(), expected);
    }
    // A count still running when the filter changes is thrown away, not shown for the new one.
    model.setFilter(u"main"_s, QString(), QString());
    model.setFilter(text, status, QString());
    QTRY_VERIFY(model.totalIsExact());
    QTest::qWait(300);
    QCOMPARE(model.totalCount(), expected);
    // Paging on keeps the count; to the end (where that is quick) it agrees with the rows.
    model.fetchMore({});
    QCOMPARE(model.rowCount(), 400);
    QCOMPARE(model.totalCount(), expected);
    if (expected <= ct::HistoryModel::exactCountLimit) {
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), int(expected));
    }
    ct::HistoryFilter filter;
    filter.text = text;
    filter.statusClass = status;
    QCOMPARE(store.count(filter), expected);
}

void TestHistoryModel::oneDurationFormat_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("seconds") << qint64(45) << u"45 s"_s;
    QTest::newRow("minutes") << qint64(611) << u"10 min 11 s"_s; // was "10:11" in the window, this in popups
    QTest::newRow("hours") << qint64(7500) << u"2 h 5 min"_s;
    QTest::newRow("unknown") << qint64(-1) << QString();
}

void TestHistoryModel::oneDurationFormat()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(ct::durationText(seconds), text);
}

void TestHistoryModel::readableStatuses_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("shown");
    QTest::newRow("running") << QString() << u"Running"_s;
    QTest::newRow("success") << u"success"_s << u"Passed"_s;
    QTest::newRow("not_run") << u"not_run"_s << u"Not run"_s;
    QTest::newRow("on_hold") << u"on_hold"_s << u"On hold"_s;
    QTest::newRow("unauthorized") << u"unauthorized"_s << u"Not authorized"_s;
    QTest::newRow("infrastructure_fail") << u"infrastructure_fail"_s << u"Infrastructure failure"_s;
    QTest::newRow("terminated-unknown") << u"terminated-unknown"_s << u"Terminated"_s;
    QTest::newRow("something new") << u"brand_new-state"_s << u"Brand new state"_s;
}

void TestHistoryModel::readableStatuses()
{
    QFETCH(QString, raw);
    QFETCH(QString, shown);
    QCOMPARE(ct::readableStatus(raw), shown);
}

QTEST_MAIN(TestHistoryModel)
#include "tst_historymodel.moc"
