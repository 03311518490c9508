// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// circletray-hook as a user runs it: a real process, real files, a real server on loopback.
#include "core/eventjson.h"
#include "core/eventparser.h"
#include "core/httpserver.h"
#include "core/statustracker.h"
#include "core/webhookreceiver.h"
#include "fixtures.h"
#include "testca.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(ct::WebhookDelivery)

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

//! Runs circletray-hook while this test's event loop keeps serving (for `send`).
Run hook(const QStringList &args, const QByteArray &stdinData = {})
{
    QProcess p;
    p.setProgram(QStringLiteral(CT_HOOK_PATH));
    p.setArguments(args);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start();
    if (!p.waitForStarted())
        return {};
    p.write(stdinData);
    p.closeWriteChannel();
    if (!finished.wait(30000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QString data(const char *name)
{
    return ct::test::fixturePath(QString::fromLatin1(name));
}

} // namespace

class TestCircleTrayHook final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void help();
    void verify_data();
    void verify();
    void verifySecretFile();
    void parseFixtures_data();
    void parseFixtures();
    void parseErrors();
    void sendBuiltInSamples_data();
    void sendBuiltInSamples();
    void sendsEveryDocumentedStatus_data();
    void sendsEveryDocumentedStatus();
    void issue13_statusCircleCiNeverSendsRefused_data();
    void issue13_statusCircleCiNeverSendsRefused();
    void failedThenSuccessReadsAsFixed();
    void sendFileAsIs();
    void sendReportsRefusalAndNetworkErrors();
    void sendOverTlsWithCacert();
    void usageErrors_data();
    void usageErrors();

private:
    ct::HttpServer m_server;
    std::unique_ptr<ct::WebhookReceiver> m_receiver;
    QString url;
};

void TestCircleTrayHook::initTestCase()
{
    qRegisterMetaType<ct::WebhookDelivery>();
    m_receiver = std::make_unique<ct::WebhookReceiver>(&m_server);
    m_receiver->setSecrets({"team-secret"_ba});
    QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    url = u"http://127.0.0.1:%1/webhook"_s.arg(m_server.serverPort());
}

void TestCircleTrayHook::help()
{
    Run r = hook({u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("verify") && r.out.contains("parse") && r.out.contains("send"));
    for (const QString &command : {u"verify"_s, u"parse"_s, u"send"_s}) {
        r = hook({command, u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QByteArray("circletray-hook " + command.toUtf8())), r.out.constData());
    }
    QVERIFY(hook({u"send"_s, u"--help"_s}).out.contains("--cacert"));
}

void TestCircleTrayHook::verify_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("output");
    const QString good = u"v1=734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"_s;
    // clang-format off
    QTest::newRow("valid")           << QStringList { u"--secret"_s, u"secret"_s, u"--signature"_s, good, u"-"_s } << "hello world"_ba << 0 << "valid\n"_ba;
    QTest::newRow("rotation")        << QStringList { u"--secret"_s, u"new"_s, u"--secret"_s, u"secret"_s, u"--signature"_s, good, u"-"_s } << "hello world"_ba << 0 << "valid\n"_ba;
    QTest::newRow("wrong secret")    << QStringList { u"--secret"_s, u"nope"_s, u"--signature"_s, good, u"-"_s } << "hello world"_ba << 1 << "mismatch"_ba;
    QTest::newRow("tampered")        << QStringList { u"--secret"_s, u"secret"_s, u"--signature"_s, good, u"-"_s } << "hello world!"_ba << 1 << "mismatch"_ba;
    QTest::newRow("v2 only")         << QStringList { u"--secret"_s, u"secret"_s, u"--signature"_s, u"v2=abc"_s, u"-"_s } << "hello world"_ba << 1 << "malformed"_ba;
    QTest::newRow("no signature")    << QStringList { u"--secret"_s, u"secret"_s, u"-"_s } << "hello world"_ba << 1 << "missing"_ba;
    // clang-format on
}

void TestCircleTrayHook::verify()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, body);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, output);
    const Run r = hook(QStringList {u"verify"_s} + args, body);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.out.contains(output), r.out.constData());
}

void TestCircleTrayHook::verifySecretFile()
{
    // A secrets file as people write them: comments, blank lines, a trailing newline.
    QTemporaryDir dir;
    QFile secrets(dir.filePath(u"secrets"_s));
    QVERIFY(secrets.open(QIODevice::WriteOnly));
    secrets.write("# rotated 2026-11\nold-one\n\nsecret\n");
    secrets.close();
    QFile body(dir.filePath(u"body.json"_s));
    QVERIFY(body.open(QIODevice::WriteOnly));
    body.write("hello world");
    body.close();
    const Run r = hook({u"verify"_s, u"--secret-file"_s, secrets.fileName(), u"--signature"_s,
                        u"v1=734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"_s, body.fileName()});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, "valid\n"_ba);
}

void TestCircleTrayHook::parseFixtures_data()
{
    QTest::addColumn<QString>("file");
    for (const char *f :
         {"github-oauth-success.json", "github-oauth-unicode-failed.json", "github-tag-build-nulls.json",
          "gitlab-job-completed.json", "github-app-workflow-completed.json", "ping.json"})
        QTest::newRow(f) << data(f);
}

void TestCircleTrayHook::parseFixtures()
{
    QFETCH(QString, file);
    const Run r = hook({u"parse"_s, file});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.endsWith('\n'));
    QCOMPARE(r.out.count('\n'), 1); // one JSON object on one line
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    ct::EventParser parser;
    const QJsonObject expected = ct::eventToJson(parser.parse(f.readAll()).event);
    QCOMPARE(QJsonDocument::fromJson(r.out).object(), expected);
    // And from standard input.
    f.seek(0);
    QCOMPARE(hook({u"parse"_s, u"-"_s}, f.readAll()).out, r.out);
}

void TestCircleTrayHook::parseErrors()
{
    Run r = hook({u"parse"_s, u"-"_s}, "{\"type\":\"workflow-completed\",\"id\":\"x\"}");
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains("webhook"), r.err.constData()); // names the missing field
    r = hook({u"parse"_s, u"-"_s}, "not json");
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("invalid JSON"));
    r = hook({u"parse"_s, u"/nonexistent/file.json"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("cannot read"));
}

void TestCircleTrayHook::sendBuiltInSamples_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QString>("status");
    QTest::newRow("default") << QStringList() << "workflow-completed"_ba << u"success"_s;
    QTest::newRow("failed workflow") << QStringList {u"--status"_s, u"failed"_s, u"--branch"_s, u"release/1.0"_s}
                                     << "workflow-completed"_ba << u"failed"_s;
    QTest::newRow("job") << QStringList {u"--type"_s, u"job-completed"_s, u"--status"_s, u"canceled"_s}
                         << "job-completed"_ba << u"canceled"_s;
    QTest::newRow("ping") << QStringList {u"--type"_s, u"ping"_s} << "ping"_ba << QString();
}

void TestCircleTrayHook::sendBuiltInSamples()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, type);
    QFETCH(QString, status);
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    const Run r = hook(QStringList {u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s} + args);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, "200 OK\n"_ba);
    QVERIFY(!r.err.contains("team-secret")); // secrets never printed
    QCOMPARE(received.size(), 1);
    const auto d = received.first().first().value<ct::WebhookDelivery>();
    QCOMPARE(d.eventTypeHeader, type);
    QCOMPARE(ct::eventTypeName(d.event.type), type);
    QVERIFY(QUuid::fromString(d.event.id).isNull() == false);
    QVERIFY(d.event.happenedAt.isValid());
    QVERIFY(qAbs(d.event.happenedAt.secsTo(QDateTime::currentDateTimeUtc())) < 600); // fresh
    if (d.event.type == ct::EventType::WorkflowCompleted) {
        QCOMPARE(*d.event.workflow->status, status);
        QVERIFY(d.event.pipeline->commitSubject);
        if (args.contains(u"--branch"_s))
            QCOMPARE(*d.event.pipeline->branch, u"release/1.0"_s);
    } else if (d.event.type == ct::EventType::JobCompleted) {
        QCOMPARE(d.event.job->status, status);
        QVERIFY(d.event.job->url->startsWith(u"https://app.circleci.com/pipelines/github/"_s));
    }
    // Fresh ids every time.
    const Run again = hook(QStringList {u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s} + args);
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(received.size(), 2);
    QVERIFY(received.at(1).first().value<ct::WebhookDelivery>().event.id != d.event.id);
}

void TestCircleTrayHook::sendsEveryDocumentedStatus_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("status");
    // What docs/circleci-webhooks.md §6 lists for completed events.
    for (const char *status : {"success", "failed", "error", "canceled", "unauthorized"})
        QTest::addRow("workflow %s", status) << u"workflow-completed"_s << QString::fromLatin1(status);
    for (const char *status : {"success", "failed", "canceled", "unauthorized"})
        QTest::addRow("job %s", status) << u"job-completed"_s << QString::fromLatin1(status);
}

void TestCircleTrayHook::sendsEveryDocumentedStatus()
{
    QFETCH(QString, type);
    QFETCH(QString, status);
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    const Run r =
        hook({u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s, u"--type"_s, type, u"--status"_s, status});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(received.size(), 1);
    const auto d = received.first().first().value<ct::WebhookDelivery>();
    QCOMPARE(d.event.job ? d.event.job->status : d.event.workflow->status.value_or(QString()), status);
}

void TestCircleTrayHook::issue13_statusCircleCiNeverSendsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("valid"); // how the message ends: the values valid for the --type
    const QByteArray workflow = "one of: success, failed, error, canceled, unauthorized";
    const QByteArray job = "one of: success, failed, canceled, unauthorized";
    // clang-format off
    QTest::newRow("workflow running")    << QStringList {u"--status"_s, u"running"_s} << workflow;
    QTest::newRow("workflow typo")       << QStringList {u"--status"_s, u"fialed"_s} << workflow;
    QTest::newRow("workflow upper case") << QStringList {u"--status"_s, u"Failed"_s} << workflow;
    QTest::newRow("workflow empty")      << QStringList {u"--status"_s, QString()} << workflow;
    QTest::newRow("workflow on_hold")    << QStringList {u"--type"_s, u"workflow-completed"_s, u"--status"_s, u"on_hold"_s} << workflow;
    QTest::newRow("workflow not_run")    << QStringList {u"--status"_s, u"not_run"_s} << workflow;
    QTest::newRow("job error")           << QStringList {u"--type"_s, u"job-completed"_s, u"--status"_s, u"error"_s} << job;
    QTest::newRow("job queued")          << QStringList {u"--type"_s, u"job-completed"_s, u"--status"_s, u"queued"_s} << job;
    QTest::newRow("ping with a status")  << QStringList {u"--type"_s, u"ping"_s, u"--status"_s, u"success"_s} << "ping (it has no status)"_ba;
    // clang-format on
}

void TestCircleTrayHook::issue13_statusCircleCiNeverSendsRefused()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, valid);
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    const Run r = hook(QStringList {u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s} + args);
    QCOMPARE(r.exitCode, 2); // a usage error, and nothing sent
    QVERIFY(r.out.isEmpty());
    QCOMPARE(received.size(), 0);
    const QByteArray firstLine = r.err.left(r.err.indexOf('\n'));
    QVERIFY2(firstLine.startsWith("circletray-hook send: --status "), r.err.constData());
    QVERIFY2(firstLine.endsWith(valid), r.err.constData());
}

void TestCircleTrayHook::failedThenSuccessReadsAsFixed()
{
    // What README tells a newcomer to try: a failed build, then a passing one. The second run must
    // not look older than the first (a stale run never notifies), however the samples are timed.
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    ct::StatusTracker tracker;
    for (int pair = 0; pair < 5; ++pair) {
        for (const auto status : {"failed", "success"}) {
            const Run r = hook({u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s, u"--status"_s,
                                QString::fromLatin1(status)});
            QCOMPARE(r.exitCode, 0);
        }
        QCOMPARE(received.size(), 2 * (pair + 1));
        const auto failed = tracker.record(received.at(2 * pair).first().value<ct::WebhookDelivery>().event);
        const auto fixed = tracker.record(received.at(2 * pair + 1).first().value<ct::WebhookDelivery>().event);
        QVERIFY(failed && fixed);
        QCOMPARE(failed->transition, ct::Transition::Broken);
        QVERIFY(!fixed->stale);
        QCOMPARE(fixed->transition, ct::Transition::Fixed);
    }
}

void TestCircleTrayHook::sendFileAsIs()
{
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    QFile f(data("gitlab-job-completed.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    const Run r = hook({u"send"_s, u"--url"_s, url, u"--secret"_s, u"team-secret"_s, f.fileName()});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(received.size(), 1);
    const auto d = received.first().first().value<ct::WebhookDelivery>();
    QCOMPARE(d.body, bytes); // byte-identical, pretty-printing and all
    QCOMPARE(d.eventTypeHeader, "job-completed"_ba); // taken from the body's type
}

void TestCircleTrayHook::sendReportsRefusalAndNetworkErrors()
{
    QSignalSpy received(m_receiver.get(), &ct::WebhookReceiver::deliveryReceived);
    Run r = hook({u"send"_s, u"--url"_s, url, u"--secret"_s, u"wrong-secret"_s});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.startsWith("401 "), r.out.constData());
    QVERIFY(r.out.contains("mismatch"));
    QCOMPARE(received.size(), 0);

    // A port nobody listens on: take a free one and close it.
    quint16 closedPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        closedPort = s.serverPort();
    }
    r = hook({u"send"_s, u"--url"_s, u"http://127.0.0.1:%1/webhook"_s.arg(closedPort), u"--secret"_s, u"x"_s});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("refused"), r.err.constData());
}

void TestCircleTrayHook::sendOverTlsWithCacert()
{
    ct::test::TestCa ca;
    if (!ca.create())
        QSKIP("openssl command not installed (scripts/install-deps installs it)");

    // A minimal TLS responder: reads one request head and answers 200.
    QSslServer server;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(QSslCertificate::fromPath(ca.serverCert()));
    QFile keyFile(ca.serverKey());
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
    server.setSslConfiguration(tls);
    QByteArray seen;
    connect(&server, &QTcpServer::pendingConnectionAvailable, this, [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            s->setParent(&server);
            connect(s, &QIODevice::readyRead, s, [s, &seen] {
                seen += s->readAll();
                if (seen.contains("\r\n\r\n") && seen.endsWith('}')) {
                    s->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    s->disconnectFromHost();
                }
            });
        }
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const QString tlsUrl = u"https://127.0.0.1:%1/webhook"_s.arg(server.serverPort());

    Run r = hook({u"send"_s, u"--url"_s, tlsUrl, u"--secret"_s, u"s"_s, u"--type"_s, u"ping"_s});
    QCOMPARE(r.exitCode, 3); // our CA is not trusted by default
    QVERIFY(seen.isEmpty());
    r = hook(
        {u"send"_s, u"--url"_s, tlsUrl, u"--secret"_s, u"s"_s, u"--type"_s, u"ping"_s, u"--cacert"_s, ca.caCert()});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, "200 OK\n"_ba);
    QVERIFY(seen.startsWith("POST /webhook HTTP/1.1"));
    QVERIFY(seen.contains("circleci-event-type: ping"));
}

void TestCircleTrayHook::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList();
    QTest::newRow("unknown command") << QStringList {u"frobnicate"_s};
    QTest::newRow("send without url") << QStringList {u"send"_s, u"--secret"_s, u"s"_s};
    QTest::newRow("send without secret") << QStringList {u"send"_s, u"--url"_s, u"http://127.0.0.1:1/"_s};
    QTest::newRow("send bad type") << QStringList {u"send"_s, u"--url"_s,  u"http://127.0.0.1:1/"_s, u"--secret"_s,
                                                   u"s"_s,    u"--type"_s, u"build-started"_s};
    QTest::newRow("send ftp url") << QStringList {u"send"_s, u"--url"_s, u"ftp://x/"_s, u"--secret"_s, u"s"_s};
    QTest::newRow("verify no file") << QStringList {u"verify"_s, u"--secret"_s, u"s"_s};
    QTest::newRow("unknown option") << QStringList {u"parse"_s, u"--frob"_s, u"-"_s};
}

void TestCircleTrayHook::usageErrors()
{
    QFETCH(QStringList, args);
    const Run r = hook(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!r.err.isEmpty());
}

QTEST_GUILESS_MAIN(TestCircleTrayHook)
#include "tst_circletrayhook.moc"
