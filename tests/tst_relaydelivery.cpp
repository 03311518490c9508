// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The relay protocol as a desktop app sees it: real relay process, real QWebSocket clients.
#include "fixtures.h"
#include "relayprocess.h"
#include "testca.h"

#include <QRegularExpression>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

struct TokenRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

//! `circletray-relay token …` with logging as a user has it: ctest turns info lines off, a shell does not.
TokenRun token(const QString &dataDir, const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"QT_LOGGING_RULES"_s);
    env.remove(u"QT_LOGGING_CONF"_s);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CT_RELAY_PATH), QStringList {u"token"_s} + args + QStringList {u"--data-dir"_s, dataDir});
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace

class TestRelayDelivery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signedEventDeliveredByteIdentical();
    void refusedDeliveriesAnnouncedNeverDelivered();
    void replayThenLive();
    void gapAfterRetention();
    void newRelayIdAfterWipe();
    void tokensRefused_data();
    void tokensRefused();
    void revocationClosesLiveConnection();
    void slowClientClosedOthersUnaffected();
    void tls();
    void keepaliveDropsSilentPeers();
    void sighupReloadsCertificate();
    void issue13_tokenCommandsNeedAnEventLog_data();
    void issue13_tokenCommandsNeedAnEventLog();
    void issue13_tokenCommandsPrintOnlyTheirOwnOutput();

private:
    QByteArray m_token;
};

void TestRelayDelivery::signedEventDeliveredByteIdentical()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--retention-days"_s, u"3650"_s})); // the fixture happened in March

    const QByteArray token = relay.addToken(u"laptop"_s);
    QVERIFY(token.startsWith("ctr_"));
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 0));
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    const QJsonObject hello = client.messages.first();
    QCOMPARE(hello[u"type"_s].toString(), u"hello"_s);
    QVERIFY(!hello[u"relay_id"_s].toString().isEmpty());
    QCOMPARE(hello[u"head_seq"_s].toInteger(), 0);

    // A pretty-printed fixture with non-ASCII text: the bytes must survive exactly.
    const QByteArray body = fixture(u"github-oauth-unicode-failed.json");
    QCOMPARE(post(relay.port(), body), 200);
    const int at = client.waitFor(u"event"_s);
    QVERIFY(at >= 0);
    const QJsonObject e = client.messages[at];
    QCOMPARE(e[u"seq"_s].toInteger(), 1);
    QCOMPARE(e[u"event_type"_s].toString(), u"workflow-completed"_s);
    QVERIFY(e[u"received_at"_s].toString().endsWith(u'Z'));
    const QByteArray received = e[u"body"_s].toString().toUtf8();
    QCOMPARE(received, body);
    // The app can check CircleCI's signature itself: the relay cannot forge events.
    QCOMPARE(ct::verifySignature(received, e[u"signature"_s].toString().toLatin1(), {relaySecret}),
             ct::VerifyResult::Valid);
}

void TestRelayDelivery::refusedDeliveriesAnnouncedNeverDelivered()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--rejected-notice-interval"_s, u"1"_s}));
    const QByteArray token = relay.addToken(u"laptop"_s);
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 0));
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    const QByteArray body = eventBody(u"refused-1"_s);
    QCOMPARE(post(relay.port(), body, "wrong-secret"), 401);
    QByteArray oversized = eventBody(u"big"_s);
    oversized.append(QByteArray(2 * 1024 * 1024, ' '));
    QCOMPARE(post(relay.port(), oversized), 413);
    QCOMPARE(post(relay.port(), "{not json"), 400);
    const int rejected = client.waitFor(u"rejected"_s);
    QVERIFY(rejected >= 0);
    QVERIFY2(client.messages[rejected][u"reason"_s].toString().contains(u"mismatch"_s),
             qPrintable(client.messages[rejected][u"reason"_s].toString()));
    QCOMPARE(client.messages[rejected][u"event_type"_s].toString(), u"workflow-completed"_s);
    QVERIFY(!client.messages[rejected].contains(u"body"_s));
    QCOMPARE(client.messages[rejected][u"count"_s].toInt(), 1); // the first one at once
    const int second = client.waitFor(u"rejected"_s, 10000, rejected + 1); // the malformed one, after the interval
    QVERIFY(second >= 0);
    QCOMPARE(client.messages[second][u"count"_s].toInt(), 1);
    QVERIFY(client.messages[second][u"reason"_s].toString().contains(u"JSON"_s));
    // Then a good one: it is seq 1, nothing refused took a number or reached the client.
    QCOMPARE(post(relay.port(), body), 200);
    QVERIFY(client.waitFor(u"event"_s) >= 0);
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first()[u"seq"_s].toInteger(), 1);
}

void TestRelayDelivery::replayThenLive()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray token = relay.addToken(u"laptop"_s);
    for (int i = 1; i <= 5; ++i)
        QCOMPARE(post(relay.port(), eventBody(u"replay-%1"_s.arg(i))), 200);
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 2)); // saw 1 and 2 before going offline
    const int live = client.waitFor(u"live"_s);
    QVERIFY(live >= 0);
    QStringList types;
    QList<qint64> seqs;
    for (int i = 0; i <= live; ++i) {
        types.append(client.messages[i][u"type"_s].toString());
        if (types.last() == u"event")
            seqs.append(client.messages[i][u"seq"_s].toInteger());
    }
    QCOMPARE(types, QStringList({u"hello"_s, u"event"_s, u"event"_s, u"event"_s, u"live"_s}));
    QCOMPARE(seqs, QList<qint64>({3, 4, 5}));
    QCOMPARE(client.messages.first()[u"head_seq"_s].toInteger(), 5);
    QCOMPARE(client.messages.first()[u"oldest_seq"_s].toInteger(), 1);
    QCOMPARE(post(relay.port(), eventBody(u"replay-6"_s)), 200);
    QVERIFY(client.waitFor(u"event"_s, 10000, live) >= 0);
    QCOMPARE(client.messages.last()[u"seq"_s].toInteger(), 6);
    QVERIFY(client.ofType(u"gap"_s).isEmpty());

    // Many events: replay is paced by the client and still complete and in order.
    for (int i = 7; i <= 700; ++i)
        QCOMPARE(post(relay.port(), eventBody(u"replay-%1"_s.arg(i))), 200);
    RelayClient late;
    QVERIFY(late.open(relay.port(), token, 0));
    QVERIFY(late.waitFor(u"live"_s, 20000) >= 0);
    const auto events = late.ofType(u"event"_s);
    QCOMPARE(events.size(), 700);
    for (int i = 0; i < events.size(); ++i)
        QCOMPARE(events[i][u"seq"_s].toInteger(), i + 1);
}

void TestRelayDelivery::gapAfterRetention()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    {
        RelayProcess relay(data);
        QVERIFY(relay.start());
        for (int i = 1; i <= 6; ++i)
            QCOMPARE(post(relay.port(), eventBody(u"gap-%1"_s.arg(i))), 200);
        QCOMPARE(relay.terminate(), 0);
    }
    const QByteArray token = RelayProcess::tokenCommand(data, {u"add"_s, u"laptop"_s});
    RelayProcess relay(data);
    QVERIFY(relay.start({u"--retention-max-events"_s, u"3"_s})); // pruning runs at start
    RelayClient client;
    QVERIFY(client.open(relay.port(), token, 1)); // had seen seq 1 only
    QVERIFY(client.waitFor(u"live"_s) >= 0);
    QCOMPARE(client.messages[0][u"oldest_seq"_s].toInteger(), 4);
    QCOMPARE(client.messages[1][u"type"_s].toString(), u"gap"_s);
    QCOMPARE(client.messages[1][u"from"_s].toInteger(), 2);
    QCOMPARE(client.messages[1][u"to"_s].toInteger(), 3);
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.first()[u"seq"_s].toInteger(), 4);
    // Sequence numbers are never reused after pruning.
    QCOMPARE(post(relay.port(), eventBody(u"gap-7"_s)), 200);
    QTRY_COMPARE(client.ofType(u"event"_s).size(), 4);
    QCOMPARE(client.ofType(u"event"_s).last()[u"seq"_s].toInteger(), 7);
}

void TestRelayDelivery::newRelayIdAfterWipe()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    QString firstId;
    for (int round = 0; round < 3; ++round) {
        const QByteArray token = RelayProcess::tokenCommand(data, {u"add"_s, u"r%1"_s.arg(round)});
        RelayProcess relay(data);
        QVERIFY(relay.start());
        RelayClient client;
        QVERIFY(client.open(relay.port(), token, 0));
        QVERIFY(client.waitFor(u"hello"_s) >= 0);
        const QString id = client.messages.first()[u"relay_id"_s].toString();
        QVERIFY(!id.isEmpty());
        if (round == 0)
            firstId = id;
        else if (round == 1)
            QCOMPARE(id, firstId); // a restart keeps the log and its id
        else
            QVERIFY(id != firstId); // a wiped log is a new one
        QCOMPARE(relay.terminate(), 0);
        if (round == 1)
            QVERIFY(QDir(data).removeRecursively());
    }
}

void TestRelayDelivery::tokensRefused_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::newRow("missing") << QByteArray();
    QTest::newRow("wrong") << "Bearer ctr_notarealtoken"_ba;
    QTest::newRow("not bearer") << "Basic dXNlcjpwYXNz"_ba;
    QTest::newRow("revoked") << "revoked"_ba;
}

void TestRelayDelivery::tokensRefused()
{
    QFETCH(QByteArray, authorization);
    RelayProcess relay;
    QVERIFY(relay.start());
    QCOMPARE(post(relay.port(), eventBody(u"secret-event"_s)), 200);
    if (authorization == "revoked") {
        const QByteArray token = relay.addToken(u"old-laptop"_s);
        int code = -1;
        RelayProcess::tokenCommand(relay.dataDir(), {u"revoke"_s, u"old-laptop"_s}, &code);
        QCOMPARE(code, 0);
        authorization = "Bearer " + token;
    }
    HttpTestClient c;
    QVERIFY(c.connectTo(relay.port()));
    QByteArray request = "GET /events?since=0 HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"_ba;
    if (!authorization.isEmpty())
        request += "Authorization: " + authorization + "\r\n";
    c.send(request + "\r\n");
    const auto r = c.read(10000);
    QVERIFY(r);
    QCOMPARE(r->status, 401); // no upgrade, no data
    QVERIFY(!r->body.contains("secret-event"));
    QVERIFY(c.waitForClose());
}

void TestRelayDelivery::revocationClosesLiveConnection()
{
    RelayProcess relay;
    QVERIFY(relay.start());
    const QByteArray keep = relay.addToken(u"desktop"_s);
    const QByteArray lose = relay.addToken(u"stolen-laptop"_s);
    RelayClient kept, revoked;
    QVERIFY(kept.open(relay.port(), keep, 0));
    QVERIFY(revoked.open(relay.port(), lose, 0));
    QVERIFY(kept.waitFor(u"live"_s) >= 0 && revoked.waitFor(u"live"_s) >= 0);
    int code = -1;
    const QByteArray out = RelayProcess::tokenCommand(relay.dataDir(), {u"revoke"_s, u"stolen-laptop"_s}, &code);
    QCOMPARE(code, 0);
    QTRY_VERIFY_WITH_TIMEOUT(revoked.disconnected, 10000); // noticed within 5 s
    QCOMPARE(revoked.closeCode, 4001);
    QVERIFY(!kept.disconnected);
    QCOMPARE(post(relay.port(), eventBody(u"after-revoke"_s)), 200);
    QVERIFY(kept.waitFor(u"event"_s) >= 0);
    const QByteArray list = RelayProcess::tokenCommand(relay.dataDir(), {u"list"_s});
    QVERIFY2(list.contains("stolen-laptop") && list.contains("revoked"), list.constData());
}

void TestRelayDelivery::slowClientClosedOthersUnaffected()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--client-buffer-limit"_s, u"65536"_s}));
    const QByteArray token = relay.addToken(u"t"_s);
    RelayClient fast;
    QVERIFY(fast.open(relay.port(), token, 0));
    QVERIFY(fast.waitFor(u"live"_s) >= 0);

    // A client that completes the handshake and then never reads, with a tiny receive buffer.
    QTcpSocket slow;
    slow.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    slow.connectToHost(QHostAddress::LocalHost, relay.port());
    QVERIFY(slow.waitForConnected(5000));
    slow.write("GET /events?since=0 HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
               + token + "\r\n\r\n");
    QVERIFY(QTest::qWaitFor([&] { return slow.bytesAvailable() > 0; }, 5000));
    QVERIFY(slow.peek(12).startsWith("HTTP/1.1 101"));
    slow.setReadBufferSize(1); // from now on Qt reads (almost) nothing: the kernel buffers fill up

    // Big events, many of them, until the relay gives up on the slow client (bounded).
    QByteArray padding(6000, 'p');
    int sent = 0;
    HttpTestClient poster;
    QVERIFY(poster.connectTo(relay.port()));
    bool closed = false;
    while (sent < 4000 && !closed) {
        QByteArray burst;
        for (int i = 0; i < 50; ++i, ++sent) {
            QByteArray body = eventBody(u"slow-%1"_s.arg(sent));
            body.insert(body.size() - 1, ",\"padding\":\"" + padding + "\"");
            burst += signedPost(body);
        }
        poster.send(burst);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(poster.read(10000)->status, 200);
        HttpTestClient m;
        QVERIFY(m.connectTo(relay.port()));
        m.send("GET /metrics HTTP/1.1\r\n\r\n");
        closed = m.read()->body.contains("circletray_relay_clients_closed_total{reason=\"too_slow\"} 1");
    }
    QVERIFY2(closed, qPrintable(u"not closed after %1 events"_s.arg(sent)));
    qInfo("slow client closed after %d events of ~6 KB", sent);
    // The fast client got everything, in order, while the slow one was being cut off.
    QTRY_COMPARE_WITH_TIMEOUT(fast.ofType(u"event"_s).size(), sent, 20000);
    QCOMPARE(fast.ofType(u"event"_s).last()[u"seq"_s].toInteger(), sent);
    QVERIFY(!fast.disconnected);
}

void TestRelayDelivery::tls()
{
    ct::test::TestCa ca;
    if (!ca.create())
        QSKIP("openssl command not installed (scripts/install-deps installs it)");

    RelayProcess relay;
    QVERIFY(relay.start({u"--tls-cert"_s, ca.serverCert(), u"--tls-key"_s, ca.serverKey()}));
    const QByteArray token = relay.addToken(u"tls"_s);

    RelayClient client;
    QSslConfiguration trust = QSslConfiguration::defaultConfiguration();
    trust.addCaCertificates(QSslCertificate::fromPath(ca.caCert()));
    client.socket().setSslConfiguration(trust);
    QVERIFY(client.open(relay.port(), token, 0, true));
    QVERIFY(client.waitFor(u"live"_s) >= 0);

    // circletray-hook send over https, trusting the test CA.
    QProcess hook;
    QTemporaryDir secrets;
    QFile s(secrets.filePath(u"s"_s));
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write(relaySecret);
    s.close();
    hook.start(QStringLiteral(CT_HOOK_PATH),
               {u"send"_s, u"--url"_s, u"https://127.0.0.1:%1/webhook"_s.arg(relay.port()), u"--secret-file"_s,
                s.fileName(), u"--cacert"_s, ca.caCert()});
    QSignalSpy finished(&hook, &QProcess::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(hook.exitCode(), 0);
    QVERIFY(client.waitFor(u"event"_s) >= 0);

    // Plain HTTP to the TLS port gets nowhere.
    HttpTestClient plain;
    QVERIFY(plain.connectTo(relay.port()));
    plain.send(signedPost(eventBody(u"plain"_s)));
    QVERIFY(!plain.read(1500));
}

void TestRelayDelivery::keepaliveDropsSilentPeers()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--keepalive-interval"_s, u"1"_s, u"--keepalive-timeout"_s, u"3"_s}));
    const QByteArray token = relay.addToken(u"t"_s);
    RelayClient alive; // QWebSocket answers pings by itself
    QVERIFY(alive.open(relay.port(), token, 0));
    QTcpSocket mute; // completes the handshake, then never answers anything
    mute.connectToHost(QHostAddress::LocalHost, relay.port());
    QVERIFY(mute.waitForConnected(5000));
    mute.write("GET /events HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
               + token + "\r\n\r\n");
    QVERIFY(QTest::qWaitFor([&] { return mute.bytesAvailable() > 0; }, 5000));
    QByteArray fromRelay;
    QVERIFY(QTest::qWaitFor(
        [&] {
            fromRelay += mute.readAll();
            return mute.state() == QAbstractSocket::UnconnectedState;
        },
        10000)); // dropped after ~3 s of silence
    QVERIFY(fromRelay.contains("\x89")); // it was pinged (opcode 0x9) before being dropped
    QTest::qWait(1500);
    QVERIFY(!alive.disconnected);
}

void TestRelayDelivery::sighupReloadsCertificate()
{
    ct::test::TestCa ca;
    if (!ca.selfSigned("first", "first") || !ca.selfSigned("second", "second"))
        QSKIP("openssl command not installed (scripts/install-deps installs it)");
    const auto dirPath = [&ca](const QString &name) { return ca.path(name.toLatin1().constData()); };
    QVERIFY(QFile::copy(dirPath(u"first.pem"_s), dirPath(u"live.pem"_s)));
    QVERIFY(QFile::copy(dirPath(u"first.key"_s), dirPath(u"live.key"_s)));
    RelayProcess relay;
    QVERIFY(relay.start({u"--tls-cert"_s, dirPath(u"live.pem"_s), u"--tls-key"_s, dirPath(u"live.key"_s)}));
    const auto peerName = [&] {
        QSslSocket s;
        s.setPeerVerifyMode(QSslSocket::VerifyNone);
        s.connectToHostEncrypted(u"127.0.0.1"_s, relay.port());
        if (!s.waitForEncrypted(10000))
            return QString();
        return s.peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0);
    };
    QCOMPARE(peerName(), u"first"_s);
    QFile::remove(dirPath(u"live.pem"_s));
    QFile::remove(dirPath(u"live.key"_s));
    QVERIFY(QFile::copy(dirPath(u"second.pem"_s), dirPath(u"live.pem"_s)));
    QVERIFY(QFile::copy(dirPath(u"second.key"_s), dirPath(u"live.key"_s)));
    QVERIFY(relay.signal(SIGHUP));
    QTRY_COMPARE_WITH_TIMEOUT(peerName(), u"second"_s, 10000);
}

void TestRelayDelivery::issue13_tokenCommandsNeedAnEventLog_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("folderExists");
    QTest::newRow("list, no such folder") << QStringList {u"list"_s} << false;
    QTest::newRow("list, empty folder") << QStringList {u"list"_s} << true;
    QTest::newRow("revoke, no such folder") << QStringList {u"revoke"_s, u"laptop"_s} << false;
    QTest::newRow("revoke, empty folder") << QStringList {u"revoke"_s, u"laptop"_s} << true;
}

void TestRelayDelivery::issue13_tokenCommandsNeedAnEventLog()
{
    // A mistyped --data-dir: say so, instead of listing the tokens of a new, empty log made there.
    QFETCH(QStringList, args);
    QFETCH(bool, folderExists);
    QTemporaryDir dir;
    const QString data = dir.filePath(u"relay-dta"_s);
    if (folderExists)
        QVERIFY(QDir().mkpath(data));
    const TokenRun r = token(data, args);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray());
    QCOMPARE(QString::fromUtf8(r.err),
             u"circletray-relay token: no event log in %1: start the relay once with this --data-dir, or check the "
             "path\n"_s.arg(data));
    QCOMPARE(QFileInfo::exists(data), folderExists); // nothing created
    QVERIFY(!QFileInfo::exists(QDir(data).filePath(u"events.sqlite"_s)));
}

void TestRelayDelivery::issue13_tokenCommandsPrintOnlyTheirOwnOutput()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s);
    // `add` on a new install (README step 6 may come before the first start): it makes the log,
    // and says where, but the log's own lines ("migrated … to schema version", "event log … relay
    // id …") stay out.
    TokenRun r = token(data, {u"add"_s, u"laptop"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(QRegularExpression(u"^ctr_[A-Za-z0-9_-]{43}\n$"_s).match(QString::fromLatin1(r.out)).hasMatch(),
             r.out.constData());
    QCOMPARE(QString::fromUtf8(r.err),
             u"Token \"laptop\" created. It is shown only this once: give it to the CircleTray app.\n"
             "New event log in %1: the relay must run with this --data-dir to accept the token.\n"_s.arg(data));
    r = token(data, {u"add"_s, u"desktop"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.err, "Token \"desktop\" created. It is shown only this once: give it to the CircleTray app.\n"_ba);
    r = token(data, {u"revoke"_s, u"laptop"_s});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, "revoked laptop\n"_ba);
    QCOMPARE(r.err, QByteArray());
    {
        RelayProcess relay(data);
        QVERIFY(relay.start());
        QCOMPARE(relay.terminate(), 0);
    }
    r = token(data, {u"list"_s});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith("desktop\tcreated ") && lines.at(0).endsWith("\tvalid"), r.out.constData());
    QVERIFY2(lines.at(1).startsWith("laptop\tcreated ") && lines.at(1).contains("\trevoked "), r.out.constData());
    QCOMPARE(r.err, QByteArray());
}

QTEST_GUILESS_MAIN(TestRelayDelivery)
#include "tst_relaydelivery.moc"
