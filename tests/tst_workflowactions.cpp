// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Rerun and cancel (issue 11): ct::WorkflowActions against the project's CircleCI API stand-in, the
// web URL of a new workflow, and the history window's context menu (which items apply to which row,
// and a double trigger that sends one request).
#include "app/history/historymodel.h"
#include "app/history/historystore.h"
#include "app/history/historywindow.h"
#include "app/setup/settings.h"
#include "app/workflowurl.h"
#include "circlecistandin.h"
#include "core/circleci/circleciclient.h"
#include "core/circleci/workflowactions.h"
#include "core/eventparser.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

Q_DECLARE_METATYPE(ct::ApiError)

namespace {
// In fixture-default.json: gh/acme/web-ui #58 "ci" failed; gh/acme/api #105 running, #103 canceled,
// #102 success.
const QString failedWorkflow = u"246e05f1-3277-52c6-a174-36f0e8e3f082"_s;
const QString runningWorkflow = u"fe2f652c-1b35-5a7d-a225-d2c234c775df"_s;
const QString canceledWorkflow = u"6c12d17b-d76e-5bf4-8ff9-365e9b0dd48f"_s;
const QString passedWorkflow = u"557d5cda-7306-5188-8996-1cfa4cd5a027"_s;

QByteArray workflowEvent(const QString &id, const QString &status)
{
    // No status: a job result only, the workflow still runs.
    const QString type = status.isEmpty() ? u"job-completed"_s : u"workflow-completed"_s;
    const QString statusField = status.isEmpty() ? QString() : u",\"status\":\"%1\""_s.arg(status);
    const QString job = status.isEmpty()
        ? u",\"job\":{\"id\":\"job-%1\",\"name\":\"unit\",\"number\":3,\"status\":\"success\"}"_s.arg(id)
        : QString();
    return (u"{\"type\":\"%1\",\"id\":\"e-%2\",\"happened_at\":\"2026-03-16T08:00:00Z\",\"webhook\":{\"id\":\"w\"},"
            "\"project\":{\"id\":\"p\",\"name\":\"api\",\"slug\":\"github/acme/api\"},\"organization\":{\"id\":\"o\"},"
            "\"workflow\":{\"id\":\"%2\",\"name\":\"build-and-test\"%3,\"url\":\"https://app.circleci.com/w/%2\","
            "\"created_at\":\"2026-03-16T07:50:00Z\"},\"pipeline\":{\"id\":\"pl-%2\",\"number\":5,"
            "\"vcs\":{\"branch\":\"main\"}}%4}"_s)
        .arg(type, id, statusField, job)
        .toUtf8();
}

QAction *actionNamed(QMenu *menu, const QString &text)
{
    for (QAction *a : menu->actions()) {
        if (a->text() == text)
            return a;
    }
    return nullptr;
}

} // namespace

class TestWorkflowActions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void rerunStartsANewWorkflow_data();
    void rerunStartsANewWorkflow();
    void secondRequestWhileInFlightIsIgnored();
    void failuresSayWhatToDo_data();
    void failuresSayWhatToDo();
    void cancelStopsARunningWorkflow();
    void webUrl_data();
    void webUrl();
    void historyMenuOffersWhatApplies_data();
    void historyMenuOffersWhatApplies();
    void historyMenuDoubleTriggerSendsOneRequest();

private:
    QJsonArray posts();
    void setUpClient(ct::CircleCiClient &client, const QString &token = u"tok-alice"_s);

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
    std::unique_ptr<ct::HistoryStore> m_store;
    std::unique_ptr<ct::Settings> m_settings;
};

void TestWorkflowActions::initTestCase()
{
    qRegisterMetaType<ct::ApiError>();
    QVERIFY2(m_api.start(), "the stand-in did not start (python3 missing?)");
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY2(m_store->open(&error), qPrintable(error));
    m_settings = std::make_unique<ct::Settings>(m_dir.filePath(u"settings.ini"_s));
    ct::EventParser parser;
    for (const auto &[id, status] :
         {std::pair {failedWorkflow, u"failed"_s}, std::pair {passedWorkflow, u"success"_s},
          std::pair {canceledWorkflow, u"canceled"_s}, std::pair {runningWorkflow, QString()}}) {
        const auto parsed = parser.parse(workflowEvent(id, status));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        QVERIFY(!m_store->record(parsed.event).failed);
    }
}

void TestWorkflowActions::init()
{
    m_api.reset();
}

void TestWorkflowActions::setUpClient(ct::CircleCiClient &client, const QString &token)
{
    client.setHost(QUrl(m_api.host()));
    client.setToken(token.toUtf8());
    client.setRetryBudget(2, std::chrono::seconds(5));
}

QJsonArray TestWorkflowActions::posts()
{
    QJsonArray out;
    for (const QJsonValue &v : m_api.requests()) {
        if (v[u"method"_s].toString() == u"POST"_s)
            out.append(v);
    }
    return out;
}

void TestWorkflowActions::rerunStartsANewWorkflow_data()
{
    QTest::addColumn<bool>("fromFailed");
    QTest::addColumn<QJsonObject>("body");
    QTest::newRow("from failed") << true << QJsonObject {{u"from_failed"_s, true}};
    QTest::newRow("whole workflow") << false << QJsonObject();
}

void TestWorkflowActions::rerunStartsANewWorkflow()
{
    QFETCH(bool, fromFailed);
    QFETCH(QJsonObject, body);
    ct::CircleCiClient client;
    setUpClient(client);
    ct::WorkflowActions actions(&client);
    QSignalSpy started(&actions, &ct::WorkflowActions::rerunStarted);
    QSignalSpy failed(&actions, &ct::WorkflowActions::failed);
    QVERIFY(actions.rerun(failedWorkflow, fromFailed));
    QVERIFY(actions.isBusy(failedWorkflow));
    QVERIFY(started.wait(10000));
    QCOMPARE(failed.size(), 0);
    QVERIFY(!actions.isBusy(failedWorkflow));
    QCOMPARE(started.first().at(0).toString(), failedWorkflow);
    const QString newId = started.first().at(1).toString();
    QVERIFY(!newId.isEmpty() && newId != failedWorkflow);
    const QJsonArray log = posts();
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.first()[u"path"_s].toString(), u"/api/v2/workflow/%1/rerun"_s.arg(failedWorkflow));
    QCOMPARE(QJsonDocument::fromJson(log.first()[u"body"_s].toString().toUtf8()).object(), body);
}

void TestWorkflowActions::secondRequestWhileInFlightIsIgnored()
{
    ct::CircleCiClient client;
    setUpClient(client);
    ct::WorkflowActions actions(&client);
    QSignalSpy started(&actions, &ct::WorkflowActions::rerunStarted);
    m_api.addFault({{u"method"_s, u"POST"_s}, {u"path"_s, u"/api/v2/workflow/*"_s}, {u"delay"_s, 0.5}});
    QVERIFY(actions.rerun(failedWorkflow, true));
    QVERIFY(!actions.rerun(failedWorkflow, true)); // the double click
    QVERIFY(!actions.cancel(failedWorkflow));
    QVERIFY(actions.rerun(passedWorkflow, false)); // another workflow is another request
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, 10000);
    QCOMPARE(posts().size(), 2);
    // Done: the next click is a new request.
    QVERIFY(actions.rerun(failedWorkflow, true));
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 3, 10000);
}

void TestWorkflowActions::failuresSayWhatToDo_data()
{
    QTest::addColumn<QString>("workflow");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QJsonObject>("fault");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("reason");
    const QJsonObject none;
    const QJsonObject forbidden {{u"method"_s, u"POST"_s}, {u"path"_s, u"/api/v2/workflow/*"_s}, {u"status"_s, 403}};
    // clang-format off
    QTest::newRow("not finished")   << runningWorkflow << u"tok-alice"_s << none << int(ct::ApiError::Kind::BadRequest) << u"the workflow has not finished yet"_s;
    QTest::newRow("unknown")        << u"00000000-0000-4000-8000-000000000000"_s << u"tok-alice"_s << none << int(ct::ApiError::Kind::NotFound) << u"not found on CircleCI, or older than 90 days, or this token's user cannot see it"_s;
    QTest::newRow("not allowed")    << failedWorkflow << u"tok-alice"_s << forbidden << int(ct::ApiError::Kind::NotAllowed) << u"not allowed: the token's user cannot run this project's workflows"_s;
    QTest::newRow("token rejected") << failedWorkflow << u"tok-revoked"_s << none << int(ct::ApiError::Kind::TokenRejected) << u"CircleCI token rejected (401)"_s;
    // clang-format on
}

void TestWorkflowActions::failuresSayWhatToDo()
{
    QFETCH(QString, workflow);
    QFETCH(QString, token);
    QFETCH(QJsonObject, fault);
    QFETCH(int, kind);
    QFETCH(QString, reason);
    if (!fault.isEmpty())
        m_api.addFault(fault);
    ct::CircleCiClient client;
    setUpClient(client, token);
    ct::WorkflowActions actions(&client);
    QSignalSpy failed(&actions, &ct::WorkflowActions::failed);
    QSignalSpy started(&actions, &ct::WorkflowActions::rerunStarted);
    QVERIFY(actions.rerun(workflow, true));
    QVERIFY(failed.wait(10000));
    QCOMPARE(started.size(), 0);
    QCOMPARE(failed.first().at(0).toString(), workflow);
    QCOMPARE(int(failed.first().at(1).value<ct::ApiError>().kind), kind);
    QVERIFY2(failed.first().at(2).toString().startsWith(reason), qPrintable(failed.first().at(2).toString()));
    QVERIFY(!actions.isBusy(workflow));
}

void TestWorkflowActions::cancelStopsARunningWorkflow()
{
    ct::CircleCiClient client;
    setUpClient(client);
    ct::WorkflowActions actions(&client);
    QSignalSpy canceled(&actions, &ct::WorkflowActions::canceled);
    QVERIFY(actions.cancel(runningWorkflow));
    QVERIFY(canceled.wait(10000));
    QCOMPARE(canceled.first().at(0).toString(), runningWorkflow);
    QCOMPARE(posts().first()[u"path"_s].toString(), u"/api/v2/workflow/%1/cancel"_s.arg(runningWorkflow));
    bool found = false;
    for (const QJsonValue &w : m_api.control("GET", u"workflows"_s).array()) {
        if (w[u"id"_s].toString() == runningWorkflow) {
            QCOMPARE(w[u"status"_s].toString(), u"canceled"_s);
            found = true;
        }
    }
    QVERIFY(found);
}

void TestWorkflowActions::webUrl_data()
{
    QTest::addColumn<QString>("apiHost");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("opens"); // passes the app's link check (cloud only)
    const QString id = u"5ae1ee8a-0000-4000-8000-000000000001"_s;
    // clang-format off
    QTest::newRow("circleci.com")     << u"https://circleci.com"_s << u"https://app.circleci.com/pipelines/workflows/"_s + id << true;
    QTest::newRow("the stand-in")     << m_api.host() << u"https://app.circleci.com/pipelines/workflows/"_s + id << true;
    QTest::newRow("a server")         << u"https://ci.example.com"_s << u"https://app.ci.example.com/pipelines/workflows/"_s + id << false;
    QTest::newRow("a server's app.")  << u"https://app.ci.example.com"_s << u"https://app.ci.example.com/pipelines/workflows/"_s + id << false;
    // clang-format on
}

void TestWorkflowActions::webUrl()
{
    QFETCH(QString, apiHost);
    QFETCH(QString, url);
    QFETCH(bool, opens);
    const QUrl made = ct::WorkflowActions::webUrl(QUrl(apiHost), u"5ae1ee8a-0000-4000-8000-000000000001"_s);
    QCOMPARE(made.toString(), url);
    QCOMPARE(ct::isCircleCiWorkflowUrl(made), opens);
    QVERIFY(ct::WorkflowActions::webUrl(QUrl(apiHost), QString()).isEmpty());
}

void TestWorkflowActions::historyMenuOffersWhatApplies_data()
{
    QTest::addColumn<QString>("workflow");
    QTest::addColumn<bool>("token");
    QTest::addColumn<bool>("rerunFailed");
    QTest::addColumn<bool>("rerunAll");
    QTest::addColumn<bool>("cancel");
    // clang-format off
    QTest::newRow("failed")               << failedWorkflow   << true  << true  << true  << false;
    QTest::newRow("success")              << passedWorkflow   << true  << false << true  << false;
    QTest::newRow("running")              << runningWorkflow  << true  << false << false << true;
    QTest::newRow("canceled")             << canceledWorkflow << true  << false << true  << false;
    QTest::newRow("failed, no token")     << failedWorkflow   << false << false << false << false;
    QTest::newRow("running, no token")    << runningWorkflow  << false << false << false << false;
    // clang-format on
}

void TestWorkflowActions::historyMenuOffersWhatApplies()
{
    QFETCH(QString, workflow);
    QFETCH(bool, token);
    QFETCH(bool, rerunFailed);
    QFETCH(bool, rerunAll);
    QFETCH(bool, cancel);
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.setWorkflowActionsAvailable(token);
    ct::HistoryModel *model = window.model();
    QModelIndex row;
    for (int i = 0; i < model->rowCount(); ++i) {
        if (model->index(i, 0).data(ct::HistoryModel::WorkflowIdRole).toString() == workflow)
            row = model->index(i, ct::HistoryModel::Subject);
    }
    QVERIFY(row.isValid());
    std::unique_ptr<QMenu> menu(window.contextMenuFor(row, nullptr));
    for (const auto &[text, enabled] : {std::pair {u"Rerun failed jobs"_s, rerunFailed},
                                        std::pair {u"Rerun workflow"_s, rerunAll}, std::pair {u"Cancel"_s, cancel}}) {
        QAction *a = actionNamed(menu.get(), text);
        QVERIFY2(a, qPrintable(text));
        QVERIFY2(a->isEnabled() == enabled, qPrintable(text));
        QCOMPARE(a->toolTip().contains(u"CircleCI token"_s), !token);
    }
    const bool said = std::any_of(menu->actions().cbegin(), menu->actions().cend(), [](QAction *a) {
        return !a->isEnabled() && a->text().contains(u"Settings → CircleCI account"_s);
    });
    QCOMPARE(said, !token);
    // A job row's menu acts on its workflow.
    const QModelIndex first = model->index(row.row(), 0);
    if (model->canFetchMore(first))
        model->fetchMore(first);
    if (model->rowCount(first) > 0) {
        std::unique_ptr<QMenu> jobMenu(window.contextMenuFor(model->index(0, 0, first), nullptr));
        QCOMPARE(actionNamed(jobMenu.get(), u"Cancel"_s)->isEnabled(), cancel);
        QCOMPARE(actionNamed(jobMenu.get(), u"Rerun workflow"_s)->isEnabled(), rerunAll);
    }
}

void TestWorkflowActions::historyMenuDoubleTriggerSendsOneRequest()
{
    ct::CircleCiClient client;
    setUpClient(client);
    ct::WorkflowActions actions(&client);
    ct::HistoryWindow window(m_store.get(), m_settings.get());
    window.setWorkflowActionsAvailable(true);
    QObject::connect(&window, &ct::HistoryWindow::rerunRequested, &actions, &ct::WorkflowActions::rerun);
    QSignalSpy requested(&window, &ct::HistoryWindow::rerunRequested);
    QSignalSpy started(&actions, &ct::WorkflowActions::rerunStarted);
    ct::HistoryModel *model = window.model();
    QModelIndex row;
    for (int i = 0; i < model->rowCount(); ++i) {
        if (model->index(i, 0).data(ct::HistoryModel::WorkflowIdRole).toString() == failedWorkflow)
            row = model->index(i, 0);
    }
    QVERIFY(row.isValid());
    std::unique_ptr<QMenu> menu(window.contextMenuFor(row, nullptr));
    QAction *rerun = actionNamed(menu.get(), u"Rerun failed jobs"_s);
    QVERIFY(rerun);
    rerun->trigger();
    rerun->trigger();
    QCOMPARE(requested.size(), 2);
    QCOMPARE(requested.first().at(0).toString(), failedWorkflow);
    QCOMPARE(requested.first().at(1).toBool(), true);
    QVERIFY(started.wait(10000));
    QVERIFY(client.isIdle()); // the second trigger queued nothing
    QCOMPARE(started.size(), 1);
    const QJsonArray log = posts();
    QCOMPARE(log.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(log.first()[u"body"_s].toString().toUtf8()).object(),
             QJsonObject({{u"from_failed"_s, true}}));
}

QTEST_MAIN(TestWorkflowActions)
#include "tst_workflowactions.moc"
