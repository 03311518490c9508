// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Breaking the relay on purpose: kills mid-stream, slow and idle connections, storms of bad requests.
// Everything on 127.0.0.1, bounded in count and time.
#include "processstats.h"
#include "relay/filelimit.h"
#include "relayprocess.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayFaults final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { ct::raiseOpenFileLimit(); }
    void sigkillMidStreamLosesAndDuplicatesNothing();
    void slowAndIdleConnections();
    void stormsOfBadRequests();
};

void TestRelayFaults::sigkillMidStreamLosesAndDuplicatesNothing()
{
    // A sender that retries until it gets a 2xx, like CircleCI; the relay SIGKILLed at random moments,
    // 50 times, while requests are in flight. Every event must reach the app exactly once.
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    auto relay = std::make_unique<RelayProcess>(data);
    QVERIFY(relay->start());
    const quint16 port = relay->port();
    const QByteArray token = relay->addToken(u"app"_s);
    auto *rng = QRandomGenerator::global();

    QStringList all;
    QSet<QString> answered;
    qint64 lastSeq = 0;
    QString relayId;
    QStringList delivered;
    const auto drain = [&] { // the app reconnects with since = what it has, and reads up to live
        RelayClient client;
        if (!client.open(port, token, lastSeq))
            return false;
        if (client.waitFor(u"live"_s, 20000) < 0)
            return false;
        for (const QJsonObject &m : client.messages) {
            if (m[u"type"_s] == u"hello"_s) {
                if (!relayId.isEmpty() && relayId != m[u"relay_id"_s].toString())
                    return false; // a kill must never look like a new log
                relayId = m[u"relay_id"_s].toString();
            } else if (m[u"type"_s] == u"event"_s) {
                lastSeq = m[u"seq"_s].toInteger();
                delivered.append(QJsonDocument::fromJson(m[u"body"_s].toString().toUtf8())[u"id"_s].toString());
            }
        }
        client.socket().close();
        return true;
    };

    const int rounds = 50 * soakScale();
    for (int round = 0; round < rounds; ++round) {
        // A burst in flight on three connections…
        std::vector<std::unique_ptr<HttpTestClient>> conns;
        QList<QStringList> sentOn;
        for (int c = 0; c < 3; ++c) {
            conns.push_back(std::make_unique<HttpTestClient>());
            QVERIFY(conns.back()->connectTo(port));
            QByteArray burst;
            QStringList ids;
            for (int i = 0; i < 4; ++i) {
                const QString id = u"k%1-%2-%3"_s.arg(round).arg(c).arg(i);
                ids.append(id);
                all.append(id);
                burst += signedPost(eventBody(id));
            }
            conns.back()->send(burst);
            sentOn.append(ids);
        }
        // …and the relay killed at a random moment in it.
        QTest::qWait(int(rng->bounded(15)));
        relay->kill();
        for (int c = 0; c < 3; ++c) {
            for (const QString &id : std::as_const(sentOn[c])) {
                const auto r = conns[size_t(c)]->read(200);
                if (!r)
                    break;
                if (r->status == 200)
                    answered.insert(id);
            }
        }
        relay = std::make_unique<RelayProcess>(data);
        QVERIFY(relay->start({u"--port"_s, QString::number(port)}));
        // The sender retries what was not acknowledged.
        for (const QString &id : std::as_const(all)) {
            if (answered.contains(id))
                continue;
            int status = 0;
            for (int attempt = 0; attempt < 5 && status != 200; ++attempt)
                status = post(port, eventBody(id));
            QCOMPARE(status, 200);
            answered.insert(id);
        }
        if (round % 10 == 9)
            QVERIFY(drain());
    }
    QVERIFY(drain());
    QCOMPARE(answered.size(), all.size());
    QCOMPARE(delivered.size(), all.size()); // none lost, none twice
    QCOMPARE(QSet<QString>(delivered.cbegin(), delivered.cend()), QSet<QString>(all.cbegin(), all.cend()));
}

void TestRelayFaults::slowAndIdleConnections()
{
    RelayProcess relay;
    // All from 127.0.0.1: the per-address cap is lifted so that the timeouts are what is tested.
    QVERIFY(relay.start(
        {u"--header-timeout"_s, u"2"_s, u"--idle-timeout"_s, u"3"_s, u"--max-connections-per-address"_s, u"0"_s}));
    // 500 idle connections and 500 that send a request one byte at a time (slowloris).
    std::vector<std::unique_ptr<QTcpSocket>> idle, slow;
    for (int i = 0; i < 500; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, relay.port());
        slow.push_back(std::make_unique<QTcpSocket>());
        slow.back()->connectToHost(QHostAddress::LocalHost, relay.port());
    }
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const auto *list : {&slow, &idle}) {
                for (const auto &s : *list) {
                    if (s->state() != QAbstractSocket::ConnectedState)
                        return false;
                }
            }
            return true;
        },
        30000));
    const QByteArray drip = "POST /webhook HTTP/1.1\r\nHost: relay\r\nX-Slow: " + QByteArray(400, 's');
    int sent = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&] {
        for (const auto &s : slow) {
            if (s->state() == QAbstractSocket::ConnectedState)
                s->write(drip.mid(sent, 1));
        }
        ++sent;
    });
    ticker.start(100);
    // A real delivery still gets through promptly.
    QCOMPARE(post(relay.port(), eventBody(u"through-the-crowd"_s)), 200);
    // The timeouts close both kinds.
    const auto closed = [](const std::vector<std::unique_ptr<QTcpSocket>> &list) {
        int n = 0;
        for (const auto &s : list)
            n += s->state() == QAbstractSocket::UnconnectedState;
        return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT(closed(slow) == 500, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(closed(idle) == 500, 30000);
    QVERIFY(sent < drip.size()); // cut off by the header timeout, not by finishing
    ticker.stop();
    QCOMPARE(post(relay.port(), eventBody(u"after-the-crowd"_s)), 200);
}

void TestRelayFaults::stormsOfBadRequests()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"app"_s);
    RelayClient app;
    QVERIFY(app.open(relay.port(), token, 0));
    QVERIFY(app.waitFor(u"live"_s) >= 0);
    const qint64 pid = relay.pid();
    const qint64 rssBefore = rssKiB(pid);
    auto *rng = QRandomGenerator::global();
    int valid = 0;
    const int waves = 20 * soakScale();
    for (int wave = 0; wave < waves; ++wave) {
        HttpTestClient c;
        QVERIFY(c.connectTo(relay.port()));
        for (int i = 0; i < 100; ++i) {
            QByteArray body = eventBody(u"storm-%1-%2"_s.arg(wave).arg(i));
            QByteArray request;
            bool complete = true;
            switch (rng->bounded(6)) {
            case 0: { // tampered after signing
                request = signedPost(body);
                request.replace("\"success\"", "\"failed\" ");
                break;
            }
            case 1: // unsigned
                request = "POST /webhook HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body;
                break;
            case 2: // malformed JSON, correctly signed
                request = signedPost(body.left(body.size() / 2));
                break;
            case 3: // truncated: promises more than it sends, then the connection moves on
                request = signedPost(body).chopped(10);
                complete = false;
                break;
            case 4: // oversized
                request = signedPost(QByteArray(2 * 1024 * 1024, 'x'));
                break;
            default: // a valid one in the middle of it all
                request = signedPost(body);
                ++valid;
                break;
            }
            HttpTestClient one;
            QVERIFY(one.connectTo(relay.port()));
            one.send(request);
            if (complete) {
                // Complete requests get an answer; a truncated one is abandoned half-way.
                const auto r = one.read(5000);
                QVERIFY2(r, "no answer in the storm");
                if (request == signedPost(body))
                    QCOMPARE(r->status, 200);
                else
                    QVERIFY2(r->status >= 400, qPrintable(QString::number(r->status)));
            } else {
                one.socket().abort();
            }
        }
    }
    QCOMPARE(metric(relay.port(), "circletray_relay_events_accepted_total").toInt(), valid);
    QTRY_COMPARE(app.ofType(u"event"_s).size(), valid); // the app got exactly the valid ones
    const qint64 rssAfter = rssKiB(pid);
    QVERIFY2(rssBefore > 0 && rssAfter > 0, "no /proc status for the relay");
#ifndef __SANITIZE_ADDRESS__ // ASan's quarantine holds freed memory on purpose: no bound to check there
    QVERIFY2(rssAfter < rssBefore + 64 * 1024,
             qPrintable(u"relay RSS grew from %1 to %2 KiB"_s.arg(rssBefore).arg(rssAfter)));
#endif
}

QTEST_GUILESS_MAIN(TestRelayFaults)
#include "tst_relayfaults.moc"
