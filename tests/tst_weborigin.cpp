// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Which Host the dashboard answers to and which Origin it then expects (DNS rebinding, CSRF, CSWSH).
#include "relay/dashboard/weborigin.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct;

class TestWebOrigin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publicUrl_data();
    void publicUrl();
    void originFor_data();
    void originFor();
};

void TestWebOrigin::publicUrl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed"); // empty: refused

    QTest::newRow("https") << u"https://relay.example.com"_s << u"https://relay.example.com"_s;
    QTest::newRow("https, slash, case") << u"HTTPS://Relay.Example.COM/"_s << u"https://relay.example.com"_s;
    QTest::newRow("https with a port") << u"https://relay.example.com:8443"_s << u"https://relay.example.com:8443"_s;
    QTest::newRow("http on loopback") << u"http://localhost:8788"_s << u"http://localhost:8788"_s;
    QTest::newRow("http on 127.0.0.1") << u"http://127.0.0.1:8788"_s << u"http://127.0.0.1:8788"_s;
    QTest::newRow("http elsewhere") << u"http://relay.example.com"_s << QString();
    QTest::newRow("a path") << u"https://relay.example.com/dash"_s << QString();
    QTest::newRow("a query") << u"https://relay.example.com/?x=1"_s << QString();
    QTest::newRow("user info") << u"https://me:pw@relay.example.com"_s << QString();
    QTest::newRow("ws scheme") << u"wss://relay.example.com"_s << QString();
    QTest::newRow("no host") << u"https://"_s << QString();
    QTest::newRow("not a URL") << u"relay.example.com"_s << QString();
}

void TestWebOrigin::publicUrl()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    QString error;
    const auto url = WebOrigin::parsePublicUrl(text, &error);
    if (parsed.isEmpty()) {
        QVERIFY(!url);
        QVERIFY(error.contains(u"--public-url"_s));
        return;
    }
    QVERIFY2(url, qPrintable(error));
    QCOMPARE(url->toString(), parsed);
}

void TestWebOrigin::originFor_data()
{
    QTest::addColumn<QString>("publicUrl");
    QTest::addColumn<bool>("relayTls");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin"); // empty: the Host is refused
    QTest::addColumn<QByteArray>("cookie");

    const QString none;
    QTest::newRow("loopback http") << none << false << "127.0.0.1:8788"_ba
                                   << "http://127.0.0.1:8788"_ba
                                   << "ct_session"_ba;
    QTest::newRow("localhost http") << none << false << "localhost:8788"_ba
                                    << "http://localhost:8788"_ba
                                    << "ct_session"_ba;
    QTest::newRow("ipv6 loopback") << none << false << "[::1]:8788"_ba
                                   << "http://[::1]:8788"_ba
                                   << "ct_session"_ba;
    QTest::newRow("loopback tls") << none << true << "127.0.0.1:8788"_ba
                                  << "https://127.0.0.1:8788"_ba
                                  << "__Host-ct_session"_ba;
    QTest::newRow("another port") << none << false << "127.0.0.1:9999"_ba << QByteArray() << "ct_session"_ba;
    QTest::newRow("no port") << none << false << "127.0.0.1"_ba << QByteArray() << "ct_session"_ba;
    QTest::newRow("rebinding name, no public URL")
        << none << false << "evil.example:8788"_ba << QByteArray() << "ct_session"_ba;
    QTest::newRow("LAN address, no public URL")
        << none << false << "192.168.1.5:8788"_ba << QByteArray() << "ct_session"_ba;
    QTest::newRow("empty host") << none << false << ""_ba << QByteArray() << "ct_session"_ba;

    const QString pub = u"https://relay.example.com"_s;
    QTest::newRow("public") << pub << false << "relay.example.com"_ba
                            << "https://relay.example.com"_ba
                            << "__Host-ct_session"_ba;
    QTest::newRow("public, case") << pub << false << "Relay.Example.com"_ba
                                  << "https://relay.example.com"_ba
                                  << "__Host-ct_session"_ba;
    QTest::newRow("public, explicit 443") << pub << false << "relay.example.com:443"_ba
                                          << "https://relay.example.com"_ba
                                          << "__Host-ct_session"_ba;
    QTest::newRow("public, other port") << pub << false << "relay.example.com:8788"_ba << QByteArray()
                                        << "__Host-ct_session"_ba;
    QTest::newRow("public set: loopback refused")
        << pub << false << "127.0.0.1:8788"_ba << QByteArray() << "__Host-ct_session"_ba;
    QTest::newRow("public, suffix trick")
        << pub << false << "relay.example.com.evil.example"_ba << QByteArray() << "__Host-ct_session"_ba;
    QTest::newRow("public with port") << u"https://relay.example.com:8443"_s << false << "relay.example.com:8443"_ba
                                      << "https://relay.example.com:8443"_ba
                                      << "__Host-ct_session"_ba;
    QTest::newRow("public http loopback") << u"http://localhost:8788"_s << false << "localhost:8788"_ba
                                          << "http://localhost:8788"_ba
                                          << "ct_session"_ba;
}

void TestWebOrigin::originFor()
{
    QFETCH(QString, publicUrl);
    QFETCH(bool, relayTls);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QString error;
    WebOrigin o(publicUrl.isEmpty() ? QUrl() : *WebOrigin::parsePublicUrl(publicUrl, &error), relayTls);
    o.setPort(8788);
    const auto got = o.originFor(host);
    if (origin.isEmpty()) {
        QVERIFY2(!got, got ? got->constData() : "");
    } else {
        QVERIFY(got);
        QCOMPARE(*got, origin);
        QCOMPARE(WebOrigin::webSocketOrigin(*got), origin.replace("https://", "wss://").replace("http://", "ws://"));
    }
    QTEST(o.cookieName(), "cookie");
}

QTEST_GUILESS_MAIN(TestWebOrigin)
#include "tst_weborigin.moc"
