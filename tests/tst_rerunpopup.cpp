// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Issue 11, "Rerun failed jobs" from the popup: the real app (ct::Application) in direct mode with a
// CircleCI token for the project's API stand-in, inside scripts/headless-desktop. A failure popup
// for a workflow the stand-in knows; its named action invoked through dunst (CT_DUNST_ACTION_FILE +
// `dunstctl context`) reaches the stand-in as POST /workflow/{id}/rerun with from_failed; the
// "Rerun started" popup opens the new workflow; a refused rerun says why in a popup. Without a
// token the popup has no such action.
#include "app/account/circleciaccount.h"
#include "app/application.h"
#include "app/sources/directsource.h"
#include "circlecistandin.h"
#include "core/circleci/workflowactions.h"
#include "dunst.h"
#include "relayprocess.h"

#include <QDesktopServices>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

// gh/acme/web-ui #58 "ci", failed, in fixture-default.json.
const QString failedWorkflow = u"246e05f1-3277-52c6-a174-36f0e8e3f082"_s;

QList<std::pair<QString, QString>> history()
{
    return dunstHistory();
}

bool invokeAction(const QByteArray &key)
{
    QFile action(qEnvironmentVariable("CT_DUNST_ACTION_FILE"));
    if (!action.open(QIODevice::WriteOnly))
        return false;
    action.write(key + '\n');
    action.close();
    dunstctl({u"context"_s}); // dunst's menu asks the test's "dmenu", which picks \a key
    return true;
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

//! A failed workflow-completed for \a workflowId, as CircleCI would post it.
QByteArray failedEvent(const QString &eventId, const QString &workflowId)
{
    QByteArray body = eventBody(eventId, "failed");
    const QByteArray from = "\"wf-" + eventId.toUtf8() + '"';
    const QByteArray to = '"' + workflowId.toUtf8() + '"';
    body.replace(from, to);
    return body;
}

} // namespace

class TestRerunPopup final : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void openUrl(const QUrl &url) { m_opened.append(url); } // QDesktopServices' handler for https

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { QDesktopServices::unsetUrlHandler(u"https"_s); }
    void init();
    void rerunFromThePopupReachesCircleCi();
    void refusedRerunSaysWhy();
    void withoutATokenThereIsNoRerunAction();

private:
    std::unique_ptr<ct::Application> startApp(bool withToken);
    QJsonArray rerunPosts();

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
    QList<QUrl> m_opened;
    int m_round = 0;
};

void TestRerunPopup::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("CT_DUNST_ACTION_FILE"), "run this test inside scripts/headless-desktop");
    QVERIFY2(m_api.start(), "the stand-in did not start (python3 missing?)");
    QDesktopServices::setUrlHandler(u"https"_s, this, "openUrl");
    QFile token(m_dir.filePath(u"token"_s));
    QVERIFY(token.open(QIODevice::WriteOnly));
    token.write("tok-alice\n");
    QFile secret(m_dir.filePath(u"secret"_s));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write(relaySecret + '\n');
}

void TestRerunPopup::init()
{
    m_api.reset();
    dunstctl({u"close-all"_s});
    m_opened.clear();
}

std::unique_ptr<ct::Application> TestRerunPopup::startApp(bool withToken)
{
    ct::AppOptions options;
    options.dataDir = m_dir.filePath(u"data%1"_s.arg(++m_round));
    options.port = freePort();
    options.secretFiles = {m_dir.filePath(u"secret"_s)};
    options.circleCiHost = m_api.host();
    if (withToken)
        options.circleCiTokenFile = m_dir.filePath(u"token"_s);
    options.windowed = true;
    auto app = std::make_unique<ct::Application>(options);
    QString error;
    if (!app->start(&error)) {
        qWarning() << "the app did not start:" << error;
        return nullptr;
    }
    return app;
}

QJsonArray TestRerunPopup::rerunPosts()
{
    QJsonArray out;
    for (const QJsonValue &v : m_api.requests()) {
        if (v[u"method"_s].toString() == u"POST"_s && v[u"path"_s].toString().endsWith(u"/rerun"_s))
            out.append(v);
    }
    return out;
}

void TestRerunPopup::rerunFromThePopupReachesCircleCi()
{
    const auto app = startApp(true);
    QVERIFY(app);
    QVERIFY(app->account()->hasToken());
    auto *source = qobject_cast<ct::DirectSource *>(app->source());
    QVERIFY(source);
    QTRY_VERIFY(source->isConnected());
    const qsizetype closedBefore = history().size();
    QCOMPARE(post(source->port(), failedEvent(u"e-rerun"_s, failedWorkflow)), 200);
    QTRY_COMPARE(displayed(), 1);

    // Clicked twice while CircleCI takes its time to answer the first: one rerun, not two.
    m_api.addFault({{u"method"_s, u"POST"_s}, {u"path"_s, u"/api/v2/workflow/*/rerun"_s}, {u"delay"_s, 1.0}});
    QVERIFY(invokeAction("rerun-failed"));
    QVERIFY(invokeAction("rerun-failed"));
    QTRY_COMPARE_WITH_TIMEOUT(rerunPosts().size(), 1, 15000);
    const QJsonObject request = rerunPosts().first().toObject();
    QCOMPARE(request[u"path"_s].toString(), u"/api/v2/workflow/%1/rerun"_s.arg(failedWorkflow));
    QCOMPARE(QJsonDocument::fromJson(request[u"body"_s].toString().toUtf8()).object(),
             QJsonObject({{u"from_failed"_s, true}}));
    QCOMPARE(request[u"headers"_s][u"circle-token"_s].toString(), u"tok-alice"_s);

    // "Rerun started" at the daemon, next to the failure popup (dunst keeps a popup whose action
    // was invoked from its menu). The failure is critical, so on top: closing the top one leaves
    // "Rerun started", whose click opens the new workflow through the app's link check.
    QTRY_COMPARE_WITH_TIMEOUT(displayed(), 2, 15000);
    // The stand-in has the new, running workflow in the same pipeline.
    QString newId;
    QString oldPipeline;
    for (const QJsonValue &w : m_api.control("GET", u"workflows"_s).array()) {
        if (w[u"id"_s].toString() == failedWorkflow)
            oldPipeline = w[u"pipeline_id"_s].toString();
    }
    for (const QJsonValue &w : m_api.control("GET", u"workflows"_s).array()) {
        if (w[u"pipeline_id"_s].toString() == oldPipeline && w[u"status"_s].toString() == u"running"_s)
            newId = w[u"id"_s].toString();
    }
    QVERIFY(!newId.isEmpty());
    dunstctl({u"close"_s});
    QTRY_COMPARE(history().size(), closedBefore + 1);
    QVERIFY2(history().first().first.startsWith(u"Broken: "_s), qPrintable(history().first().first));
    QCOMPARE(displayed(), 1);
    QVERIFY(invokeAction("open"));
    QTRY_COMPARE(m_opened.size(), 1);
    QCOMPARE(m_opened.first(), ct::WorkflowActions::webUrl(QUrl(m_api.host()), newId));
    QCOMPARE(m_opened.first().host(), u"app.circleci.com"_s);
    dunstctl({u"close-all"_s});
    QTRY_COMPARE(history().size(), closedBefore + 2);
    const auto closed = history();
    QCOMPARE(closed.first().first, u"Rerun started"_s);
    QVERIFY2(closed.first().second.contains(u"api · main · build"_s), qPrintable(closed.first().second));
    QCOMPARE(rerunPosts().size(), 1);
}

void TestRerunPopup::refusedRerunSaysWhy()
{
    // The webhook said failed, CircleCI still has it running (a stale event, or a job's failure).
    const QString running = u"fe2f652c-1b35-5a7d-a225-d2c234c775df"_s;
    const auto app = startApp(true);
    QVERIFY(app);
    auto *source = qobject_cast<ct::DirectSource *>(app->source());
    QVERIFY(source);
    QTRY_VERIFY(source->isConnected());
    const qsizetype closedBefore = history().size();
    QCOMPARE(post(source->port(), failedEvent(u"e-refused"_s, running)), 200);
    QTRY_COMPARE(displayed(), 1);
    QVERIFY(invokeAction("rerun-failed"));
    QTRY_COMPARE_WITH_TIMEOUT(displayed(), 2, 15000);
    dunstctl({u"close-all"_s});
    QTRY_COMPARE(history().size(), closedBefore + 2);
    const auto closed = history();
    QVERIFY(std::any_of(closed.cbegin(), closed.cend(), [](const auto &n) {
        return n.first == u"Could not rerun api · main · build"_s && n.second == u"the workflow has not finished yet"_s;
    }));
    QCOMPARE(rerunPosts().size(), 1);
    QVERIFY(!app->account()->workflowActions()->isBusy(running)); // the next click may try again
}

void TestRerunPopup::withoutATokenThereIsNoRerunAction()
{
    {
        ct::SecretStore secrets(m_dir.filePath(u"data%1/secrets.ini"_s.arg(m_round + 1)));
        secrets.setCircleCiToken({}); // none in the keychain either
    }
    const auto app = startApp(false);
    QVERIFY(app);
    QVERIFY(!app->account()->hasToken());
    auto *source = qobject_cast<ct::DirectSource *>(app->source());
    QVERIFY(source);
    QTRY_VERIFY(source->isConnected());
    QCOMPARE(post(source->port(), failedEvent(u"e-notoken"_s, failedWorkflow)), 200);
    QTRY_COMPARE(displayed(), 1);
    QVERIFY(invokeAction("rerun-failed")); // not in the popup's menu: dunst does nothing
    // The popup is still there, and its actions work. dunst ignores a menu asked for while the
    // previous one is still closing: ask again until it answers (once).
    for (int attempt = 0; attempt < 10 && m_opened.isEmpty(); ++attempt) {
        QVERIFY(invokeAction("open"));
        (void)QTest::qWaitFor([this] { return !m_opened.isEmpty(); }, 1000);
    }
    QCOMPARE(m_opened.size(), 1);
    QCOMPARE(m_opened.first(), QUrl(u"https://app.circleci.com/x"_s));
    // Had "rerun-failed" been invoked, it would have come first: a request in flight or made.
    QVERIFY(!app->account()->workflowActions()->isBusy(failedWorkflow));
    QCOMPARE(rerunPosts().size(), 0);
}

QTEST_MAIN(TestRerunPopup)
#include "tst_rerunpopup.moc"
