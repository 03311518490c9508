// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Which links the app hands to the browser (popups, tray menu, history window): CircleCI's only.
#include "app/workflowurl.h"

#include <QDesktopServices>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

class TestWorkflowUrl final : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void openUrl(const QUrl &url) { m_opened.append(url); } // QDesktopServices' handler: no browser starts

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void issue15_onlyCircleCiPages_data();
    void issue15_onlyCircleCiPages();
    void issue15_refusedNeverReachTheBrowser_data() { issue15_onlyCircleCiPages_data(); }
    void issue15_refusedNeverReachTheBrowser();
    void circleCiServerPagesToo_data();
    void circleCiServerPagesToo();

private:
    const QStringList m_schemes = {u"https"_s, u"http"_s, u"javascript"_s, u"file"_s, u"data"_s, u"ftp"_s};
    QList<QUrl> m_opened;
};

void TestWorkflowUrl::initTestCase()
{
    // Every scheme a row uses: a URL that got through would be recorded, not opened.
    for (const QString &scheme : m_schemes)
        QDesktopServices::setUrlHandler(scheme, this, "openUrl");
}

void TestWorkflowUrl::cleanupTestCase()
{
    for (const QString &scheme : m_schemes)
        QDesktopServices::unsetUrlHandler(scheme);
}

void TestWorkflowUrl::issue15_onlyCircleCiPages_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("accepted");
    const QString workflow = u"https://app.circleci.com/pipelines/github/example-org/tray-notifier/418/workflows/"
                             "dcdeed02-00c0-466b-ba46-ba9a1d603890"_s;
    // clang-format off
    QTest::newRow("workflow")                 << workflow << true;
    QTest::newRow("job")                      << workflow + u"/jobs/1234"_s << true;
    QTest::newRow("a rerun's short link")     << u"https://app.circleci.com/pipelines/workflows/dcdeed02-00c0-466b-ba46-ba9a1d603890"_s << true;
    QTest::newRow("query and fragment")       << workflow + u"?tab=tests#failed"_s << true;
    QTest::newRow("port 443 spelled out")     << u"https://app.circleci.com:443/pipelines/x"_s << true;
    QTest::newRow("upper-case scheme, host")  << u"HTTPS://APP.CircleCI.com/pipelines/x"_s << true;
    QTest::newRow("http")                     << u"http://app.circleci.com/pipelines/x"_s << false;
    QTest::newRow("javascript")               << u"javascript:alert(document.cookie)"_s << false;
    QTest::newRow("javascript, host-shaped")  << u"javascript://app.circleci.com/%0Aalert(1)"_s << false;
    QTest::newRow("file")                     << u"file:///etc/passwd"_s << false;
    QTest::newRow("data")                     << u"data:text/html,<script>alert(1)</script>"_s << false;
    QTest::newRow("ftp")                      << u"ftp://app.circleci.com/pipelines/x"_s << false;
    QTest::newRow("another host")             << u"https://evil.example/pipelines/x"_s << false;
    QTest::newRow("userinfo trick")           << u"https://app.circleci.com@evil.example/"_s << false;
    QTest::newRow("userinfo, backslash")      << u"https://evil.example\\@app.circleci.com/"_s << false;
    QTest::newRow("user on the right host")   << u"https://someone@app.circleci.com/pipelines/x"_s << false;
    QTest::newRow("password on the host")     << u"https://someone:pw@app.circleci.com/pipelines/x"_s << false;
    QTest::newRow("host in the path")         << u"https://evil.example/app.circleci.com"_s << false;
    QTest::newRow("host as a prefix")         << u"https://app.circleci.com.evil.example/"_s << false;
    QTest::newRow("other subdomain")          << u"https://evilapp.circleci.com/"_s << false;
    QTest::newRow("parent domain")            << u"https://circleci.com/pipelines/x"_s << false;
    QTest::newRow("trailing dot")             << u"https://app.circleci.com./pipelines/x"_s << false;
    QTest::newRow("IDN look-alike")           << u"https://\u0430pp.circleci.com/pipelines/x"_s << false; // Cyrillic a
    QTest::newRow("other port")               << u"https://app.circleci.com:8443/pipelines/x"_s << false;
    QTest::newRow("no authority")             << u"https:app.circleci.com/pipelines/x"_s << false;
    QTest::newRow("relative")                 << u"/pipelines/x"_s << false;
    QTest::newRow("empty")                    << QString() << false;
    // clang-format on
}

void TestWorkflowUrl::issue15_onlyCircleCiPages()
{
    QFETCH(QString, url);
    QFETCH(bool, accepted);
    QCOMPARE(ct::isCircleCiWorkflowUrl(QUrl(url)), accepted);
}

void TestWorkflowUrl::issue15_refusedNeverReachTheBrowser()
{
    QFETCH(QString, url);
    QFETCH(bool, accepted);
    m_opened.clear();
    if (accepted) {
        QTest::failOnWarning(QRegularExpression(u"not opening"_s));
    } else if (!url.isEmpty()) { // a popup without a workflow: nothing to say
        // Refused in the log, the URL quoted so that nothing in it can forge a line of its own.
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^not opening \"[^\\n]*\" in the browser: only "
                                                "https://app\\.circleci\\.com links are opened$"_s));
    }
    QCOMPARE(ct::openWorkflowUrl(QUrl(url)), accepted);
    QCOMPARE(m_opened, accepted ? QList<QUrl> {QUrl(url)} : QList<QUrl> {});
}

void TestWorkflowUrl::circleCiServerPagesToo_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("opens");
    const QString page = u"/pipelines/workflows/dcdeed02-00c0-466b-ba46-ba9a1d603890"_s;
    QTest::newRow("its web app") << u"https://ci.example.com"_s << QString(u"https://app.ci.example.com"_s + page)
                                 << true;
    QTest::newRow("cloud still") << u"https://ci.example.com"_s << QString(u"https://app.circleci.com"_s + page)
                                 << true;
    QTest::newRow("the API host itself") << u"https://ci.example.com"_s << QString(u"https://ci.example.com"_s + page)
                                         << false;
    QTest::newRow("a look-alike") << u"https://ci.example.com"_s
                                  << QString(u"https://app.ci.example.com.evil.example"_s + page) << false;
    QTest::newRow("plain http server: nothing added")
        << u"http://ci.example.com"_s << QString(u"https://app.ci.example.com"_s + page) << false;
    QTest::newRow("cloud configured: nothing added")
        << u"https://circleci.com"_s << QString(u"https://app.ci.example.com"_s + page) << false;
}

void TestWorkflowUrl::circleCiServerPagesToo()
{
    // Issue 15 (15), with the account of issue 10: "or the configured CircleCI server's host".
    QFETCH(QString, server);
    QFETCH(QString, url);
    QFETCH(bool, opens);
    ct::setCircleCiServer(QUrl(server));
    QCOMPARE(ct::isCircleCiWorkflowUrl(QUrl(url)), opens);
    ct::setCircleCiServer(QUrl());
    QVERIFY(!ct::isCircleCiWorkflowUrl(QUrl(u"https://app.ci.example.com/pipelines/x"_s)));
}

QTEST_MAIN(TestWorkflowUrl)
#include "tst_workflowurl.moc"
