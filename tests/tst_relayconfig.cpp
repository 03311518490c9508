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
    void database();
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
    QVERIFY(!c->database); // SQLite
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
    QVERIFY(c->publicUrl.isEmpty()); // commented out: each install names its own
    QCOMPARE(c->sessionIdleTimeout.count(), 7 * 86400);
    QCOMPARE(c->sessionLifetime.count(), 30 * 86400);
}

void TestRelayConfig::database()
{
    // Issue 13: PostgreSQL by URL (flag, environment, file), the password only from a file.
    const QString password = write(u"pgpass"_s, "  spaced pass \n");
    QString error;
    auto c = ct::RelayConfigLoader::load(
        {u"--database"_s, u"postgresql://relay@db.internal:6432/circletray"_s, u"--database-password-file"_s, password},
        QProcessEnvironment(), &error);
    QVERIFY2(c && c->database, qPrintable(error));
    QCOMPARE(c->database->host, u"db.internal"_s);
    QCOMPARE(c->database->port, 6432);
    QCOMPARE(c->database->user, u"relay"_s);
    QCOMPARE(c->database->database, u"circletray"_s);
    QCOMPARE(c->database->password, u"  spaced pass "_s); // the first line, as written
    QCOMPARE(c->database->describe(), u"postgresql://relay@db.internal:6432/circletray"_s);

    QProcessEnvironment env;
    env.insert(u"CIRCLETRAY_RELAY_DATABASE"_s, u"postgres:///ct?host=/run/postgresql&sslmode=disable"_s);
    c = ct::RelayConfigLoader::load({}, env, &error);
    QVERIFY2(c && c->database, qPrintable(error));
    QCOMPARE(c->database->host, u"/run/postgresql"_s);
    QCOMPARE(c->database->port, -1);
    QCOMPARE(c->database->options, QStringList({u"sslmode=disable"_s}));
    QVERIFY(c->database->password.isEmpty()); // libpq's ~/.pgpass or PGPASSFILE
    QCOMPARE(c->database->describe(), u"postgresql:///ct?host=/run/postgresql&sslmode=disable"_s);
    // libpq's options: the relay's timeouts unless the URL sets its own.
    QStringList options = c->database->connectOptions(u"circletray-relay"_s).split(u';');
    QVERIFY2(options.contains(u"connect_timeout=10"_s) && options.contains(u"tcp_user_timeout=10000"_s)
                 && options.contains(u"keepalives=1"_s) && options.contains(u"application_name=circletray-relay"_s),
             qPrintable(options.join(u' ')));
    env.insert(u"CIRCLETRAY_RELAY_DATABASE"_s, u"postgresql://ct@h/relay?connect_timeout=2&tcp_user_timeout=3000"_s);
    c = ct::RelayConfigLoader::load({}, env, &error);
    QVERIFY2(c && c->database, qPrintable(error));
    options = c->database->connectOptions(u"circletray-relay"_s).split(u';');
    QVERIFY2(options.contains(u"connect_timeout=2"_s) && !options.contains(u"connect_timeout=10"_s)
                 && options.contains(u"tcp_user_timeout=3000"_s) && !options.contains(u"tcp_user_timeout=10000"_s),
             qPrintable(options.join(u' ')));

    const QString ini = write(u"pg.ini"_s, "database = postgresql://ct@localhost/relay\n");
    c = ct::RelayConfigLoader::load({u"--config"_s, ini}, QProcessEnvironment(), &error);
    QVERIFY2(c && c->database, qPrintable(error));
    QCOMPARE(c->database->database, u"relay"_s);
    // The token commands take the same.
    QStringList positional;
    bool help = false;
    c = ct::RelayConfigLoader::loadStorageOnly({u"list"_s, u"--database"_s, u"postgresql://ct@h/relay"_s},
                                               QProcessEnvironment(), &positional, &error, &help, nullptr);
    QVERIFY2(c && c->database, qPrintable(error));
    QCOMPARE(c->database->host, u"h"_s);
    QCOMPARE(positional, QStringList({u"list"_s}));
    QVERIFY(!ct::RelayConfigLoader::loadStorageOnly({u"list"_s, u"--database"_s, u"postgresql://ct:pw@h/relay"_s},
                                                    QProcessEnvironment(), &positional, &error, &help, nullptr));
    QVERIFY2(error.contains(u"password"_s) && !error.contains(u"pw@"_s), qPrintable(error));
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
    QTest::newRow("public url over http")
        << QStringList {u"--public-url"_s, u"http://relay.example.com"_s} << u"must be https://"_s;
    QTest::newRow("public url with a path")
        << QStringList {u"--public-url"_s, u"https://relay.example.com/wall"_s} << u"only scheme, host and port"_s;
    QTest::newRow("session lifetime") << QStringList {u"--session-lifetime"_s, u"0"_s} << u"--session-lifetime"_s;
    QTest::newRow("database password in url")
        << QStringList {u"--database"_s, u"postgresql://ct:secret@db/relay"_s} << u"--database-password-file"_s;
    QTest::newRow("database password parameter")
        << QStringList {u"--database"_s, u"postgresql://ct@db/relay?password=secret"_s}
        << u"must not contain a password"_s;
    QTest::newRow("database scheme") << QStringList {u"--database"_s, u"mysql://ct@db/relay"_s} << u"postgresql://"_s;
    QTest::newRow("database name") << QStringList {u"--database"_s, u"postgresql://ct@db"_s} << u"name the database"_s;
    QTest::newRow("database parameter") << QStringList {u"--database"_s, u"postgresql://ct@db/relay?sslmod=require"_s}
                                        << u"sslmod"_s;
    QTest::newRow("database password file") << QStringList {u"--database"_s, u"postgresql://ct@db/relay"_s,
                                                            u"--database-password-file"_s, u"/nonexistent"_s}
                                            << u"database password file"_s;
    QTest::newRow("password file alone") << QStringList {u"--database-password-file"_s, u"/etc/hostname"_s}
                                         << u"needs --database"_s;
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
