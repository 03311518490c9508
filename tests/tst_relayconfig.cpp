// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/relayconfig.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRelayConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void flagBeatsEnvironmentBeatsFile();
    void secretsFromFileAndEnvironment();
    void shippedExampleLoads();
    void invalid_data();
    void invalid();

private:
    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &content)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write");
        f.write(content);
        return f.fileName();
    }
};

void TestRelayConfig::defaults()
{
    QString error;
    const auto c = ct::RelayConfigLoader::load({}, QProcessEnvironment(), &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->listenAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(c->port, 8788);
    QCOMPARE(c->webhookPath, "/webhook"_ba);
    QCOMPARE(c->durability, ct::Durability::Normal);
    QCOMPARE(c->keepaliveInterval.count(), 30);
    QCOMPARE(c->keepaliveTimeout.count(), 75);
    QVERIFY(c->secrets.isEmpty());
    QVERIFY(!c->metricsListen);
    QVERIFY(!c->dataDir.isEmpty());
}

void TestRelayConfig::flagBeatsEnvironmentBeatsFile()
{
    const QString ini = write(u"relay.ini"_s,
                              "port = 9000\nretention-days = 7\ndurability = full\nwebhook-path = /from-file\n"
                              "listen = 0.0.0.0\nmetrics-listen = 127.0.0.1:9100\n");
    QProcessEnvironment env;
    env.insert(u"CIRCLETRAY_RELAY_PORT"_s, u"9001"_s);
    env.insert(u"CIRCLETRAY_RELAY_RETENTION_DAYS"_s, u"14"_s);
    QString error;
    const auto c = ct::RelayConfigLoader::load({u"--config"_s, ini, u"--port"_s, u"9002"_s}, env, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->port, 9002); // flag
    QCOMPARE(c->retentionDays, 14); // environment
    QCOMPARE(c->durability, ct::Durability::Full); // file
    QCOMPARE(c->webhookPath, "/from-file"_ba);
    QCOMPARE(c->listenAddress, QHostAddress(QHostAddress::AnyIPv4));
    QVERIFY(c->metricsListen);
    QCOMPARE(c->metricsListen->second, 9100);
    // The config file itself may come from the environment.
    env.insert(u"CIRCLETRAY_RELAY_CONFIG"_s, ini);
    const auto d = ct::RelayConfigLoader::load({}, env, &error);
    QVERIFY2(d, qPrintable(error));
    QCOMPARE(d->durability, ct::Durability::Full);
    QCOMPARE(d->port, 9001);
}

void TestRelayConfig::shippedExampleLoads()
{
    // The relay.ini the package installs, with its list-valued trusted-proxies (issue 14).
    const QString example = QStringLiteral(CT_SOURCE_DIR "/packaging/linux/relay.ini.example");
    const QString secrets = write(u"example-secrets"_s, "s\n");
    QString error;
    const auto c = ct::RelayConfigLoader::load({u"--config"_s, example, u"--secret-file"_s, secrets},
                                               QProcessEnvironment(), &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->trustedProxies,
             QList<QHostAddress>({QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)}));
    QCOMPARE(c->maxConnections, 10000);
    QCOMPARE(c->maxConnectionsPerAddress, 256);
    QCOMPARE(c->maxSessionsPerToken, 16);
    QCOMPARE(c->rejectedNoticeInterval.count(), 60);
    QVERIFY(c->dashboard);
    QCOMPARE(c->publicUrl, QUrl(u"https://relay.example.com"_s));
    QCOMPARE(c->sessionIdleTimeout.count(), 7 * 86400);
    QCOMPARE(c->sessionLifetime.count(), 30 * 86400);
}

void TestRelayConfig::secretsFromFileAndEnvironment()
{
    const QString file = write(u"secrets"_s, "# rotated monthly\nnew-secret\n\n  old-secret  \n");
    QProcessEnvironment env;
    env.insert(u"CIRCLETRAY_RELAY_SECRET"_s, u"env-secret\n"_s);
    QString error;
    const auto c = ct::RelayConfigLoader::load({u"--secret-file"_s, file}, env, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->secrets, QList<QByteArray>({"new-secret"_ba, "old-secret"_ba, "env-secret"_ba}));
}

void TestRelayConfig::invalid_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("port") << QStringList {u"--port"_s, u"70000"_s} << u"--port"_s;
    QTest::newRow("listen") << QStringList {u"--listen"_s, u"example.com"_s} << u"--listen"_s;
    QTest::newRow("durability") << QStringList {u"--durability"_s, u"maybe"_s} << u"normal or full"_s;
    QTest::newRow("path") << QStringList {u"--webhook-path"_s, u"webhook"_s} << u"--webhook-path"_s;
    QTest::newRow("tls half") << QStringList {u"--tls-cert"_s, u"/x.pem"_s} << u"go together"_s;
    QTest::newRow("metrics") << QStringList {u"--metrics-listen"_s, u"9100"_s} << u"--metrics-listen"_s;
    QTest::newRow("secret file") << QStringList {u"--secret-file"_s, u"/nonexistent"_s} << u"secret file"_s;
    QTest::newRow("unknown flag") << QStringList {u"--frobnicate"_s} << u"frobnicate"_s;
    QTest::newRow("retention") << QStringList {u"--retention-days"_s, u"0"_s} << u"--retention-days"_s;
    QTest::newRow("trusted proxy") << QStringList {u"--trusted-proxies"_s, u"127.0.0.1,nginx"_s} << u"nginx"_s;
    QTest::newRow("sessions per token") << QStringList {u"--max-sessions-per-token"_s, u"0"_s}
                                        << u"--max-sessions-per-token"_s;
    QTest::newRow("max connections") << QStringList {u"--max-connections"_s, u"0"_s} << u"--max-connections"_s;
    QTest::newRow("dashboard") << QStringList {u"--dashboard"_s, u"maybe"_s} << u"on or off"_s;
    QTest::newRow("public url over http") << QStringList {u"--public-url"_s, u"http://relay.example.com"_s}
                                          << u"must be https://"_s;
    QTest::newRow("public url with a path") << QStringList {u"--public-url"_s, u"https://relay.example.com/wall"_s}
                                            << u"only scheme, host and port"_s;
    QTest::newRow("session lifetime") << QStringList {u"--session-lifetime"_s, u"0"_s} << u"--session-lifetime"_s;
}

void TestRelayConfig::invalid()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QString error;
    QVERIFY(!ct::RelayConfigLoader::load(args, QProcessEnvironment(), &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestRelayConfig)
#include "tst_relayconfig.moc"
