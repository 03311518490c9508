// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The real circletray-relay on PostgreSQL (`--database`), against a throwaway server (tests/pgserver.h):
// tokens made by `token add --database`, a signed webhook stored once however often it comes and to
// whichever relay, delivered to a desktop client; a database that is not there is a clear exit 1.
#include "pgserver.h"
#include "relay/pgeventlog.h"
#include "relayprocess.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

class TestRelayPostgres final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tokensInTheDatabase();
    void storesOnceAndDelivers();
    void twoRelaysShareOneLog();
    void passwordFromFileOrPgpass();
    void unreachableDatabaseIsExit1();
    void passwordInUrlIsRefused();

private:
    QString newDatabase(); //!< its URL; m_database is its name
    static QByteArray token(const QString &url, const QStringList &args, int *exitCode = nullptr,
                            QByteArray *err = nullptr);

    std::unique_ptr<PgServer> m_pg;
    QString m_database;
    QTemporaryDir m_dir;
};

void TestRelayPostgres::initTestCase()
{
    const QString why = PgServer::unavailableReason();
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
    m_pg = std::make_unique<PgServer>();
    QString error;
    QVERIFY2(m_pg->start(&error), qPrintable(error));
}

QString TestRelayPostgres::newDatabase()
{
    QString error;
    m_database = m_pg->createDatabase(&error);
    if (m_database.isEmpty())
        qWarning("cannot create a database: %s", qPrintable(error));
    return m_pg->url(m_database);
}

QByteArray TestRelayPostgres::token(const QString &url, const QStringList &args, int *exitCode, QByteArray *err)
{
    QProcess p;
    p.start(QStringLiteral(CT_RELAY_PATH), QStringList {u"token"_s} + args + QStringList {u"--database"_s, url});
    p.waitForFinished(15000);
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    if (err)
        *err = p.readAllStandardError();
    return p.readAllStandardOutput().trimmed();
}

void TestRelayPostgres::tokensInTheDatabase()
{
    const QString url = newDatabase();
    int code = -1;
    const QByteArray laptop = token(url, {u"add"_s, u"laptop"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY(laptop.startsWith("ctr_"));
    QByteArray err;
    token(url, {u"add"_s, u"laptop"_s}, &code, &err);
    QCOMPARE(code, 1);
    QVERIFY2(err.contains("revoke it first"), err.constData());
    QVERIFY(!token(url, {u"add"_s, u"wall"_s}, &code).isEmpty());
    QByteArray list = token(url, {u"list"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(list.contains("laptop\tcreated ") && list.contains("\tvalid") && list.contains("wall\t"),
             list.constData());
    QCOMPARE(token(url, {u"revoke"_s, u"laptop"_s}, &code), "revoked laptop"_ba);
    QCOMPARE(code, 0);
    list = token(url, {u"list"_s}, &code);
    QVERIFY2(list.contains("laptop\tcreated ") && list.contains("\trevoked "), list.constData());
    token(url, {u"revoke"_s, u"nobody"_s}, &code);
    QCOMPARE(code, 1);
}

void TestRelayPostgres::storesOnceAndDelivers()
{
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    QVERIFY(deviceToken.startsWith("ctr_"));
    RelayProcess relay;
    QVERIFY(relay.start({u"--database"_s, url}));
    RelayClient client;
    QVERIFY(client.open(relay.port(), deviceToken));
    QVERIFY(client.waitFor(u"hello"_s) >= 0);

    const QByteArray body = eventBody(u"pg-event-1"_s);
    QCOMPARE(post(relay.port(), body), 200);
    QCOMPARE(post(relay.port(), body), 200); // CircleCI's retry: stored once
    QVERIFY(client.waitFor(u"event"_s) >= 0);
    QCOMPARE(post(relay.port(), eventBody(u"pg-event-2"_s)), 200);
    QTRY_COMPARE(client.ofType(u"event"_s).size(), 2);
    QTest::qWait(200); // nothing more comes
    const auto events = client.ofType(u"event"_s);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0][u"seq"_s].toInteger(), 1);
    QCOMPARE(events[0][u"body"_s].toString().toUtf8(), body); // CircleCI's bytes, for its HMAC
    QVERIFY(events[1][u"seq"_s].toInteger() > 1);

    ct::PgEventLog log(m_pg->connectInfo(m_database));
    QString error;
    QVERIFY2(log.open(&error), qPrintable(error));
    const auto rows = log.read(0, 10);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].eventId, u"pg-event-1"_s);
    QCOMPARE(rows[0].body, body);
    QCOMPARE(relay.terminate(), 0);
}

void TestRelayPostgres::twoRelaysShareOneLog()
{
    // One event id posted to both relays: one row, two 200s; a client of either relay has the same
    // relay id and cursor space.
    const QString url = newDatabase();
    const QByteArray deviceToken = token(url, {u"add"_s, u"laptop"_s});
    RelayProcess a;
    RelayProcess b;
    QVERIFY(a.start({u"--database"_s, url}));
    QVERIFY(b.start({u"--database"_s, url}));
    const QByteArray body = eventBody(u"both-relays"_s);
    QCOMPARE(post(a.port(), body), 200);
    QCOMPARE(post(b.port(), body), 200);
    QCOMPARE(post(b.port(), eventBody(u"only-b"_s)), 200);
    RelayClient onA;
    RelayClient onB;
    QVERIFY(onA.open(a.port(), deviceToken));
    QVERIFY(onB.open(b.port(), deviceToken));
    const int helloA = onA.waitFor(u"hello"_s);
    const int helloB = onB.waitFor(u"hello"_s);
    QVERIFY(helloA >= 0 && helloB >= 0);
    QCOMPARE(onA.messages[helloA][u"relay_id"_s], onB.messages[helloB][u"relay_id"_s]);
    QTRY_COMPARE(onA.ofType(u"event"_s).size(), 2);
    QTRY_COMPARE(onB.ofType(u"event"_s).size(), 2);
    QCOMPARE(onA.ofType(u"event"_s)[0][u"body"_s].toString().toUtf8(), body);
    QCOMPARE(onB.ofType(u"event"_s)[0][u"seq"_s], onA.ofType(u"event"_s)[0][u"seq"_s]);
    QCOMPARE(metric(b.port(), "circletray_relay_events_duplicate_total"), "1"_ba);
}

void TestRelayPostgres::passwordFromFileOrPgpass()
{
    // A role that must log in with a password: from --database-password-file, or libpq's PGPASSFILE.
    newDatabase();
    QString error;
    QVERIFY2(m_pg->addPasswordRole(u"relayrole"_s, u"Pa55 word"_s, m_database, &error), qPrintable(error));
    const QString url = m_pg->url(m_database, u"relayrole"_s);
    const QString file = m_dir.filePath(u"relayrole-password"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("Pa55 word\n");
    f.close();

    int code = -1;
    QByteArray err;
    token(url, {u"list"_s}, &code, &err); // no password at all
    QCOMPARE(code, 1);
    QVERIFY2(err.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())) && err.contains("password"),
             err.constData());
    QVERIFY(!token(url, {u"add"_s, u"laptop"_s, u"--database-password-file"_s, file}, &code, &err).isEmpty());
    QVERIFY2(code == 0, err.constData());

    QFile pgpass(m_dir.filePath(u"pgpass-file"_s));
    QVERIFY(pgpass.open(QIODevice::WriteOnly));
    pgpass.write("*:*:*:relayrole:Pa55 word\n");
    pgpass.close();
    QVERIFY(pgpass.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)); // libpq insists
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PGPASSFILE"_s, pgpass.fileName());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CT_RELAY_PATH), {u"token"_s, u"list"_s, u"--database"_s, url});
    QVERIFY(p.waitForFinished(15000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY(p.readAllStandardOutput().startsWith("laptop\tcreated "));

    RelayProcess relay; // and serve
    QVERIFY(relay.start({u"--database"_s, url, u"--database-password-file"_s, file}));
    QCOMPARE(post(relay.port(), eventBody(u"with-password"_s)), 200);
    QVERIFY(!relay.errors().contains("Pa55"));
    QCOMPARE(relay.terminate(), 0);
}

void TestRelayPostgres::unreachableDatabaseIsExit1()
{
    // No server at that socket: a clear message naming the database, exit 1, and never the password.
    QFile password(m_dir.filePath(u"pgpass"_s));
    QVERIFY(password.open(QIODevice::WriteOnly));
    password.write("s3cret-Pa55\n");
    password.close();
    const QString url = u"postgresql://ct@/circletray?host=%1"_s.arg(m_dir.filePath(u"no-server-here"_s));
    RelayProcess relay;
    QVERIFY(!relay.start({u"--database"_s, url, u"--database-password-file"_s, password.fileName()}));
    QCOMPARE(relay.terminate(), 1);
    const QByteArray err = relay.errors();
    QVERIFY2(err.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())), err.constData());
    QVERIFY2(!err.contains("s3cret"), err.constData());
    QVERIFY(!relay.output().contains("s3cret"));

    int code = -1;
    QByteArray tokenErr;
    token(url, {u"list"_s}, &code, &tokenErr);
    QCOMPARE(code, 1);
    QVERIFY2(tokenErr.contains(QByteArray("cannot connect to PostgreSQL at " + url.toUtf8())), tokenErr.constData());
}

void TestRelayPostgres::passwordInUrlIsRefused()
{
    RelayProcess relay;
    QVERIFY(!relay.start({u"--database"_s, u"postgresql://ct:hunter2@db.example/circletray"_s}));
    QCOMPARE(relay.terminate(), 2);
    const QByteArray err = relay.errors();
    QVERIFY2(err.contains("must not contain a password") && err.contains("--database-password-file"), err.constData());
    QVERIFY2(!err.contains("hunter2"), err.constData());
}

QTEST_GUILESS_MAIN(TestRelayPostgres)
#include "tst_relaypostgres.moc"
