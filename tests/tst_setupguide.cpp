// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The first-run guide, walked as a user would, in the project's headless desktop.
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/setup/setupguide.h"
#include "app/sources/relayconnectiontester.h"
#include "relayprocess.h"
#include "testca.h"

#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

Q_DECLARE_METATYPE(ct::RelayConnectionTester::Result)

namespace {

int runHook(const QStringList &args)
{
    QProcess p;
    QSignalSpy finished(&p, &QProcess::finished);
    p.start(QStringLiteral(CT_HOOK_PATH), args);
    if (!finished.wait(20000))
        return -1;
    return p.exitCode();
}

} // namespace

class TestSetupGuide final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void directModeConfirmsThePing();
    void connectionTestNamesWhatFailed();
    void connectionTestNamesCommonMistakes();
    void pastedWebhookPathIsNotDoubled();

private:
    QTemporaryDir m_dir;
};

void TestSetupGuide::initTestCase()
{
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    qRegisterMetaType<ct::RelayConnectionTester::Result>();
}

void TestSetupGuide::directModeConfirmsThePing()
{
    ct::Settings settings(m_dir.filePath(u"guide.ini"_s));
    ct::SecretStore secrets(m_dir.filePath(u"guide-secrets.ini"_s));
    ct::SetupGuide guide(&settings, &secrets);
    guide.show();
    QVERIFY(QTest::qWaitForWindowExposed(&guide));
    if (!qEnvironmentVariableIsEmpty("CT_SCREENSHOT_DIR"))
        guide.grab().save(qEnvironmentVariable("CT_SCREENSHOT_DIR") + u"/setup-guide-start.png"_s);
    guide.directChoice()->setChecked(true);
    guide.next();
    QCOMPARE(guide.currentId(), int(ct::SetupGuide::DirectPage));
    guide.portEdit()->setValue(0); // any free port, for the test
    guide.next();
    QCOMPARE(guide.currentId(), int(ct::SetupGuide::CircleCiPage));
    const quint16 port = guide.listeningPort();
    QVERIFY(port != 0);
    QVERIFY2(guide.pingStatus().contains(u"Waiting"_s), qPrintable(guide.pingStatus()));
    QCOMPARE(guide.secret().size(), 64);

    const QString url = u"http://127.0.0.1:%1/webhook"_s.arg(port);
    // A secret pasted wrong into CircleCI: the guide explains the mismatch.
    QCOMPARE(runHook({u"send"_s, u"--type"_s, u"ping"_s, u"--url"_s, url, u"--secret"_s, u"typo"_s}), 1);
    QTRY_VERIFY2(guide.pingStatus().contains(u"does not match"_s), qPrintable(guide.pingStatus()));
    QVERIFY(!guide.pingConfirmed());
    // CircleCI's "Test Ping Event" with the right secret.
    QCOMPARE(runHook({u"send"_s, u"--type"_s, u"ping"_s, u"--url"_s, url, u"--secret"_s, guide.secret()}), 0);
    QTRY_VERIFY(guide.pingConfirmed());
    QVERIFY2(guide.pingStatus().contains(u"signed correctly"_s), qPrintable(guide.pingStatus()));
    if (!qEnvironmentVariableIsEmpty("CT_SCREENSHOT_DIR"))
        guide.grab().save(qEnvironmentVariable("CT_SCREENSHOT_DIR") + u"/setup-guide-done.png"_s);

    guide.accept();
    QVERIFY(settings.isConfigured());
    QCOMPARE(settings.source(), u"direct"_s);
    QCOMPARE(secrets.webhookSecrets(), QList<QByteArray>({guide.secret().toUtf8()}));
}

void TestSetupGuide::connectionTestNamesWhatFailed()
{
    ct::test::TestCa ca;
    if (!ca.create())
        QSKIP("openssl command not installed");
    RelayProcess relay;
    QVERIFY(relay.start({u"--tls-cert"_s, ca.serverCert(), u"--tls-key"_s, ca.serverKey()}));
    const QByteArray token = relay.addToken(u"guide"_s);
    const QString relayUrl = u"https://127.0.0.1:%1"_s.arg(relay.port());
    QTcpServer silent; // accepts, never answers
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    quint16 closedPort = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        closedPort = s.serverPort();
    }

    struct Case
    {
        QString url;
        QByteArray token;
        bool trustCa;
        ct::RelayConnectionTester::Result expected;
    };
    const QList<Case> cases = {
        {relayUrl, token, true, ct::RelayConnectionTester::Result::Ok},
        {relayUrl, "ctr_wrong", true, ct::RelayConnectionTester::Result::Unauthorized},
        {relayUrl, token, false, ct::RelayConnectionTester::Result::Tls},
        {u"https://relay.invalid"_s, token, true, ct::RelayConnectionTester::Result::Dns},
        {u"http://127.0.0.1:%1"_s.arg(silent.serverPort()), token, true, ct::RelayConnectionTester::Result::Timeout},
        {u"http://127.0.0.1:%1"_s.arg(closedPort), token, true, ct::RelayConnectionTester::Result::Refused},
    };
    for (const Case &c : cases) {
        ct::RelayConnectionTester tester;
        if (c.trustCa)
            tester.setExtraCaCertificates(QSslCertificate::fromPath(ca.caCert()));
        QSignalSpy done(&tester, &ct::RelayConnectionTester::finished);
        tester.test(c.url, c.token, 1500);
        QVERIFY2(done.wait(15000), qPrintable(c.url));
        const auto result = done.first().at(0).value<ct::RelayConnectionTester::Result>();
        QVERIFY2(result == c.expected, qPrintable(c.url + u": "_s + done.first().at(1).toString()));
        QVERIFY(!done.first().at(1).toString().isEmpty());
    }
}

void TestSetupGuide::connectionTestNamesCommonMistakes()
{
    // Issue 15 (9): empty fields, the CircleCI /webhook URL, https:// to a plain-http relay, no scheme.
    RelayProcess plain;
    QVERIFY(plain.start());
    const QByteArray token = plain.addToken(u"guide"_s);
    const QString hostPort = u"127.0.0.1:%1"_s.arg(plain.port());
    struct Case
    {
        QString url;
        QByteArray token;
        QString says;
    };
    const QList<Case> cases = {
        {QString(), token, u"Enter the relay's address"_s},
        {u"http://"_s + hostPort, QByteArray(), u"Enter this device's token"_s},
        {u"https://relay.example.com/webhook"_s, token, u"the URL CircleCI posts to"_s},
        {u"https://"_s + hostPort, token, u"does not speak TLS"_s},
        {hostPort, token, u"No scheme was given"_s},
    };
    for (const Case &c : cases) {
        ct::RelayConnectionTester tester;
        QSignalSpy done(&tester, &ct::RelayConnectionTester::finished);
        tester.test(c.url, c.token, 3000);
        QVERIFY2(done.size() == 1 || done.wait(15000), qPrintable(c.url));
        const QString message = done.first().at(1).toString();
        QVERIFY2(message.contains(c.says), qPrintable(c.url + u": "_s + message));
    }
}

void TestSetupGuide::pastedWebhookPathIsNotDoubled()
{
    ct::Settings settings(m_dir.filePath(u"paste.ini"_s));
    ct::SecretStore secrets(m_dir.filePath(u"paste-secrets.ini"_s));
    ct::SetupGuide guide(&settings, &secrets);
    guide.directChoice()->setChecked(true);
    for (const QString &pasted :
         {u"https://ab12.ngrok-free.app/webhook"_s, u"https://ab12.ngrok-free.app/"_s, u"ab12.ngrok-free.app"_s}) {
        guide.publicUrlEdit()->setText(pasted);
        QCOMPARE(guide.webhookUrl(), u"https://ab12.ngrok-free.app/webhook"_s);
    }
}

QTEST_MAIN(TestSetupGuide)
#include "tst_setupguide.moc"
