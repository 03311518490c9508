// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// circletray-relay as CircleCI sees it: the real process, real HTTP on loopback, a real SQLite file.
#include "fixtures.h"
#include "relayprocess.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayIngest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusesToStartWithoutSecret();
    void helpAndBadOptions();
    void answersLikeTheSpec_data();
    void answersLikeTheSpec();
    void duplicateStoredOnce();
    void sigkillLosesNothingAnswered200();
    void healthAndMetrics();
    void separateMetricsListener();
    void gracefulShutdown();
};

void TestRelayIngest::refusesToStartWithoutSecret()
{
    QTemporaryDir dir;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"CIRCLETRAY_RELAY_SECRET"_s);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CT_RELAY_PATH), {u"serve"_s, u"--port"_s, u"0"_s, u"--data-dir"_s, dir.path()});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(err.count('\n'), 1); // one clear line
    QVERIFY2(err.contains("no webhook secret"), err.constData());
    // The secret may come from the environment instead.
    env.insert(u"CIRCLETRAY_RELAY_SECRET"_s, u"from-env"_s);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CT_RELAY_PATH), {u"serve"_s, u"--port"_s, u"0"_s, u"--data-dir"_s, dir.path()});
    QVERIFY(p.waitForReadyRead(10000));
    QVERIFY(p.readAllStandardOutput().startsWith("listening on 127.0.0.1:"));
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
}

void TestRelayIngest::helpAndBadOptions()
{
    QProcess p;
    p.start(QStringLiteral(CT_RELAY_PATH), {u"serve"_s, u"--help"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QByteArray help = p.readAllStandardOutput();
    for (const char *option : {"--listen", "--port", "--secret-file", "--data-dir", "--tls-cert", "--retention-days",
                               "--durability", "--metrics-listen"})
        QVERIFY2(help.contains(option), option);
    p.start(QStringLiteral(CT_RELAY_PATH), {u"serve"_s, u"--durability"_s, u"sometimes"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("normal or full"));
}

void TestRelayIngest::answersLikeTheSpec_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    const QByteArray body = eventBody(u"ingest-1"_s);
    QByteArray tampered = signedPost(body);
    tampered.replace("\"success\"", "\"failed\" ");
    const QByteArray notJson = "{\"type\":\"workflow-completed\",";
    // clang-format off
    QTest::newRow("valid")            << signedPost(body)                                   << 200;
    QTest::newRow("tampered")         << tampered                                           << 401;
    QTest::newRow("wrong secret")     << signedPost(body, "not-the-secret")                 << 401;
    QTest::newRow("unsigned")         << QByteArray("POST /webhook HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body) << 401;
    QTest::newRow("malformed, signed")<< signedPost(notJson)                                << 400;
    QTest::newRow("too large")        << signedPost(QByteArray(2 * 1024 * 1024, ' '))       << 413;
    QTest::newRow("other path")       << signedPost(body, relaySecret, "workflow-completed", "/hooks") << 404;
    QTest::newRow("other method")     << "PUT /webhook HTTP/1.1\r\nContent-Length: 0\r\n\r\n"_ba << 405;
    // clang-format on
}

void TestRelayIngest::answersLikeTheSpec()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    RelayProcess relay;
    QVERIFY(relay.start());
    HttpTestClient c;
    QVERIFY(c.connectTo(relay.port()));
    c.send(request);
    const auto r = c.read(10000);
    QVERIFY(r);
    QCOMPARE(r->status, status);
}

void TestRelayIngest::duplicateStoredOnce()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--durability"_s, u"full"_s}));
    const QByteArray token = relay.addToken(u"dev"_s);
    const QByteArray body = eventBody(u"dup-1"_s);
    QCOMPARE(post(relay.port(), body), 200);
    QCOMPARE(post(relay.port(), body), 200); // CircleCI retried: still 200
    // Two at once on separate connections: one of them waits for the other's commit.
    HttpTestClient a, b;
    QVERIFY(a.connectTo(relay.port()) && b.connectTo(relay.port()));
    const QByteArray body2 = eventBody(u"dup-2"_s);
    a.send(signedPost(body2));
    b.send(signedPost(body2));
    QCOMPARE(a.read(10000)->status, 200);
    QCOMPARE(b.read(10000)->status, 200);

    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 0));
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0][u"seq"_s].toInteger(), 1);
    QCOMPARE(events[1][u"seq"_s].toInteger(), 2);
    QCOMPARE(client.messages.first()[u"head_seq"_s].toInteger(), 2);
}

void TestRelayIngest::sigkillLosesNothingAnswered200()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    QList<QByteArray> answered;
    {
        RelayProcess relay(data);
        QVERIFY(relay.start());
        for (int i = 0; i < 40; ++i) {
            const QByteArray body = eventBody(u"kill-%1"_s.arg(i));
            if (post(relay.port(), body) == 200)
                answered.append(body);
        }
        relay.kill(); // no shutdown path, no final checkpoint
    }
    QCOMPARE(answered.size(), 40);
    const QByteArray token = RelayProcess::tokenCommand(data, {u"add"_s, u"after-kill"_s});
    RelayProcess relay(data);
    QVERIFY(relay.start());
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 0));
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), answered.size());
    for (qsizetype i = 0; i < events.size(); ++i)
        QCOMPARE(events[i][u"body"_s].toString().toUtf8(), answered[i]);
    // And the duplicate filter was rebuilt: a retry of a stored event is not stored again.
    QCOMPARE(post(relay.port(), answered.first()), 200);
    QTest::qWait(100);
    QCOMPARE(client.ofType(u"event"_s).size(), events.size());
}

void TestRelayIngest::healthAndMetrics()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    QCOMPARE(post(relay.port(), eventBody(u"m-1"_s)), 200);
    QCOMPARE(post(relay.port(), eventBody(u"m-1"_s)), 200);
    QCOMPARE(post(relay.port(), eventBody(u"m-2"_s), "wrong"), 401);
    HttpTestClient c;
    QVERIFY(c.connectTo(relay.port()));
    // Details (issue 14, 9) only with a device token on the public port.
    const QByteArray token = relay.addToken(u"monitor"_s);
    c.send("GET /healthz HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    const QJsonObject health = QJsonDocument::fromJson(r->body).object();
    QCOMPARE(health[u"storage_ok"_s].toBool(), true);
    QCOMPARE(health[u"connected_clients"_s].toInt(), 0);
    QVERIFY(health[u"last_event_at"_s].isString());
    QVERIFY(health[u"version"_s].isString());
    QVERIFY(health.contains(u"uptime_seconds"_s));
    c.send("GET /metrics HTTP/1.1\r\n\r\n");
    r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY2(r->body.contains("circletray_relay_webhooks_received_total 3\n"), r->body.constData());
    QVERIFY(r->body.contains("circletray_relay_events_accepted_total 1\n"));
    QVERIFY(r->body.contains("circletray_relay_events_duplicate_total 1\n"));
    QVERIFY(r->body.contains("circletray_relay_webhooks_rejected_total{reason=\"signature\"} 1\n"));
    QVERIFY(r->body.contains("circletray_relay_delivery_latency_seconds_bucket{le=\"+Inf\"}"));
}

void TestRelayIngest::separateMetricsListener()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--metrics-listen"_s, u"127.0.0.1:0"_s}));
    const quint16 metricsPort = metricsPortOf(relay);
    QVERIFY(metricsPort != 0);
    HttpTestClient pub, priv;
    QVERIFY(pub.connectTo(relay.port()) && priv.connectTo(metricsPort));
    pub.send("GET /metrics HTTP/1.1\r\n\r\n");
    QCOMPARE(pub.read()->status, 404); // not on the public port
    priv.send("GET /metrics HTTP/1.1\r\n\r\n");
    QCOMPARE(priv.read()->status, 200);
}

void TestRelayIngest::gracefulShutdown()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"dev"_s);
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 0));
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    QCOMPARE(relay.terminate(), 0);
    QTRY_VERIFY(client.disconnected);
    QCOMPARE(client.closeCode, int(QWebSocketProtocol::CloseCodeGoingAway)); // 1001
}

QTEST_GUILESS_MAIN(TestRelayIngest)
#include "tst_relayingest.moc"
