// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpserver.h"
#include "httptestclient.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using ct::test::HttpTestClient;

class TestHttpServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void routesAndKeepAlive();
    void notFoundAndMethodNotAllowed();
    void pipelinedRequestsAnsweredInOrder();
    void deferredAnswersHoldTheNextRequest();
    void answerAfterClientLeft();
    void readerErrorsAreAnsweredAndClosed_data();
    void readerErrorsAreAnsweredAndClosed();
    void idleConnectionClosed();
    void slowHeadersTimeOut();
    void slowBodyTimesOut();
    void connectionCap();
    void expectContinue();
    void handlerExceptionIs500();
    void takeOverForWebSocket();

private:
    std::unique_ptr<ct::HttpServer> m_server;
    QList<ct::HttpResponder> m_parked;
    QList<QByteArray> m_seen;
};

void TestHttpServer::init()
{
    m_server = std::make_unique<ct::HttpServer>();
    m_parked.clear();
    m_seen.clear();
    m_server->route("GET", "/hello", [](const ct::HttpRequest &, ct::HttpResponder r) {
        r.respond(ct::HttpResponse::text(200, "hello"));
    });
    m_server->route("POST", "/echo", [](const ct::HttpRequest &req, ct::HttpResponder r) {
        r.respond(ct::HttpResponse::text(200, req.body));
    });
    m_server->route("PUT", "/echo",
                    [](const ct::HttpRequest &, ct::HttpResponder r) { r.respond(ct::HttpResponse::text(204, {})); });
    m_server->route("POST", "/park", [this](const ct::HttpRequest &req, ct::HttpResponder r) {
        m_seen.append(req.body);
        m_parked.append(r);
    });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    QVERIFY(m_server->serverPort() != 0);
}

void TestHttpServer::cleanup()
{
    m_server.reset();
}

void TestHttpServer::routesAndKeepAlive()
{
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    for (int i = 0; i < 3; ++i) {
        c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.read();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, "hello\n"_ba);
        QCOMPARE(r->header("connection"), "keep-alive"_ba);
    }
    c.send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->body, "abc\n"_ba);
    QCOMPARE(r->header("connection"), "close"_ba);
    QVERIFY(c.waitForClose());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestHttpServer::notFoundAndMethodNotAllowed()
{
    QSignalSpy refused(m_server.get(), &ct::HttpServer::requestRefused);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("GET /nope HTTP/1.1\r\n\r\n");
    auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 404);
    c.send("DELETE /echo HTTP/1.1\r\n\r\n"); // same connection: a 404/405 does not close it
    r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), "POST, PUT"_ba);
    QCOMPARE(refused.size(), 2);
    QCOMPARE(refused.at(0).at(0).toInt(), 404);
}

void TestHttpServer::pipelinedRequestsAnsweredInOrder()
{
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("POST /echo HTTP/1.1\r\nContent-Length: 1\r\n\r\n1"
           "GET /hello HTTP/1.1\r\n\r\n"
           "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n3\r\n0\r\n\r\n"
           "GET /missing HTTP/1.1\r\n\r\n");
    QList<int> statuses;
    QList<QByteArray> bodies;
    for (int i = 0; i < 4; ++i) {
        const auto r = c.read();
        QVERIFY2(r, qPrintable(u"response %1 missing"_s.arg(i)));
        statuses.append(r->status);
        bodies.append(r->body);
    }
    QCOMPARE(statuses, QList<int>({200, 200, 200, 404}));
    QCOMPARE(bodies.mid(0, 3), QList<QByteArray>({"1\n"_ba, "hello\n"_ba, "3\n"_ba}));
}

void TestHttpServer::deferredAnswersHoldTheNextRequest()
{
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("POST /park HTTP/1.1\r\nContent-Length: 1\r\n\r\nA"
           "POST /park HTTP/1.1\r\nContent-Length: 1\r\n\r\nB");
    QTRY_COMPARE(m_parked.size(), 1);
    QTest::qWait(50); // the second request must not be handed out while the first waits
    QCOMPARE(m_seen, QList<QByteArray>({"A"_ba}));
    QVERIFY(m_parked.first().isPending());
    QVERIFY(m_parked.first().respond(ct::HttpResponse::text(202, "first")));
    QVERIFY(!m_parked.first().respond(ct::HttpResponse::text(200, "twice"))); // answered once only
    auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 202);
    QTRY_COMPARE(m_parked.size(), 2);
    QCOMPARE(m_seen.last(), "B"_ba);
    m_parked.last().respond(ct::HttpResponse::text(503, "later"));
    r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->body, "later\n"_ba);
}

void TestHttpServer::answerAfterClientLeft()
{
    {
        HttpTestClient c;
        QVERIFY(c.connectTo(m_server->serverPort()));
        c.send("POST /park HTTP/1.1\r\nContent-Length: 1\r\n\r\nA");
        QTRY_COMPARE(m_parked.size(), 1);
        c.socket().abort();
    }
    QTRY_COMPARE(m_server->connectionCount(), 0);
    QVERIFY(!m_parked.first().isPending());
    QVERIFY(!m_parked.first().respond(ct::HttpResponse::text(200, "too late")));
    QVERIFY(!m_parked.first().takeOver());
}

void TestHttpServer::readerErrorsAreAnsweredAndClosed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("body too large") << QByteArray(
        "POST /echo HTTP/1.1\r\nContent-Length: " + QByteArray::number(2 * 1024 * 1024) + "\r\n\r\n")
                                    << 413;
    // The whole body is on its way when the server refuses it: the answer must still arrive (no reset).
    QTest::newRow("body too large, body sent")
        << QByteArray("POST /echo HTTP/1.1\r\nContent-Length: " + QByteArray::number(4 * 1024 * 1024) + "\r\n\r\n"
                      + QByteArray(4 * 1024 * 1024, 'b'))
        << 413;
    QTest::newRow("headers too large") << QByteArray("GET /hello HTTP/1.1\r\nX: " + QByteArray(20000, 'x') + "\r\n\r\n")
                                       << 431;
    QTest::newRow("bad syntax") << "GET /hello HTTP/1.1\r\nno colon here\r\n\r\n"_ba << 400;
    QTest::newRow("smuggling") << "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"_ba
                               << 400;
}

void TestHttpServer::readerErrorsAreAnsweredAndClosed()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(request);
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QCOMPARE(r->header("connection"), "close"_ba);
    QVERIFY(!r->body.isEmpty()); // says why
    QVERIFY(c.waitForClose());
}

void TestHttpServer::idleConnectionClosed()
{
    ct::HttpServerLimits limits;
    limits.idleTimeout = 200ms;
    m_server->setLimits(limits);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    QTRY_COMPARE(m_server->connectionCount(), 1);
    QVERIFY(c.waitForClose());
    QTRY_COMPARE(m_server->connectionCount(), 0);
    // After a request too: keep-alive lasts only the idle timeout.
    HttpTestClient d;
    QVERIFY(d.connectTo(m_server->serverPort()));
    d.send("GET /hello HTTP/1.1\r\n\r\n");
    QVERIFY(d.read());
    QVERIFY(d.waitForClose());
}

void TestHttpServer::slowHeadersTimeOut()
{
    // Slowloris: a byte every 50 ms keeps the socket busy but never finishes the head.
    ct::HttpServerLimits limits;
    limits.headerTimeout = 400ms;
    m_server->setLimits(limits);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    const QByteArray request = "GET /hello HTTP/1.1\r\nX-Slow: " + QByteArray(200, 's');
    QTimer drip;
    qsizetype sent = 0;
    connect(&drip, &QTimer::timeout, &c.socket(), [&] {
        if (sent < request.size() && c.socket().state() == QAbstractSocket::ConnectedState)
            c.send(request.mid(sent++, 1));
    });
    drip.start(50);
    const auto r = c.read(5000);
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY(c.waitForClose());
    QVERIFY(sent < request.size());
}

void TestHttpServer::slowBodyTimesOut()
{
    ct::HttpServerLimits limits;
    limits.bodyTimeout = 300ms;
    m_server->setLimits(limits);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY(r->body.contains("body"));
    QVERIFY(c.waitForClose());
}

void TestHttpServer::connectionCap()
{
    ct::HttpServerLimits limits;
    limits.maxConnections = 2;
    m_server->setLimits(limits);
    HttpTestClient a, b, c;
    QVERIFY(a.connectTo(m_server->serverPort()));
    QVERIFY(b.connectTo(m_server->serverPort()));
    QTRY_COMPARE(m_server->connectionCount(), 2);
    QVERIFY(c.connectTo(m_server->serverPort()));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QVERIFY(c.waitForClose());
    // The two others still work.
    a.send("GET /hello HTTP/1.1\r\n\r\n");
    QCOMPARE(a.read()->status, 200);
}

void TestHttpServer::expectContinue()
{
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 100);
    c.send("data");
    r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, "data\n"_ba);
}

void TestHttpServer::handlerExceptionIs500()
{
    m_server->route("GET", "/throw",
                    [](const ct::HttpRequest &, ct::HttpResponder) { throw std::runtime_error("boom"); });
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send("GET /throw HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
    QCOMPARE(c.read()->status, 500);
    QCOMPARE(c.read()->status, 200); // the server goes on
}

void TestHttpServer::takeOverForWebSocket()
{
    // The relay's pattern: the HTTP server reads the head, the route hands the untouched socket
    // to QWebSocketServer, which performs the handshake itself.
    QWebSocketServer ws(u"test"_s, QWebSocketServer::NonSecureMode);
    QList<QWebSocket *> serverSide;
    connect(&ws, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *s = ws.nextPendingConnection()) {
            s->setParent(&ws);
            serverSide.append(s);
            connect(s, &QWebSocket::textMessageReceived, s,
                    [s](const QString &m) { s->sendTextMessage(u"echo:"_s + m); });
        }
    });
    QByteArray seenQuery;
    m_server->route("GET", "/events", [&](const ct::HttpRequest &req, ct::HttpResponder r) {
        seenQuery = req.query;
        if (req.header("authorization").value_or("") != "Bearer good") {
            r.respond(ct::HttpResponse::text(401, "bad token"));
            return;
        }
        QTcpSocket *socket = r.takeOver();
        QVERIFY(socket);
        QVERIFY(!r.isPending());
        ws.handleConnection(socket);
    });

    QWebSocket client;
    QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/events?since=7"_s.arg(m_server->serverPort())));
    request.setRawHeader("Authorization", "Bearer good");
    QSignalSpy connected(&client, &QWebSocket::connected);
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(request);
    QVERIFY(connected.wait(5000));
    QCOMPARE(seenQuery, "since=7"_ba);
    QTRY_COMPARE(m_server->connectionCount(), 0); // no longer the HTTP server's
    client.sendTextMessage(u"hi"_s);
    QVERIFY(received.wait(5000));
    QCOMPARE(received.first().first().toString(), u"echo:hi"_s);
    client.close();

    // A wrong token gets a plain 401 and no upgrade.
    HttpTestClient raw;
    QVERIFY(raw.connectTo(m_server->serverPort()));
    raw.send("GET /events HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Authorization: Bearer bad\r\n\r\n");
    const auto r = raw.read();
    QVERIFY(r);
    QCOMPARE(r->status, 401);
    QVERIFY(raw.waitForClose()); // after a refused upgrade the connection is not reused
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
