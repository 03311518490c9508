// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpserver.h"
#include "core/webhookreceiver.h"
#include "fixtures.h"
#include "httptestclient.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using ct::test::HttpTestClient;

Q_DECLARE_METATYPE(ct::WebhookDelivery)

namespace {

QByteArray fixture(const char *name)
{
    return ct::test::fixture(QString::fromLatin1(name));
}

QByteArray post(const QByteArray &body, const QByteArray &signature, const QByteArray &type = "workflow-completed")
{
    QByteArray r = "POST /webhook HTTP/1.1\r\nHost: relay\r\nUser-Agent: CircleCI-Webhook/1.0\r\n"
                   "Content-Type: application/json\r\ncircleci-event-type: "
        + type + "\r\n";
    if (!signature.isNull())
        r += "Circleci-Signature: " + signature + "\r\n"; // header names are case-insensitive
    return r + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

//! \a request with one more header line.
QByteArray withHeader(const QByteArray &request, const QByteArray &line)
{
    const qsizetype end = request.indexOf("\r\n") + 2;
    return request.left(end) + line + "\r\n" + request.mid(end);
}

QByteArray sig(const QByteArray &body, const QByteArray &secret)
{
    return "v1=" + ct::WebhookVerifier::sign(body, secret);
}

} // namespace

class TestWebhookReceiver final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void acceptsSignedDelivery_data();
    void acceptsSignedDelivery();
    void jsonMediaTypeVariants_data();
    void jsonMediaTypeVariants();
    void refusals_data();
    void refusals();
    void noSecretIs503();
    void handlerAnswersLater();

private:
    std::unique_ptr<ct::HttpServer> m_server;
    std::unique_ptr<ct::WebhookReceiver> m_receiver;
};

void TestWebhookReceiver::initTestCase()
{
    qRegisterMetaType<ct::WebhookDelivery>();
}

void TestWebhookReceiver::init()
{
    m_server = std::make_unique<ct::HttpServer>();
    ct::HttpServerLimits limits;
    limits.reader.maxBodyBytes = 64 * 1024;
    m_server->setLimits(limits);
    m_receiver = std::make_unique<ct::WebhookReceiver>(m_server.get());
    m_receiver->setSecrets({"current-secret"_ba, "previous-secret"_ba});
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
}

void TestWebhookReceiver::cleanup()
{
    m_receiver.reset();
    m_server.reset();
}

void TestWebhookReceiver::acceptsSignedDelivery_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("type");
    QTest::newRow("workflow, current secret") << fixture("github-oauth-unicode-failed.json") << "current-secret"_ba
                                              << "workflow-completed"_ba;
    QTest::newRow("job, previous secret") << fixture("gitlab-job-completed.json") << "previous-secret"_ba
                                          << "job-completed"_ba;
    QTest::newRow("ping") << fixture("ping.json") << "current-secret"_ba
                          << "ping"_ba;
}

void TestWebhookReceiver::acceptsSignedDelivery()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, type);
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    QSignalSpy rejected(m_receiver.get(), &ct::WebhookReceiver::deliveryRejected);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(post(body, sig(body, secret), type));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(received.size(), 1);
    QCOMPARE(rejected.size(), 0);
    const auto delivery = received.first().first().value<ct::WebhookDelivery>();
    QCOMPARE(delivery.body, body); // byte for byte
    QCOMPARE(delivery.eventTypeHeader, type);
    QCOMPARE(delivery.signatureHeader, sig(body, secret));
    QCOMPARE(ct::eventTypeName(delivery.event.type), type);
}

void TestWebhookReceiver::jsonMediaTypeVariants_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::newRow("charset") << "application/json; charset=utf-8"_ba;
    QTest::newRow("upper case") << "Application/JSON"_ba;
    QTest::newRow("spaces") << "application/json ;charset=UTF-8"_ba;
}

void TestWebhookReceiver::jsonMediaTypeVariants()
{
    QFETCH(QByteArray, contentType);
    const QByteArray body = fixture("ping.json");
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(QByteArray(post(body, sig(body, "current-secret"), "ping"))
               .replace("Content-Type: application/json", QByteArray("Content-Type: " + contentType)));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
}

void TestWebhookReceiver::refusals_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");
    const QByteArray body = fixture("github-oauth-success.json");
    QByteArray tampered = body;
    tampered.replace("\"success\"", "\"failed\"");
    const QByteArray notJson = "{\"type\": \"workflow-completed\", oops}"_ba;
    const QByteArray noStatus =
        QByteArray(body).replace("\"status\": \"success\",", "").replace(",\n    \"status\": \"success\"", "");
    QVERIFY(!noStatus.contains("\"status\""));
    // clang-format off
    QTest::newRow("no signature")            << post(body, QByteArray())                  << 401 << u"missing"_s;
    QTest::newRow("wrong secret")            << post(body, sig(body, "guess"))            << 401 << u"mismatch"_s;
    QTest::newRow("tampered body")           << post(tampered, sig(body, "current-secret")) << 401 << u"mismatch"_s;
    QTest::newRow("v2 only")                 << post(body, "v2=" + ct::WebhookVerifier::sign(body, "current-secret")) << 401 << u"malformed"_s;
    QTest::newRow("unsigned garbage")        << post(notJson, QByteArray())               << 401 << u"missing"_s;
    QTest::newRow("signed, malformed JSON")  << post(notJson, sig(notJson, "current-secret")) << 400 << u"invalid JSON"_s;
    QTest::newRow("signed, missing field")   << post(noStatus, sig(noStatus, "current-secret")) << 400 << u"workflow.status"_s;
    QTest::newRow("too large")               << post(QByteArray(70 * 1024, ' '), "v1=00")  << 413 << u"larger"_s;
    QTest::newRow("GET")                     << "GET /webhook HTTP/1.1\r\n\r\n"_ba          << 405 << u"method"_s;
    // Issue 14 (15): what a web page can send without a CORS preflight is refused before the signature.
    QTest::newRow("from a web page (Origin)") << withHeader(post(body, sig(body, "current-secret")), "Origin: https://evil.example") << 403 << u"Origin"_s;
    QTest::newRow("Origin: null")            << withHeader(post(body, sig(body, "current-secret")), "Origin: null") << 403 << u"Origin"_s;
    QTest::newRow("text/plain")              << QByteArray(post(body, sig(body, "current-secret"))).replace("Content-Type: application/json", "Content-Type: text/plain") << 415 << u"application/json"_s;
    QTest::newRow("form")                    << QByteArray(post(body, sig(body, "current-secret"))).replace("Content-Type: application/json", "Content-Type: application/x-www-form-urlencoded") << 415 << u"application/json"_s;
    QTest::newRow("no Content-Type")         << QByteArray(post(body, sig(body, "current-secret"))).replace("Content-Type: application/json\r\n", "") << 415 << u"application/json"_s;
    QTest::newRow("other path")              << "POST /hook HTTP/1.1\r\nContent-Length: 0\r\n\r\n"_ba << 404 << u"path"_s;
    // clang-format on
}

void TestWebhookReceiver::refusals()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, reason);
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    QSignalSpy rejected(m_receiver.get(), &ct::WebhookReceiver::deliveryRejected);
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(request);
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QVERIFY2(QString::fromUtf8(r->body).contains(reason, Qt::CaseInsensitive), r->body.constData());
    QCOMPARE(received.size(), 0);
    if (status == 401 || status == 400 || status == 403 || status == 415) {
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(rejected.first().at(0).toInt(), status);
        QCOMPARE(rejected.first().at(2).toByteArray(), "workflow-completed"_ba);
        // Only what carries a well-formed v1 signature looks like CircleCI's (worth telling a user).
        const bool looksLikeCircleCi = status == 400 || reason == u"mismatch"_s;
        QCOMPARE(rejected.first().at(3).toBool(), looksLikeCircleCi);
    }
}

void TestWebhookReceiver::noSecretIs503()
{
    // CircleCI retries 5xx: a receiver not yet configured must not lose what it cannot check.
    m_receiver->setSecrets({QByteArray()});
    const QByteArray body = fixture("ping.json");
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(post(body, sig(body, ""), "ping"));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 503);
}

void TestWebhookReceiver::handlerAnswersLater()
{
    QList<ct::HttpResponder> pending;
    QList<QString> ids;
    m_receiver->setHandler([&](const ct::WebhookDelivery &d, ct::HttpResponder r) {
        ids.append(d.event.id);
        pending.append(r);
    });
    const QByteArray body = fixture("ping.json");
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(post(body, sig(body, "current-secret"), "ping"));
    QTRY_COMPARE(pending.size(), 1);
    QCOMPARE(ids.first(), u"7b1e0c4f-2a55-4e8e-9d2a-59b0d1d3f6a2"_s);
    QVERIFY(!c.read(100)); // nothing until the handler answers (e.g. after a database commit)
    pending.first().respond(ct::HttpResponse::text(503, "storage unavailable"));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 503);
}

QTEST_GUILESS_MAIN(TestWebhookReceiver)
#include "tst_webhookreceiver.moc"
