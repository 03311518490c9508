// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// What the tests of real relays on one PostgreSQL share (tst_relaypostgres, tst_relaypgfaults): a
// throwaway server (tests/pgserver.h) with a fresh database per test, `token` against it, blocking
// POSTs from any thread, what clients saw and whether that was every event exactly once in order.
#pragma once

#include "pgserver.h"
#include "relay/pgeventlog.h"
#include "relay/pgnotifier.h"
#include "relayprocess.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>

namespace ct::test {

//! A signed POST from any thread (no event loop needed): the status, 0 when no answer came.
inline int blockingPost(quint16 port, const QByteArray &body)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    socket.write(signedPost(body));
    QByteArray in;
    while (socket.waitForReadyRead(10000)) {
        in += socket.readAll();
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        const QByteArray head = in.left(end).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qsizetype length =
            at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        if (in.size() >= end + 4 + length)
            return in.split(' ').value(1).toInt();
    }
    return 0;
}

//! GET /healthz: the status and body.
inline QPair<int, QByteArray> health(quint16 port)
{
    HttpTestClient c;
    if (!c.connectTo(port))
        return {0, {}};
    c.send("GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n");
    const auto r = c.read(10000);
    return r ? qMakePair(r->status, r->body) : qMakePair(0, QByteArray());
}

struct Seen
{
    qint64 seq = 0;
    QString id;
};

//! The events a client received: seq and CircleCI's event id.
inline QList<Seen> eventsOf(const RelayClient &client)
{
    QList<Seen> out;
    for (const QJsonObject &m : client.ofType(QStringLiteral("event"))) {
        const QJsonObject body = QJsonDocument::fromJson(m[QStringLiteral("body")].toString().toUtf8()).object();
        Seen seen;
        seen.seq = m[QStringLiteral("seq")].toInteger();
        seen.id = body[QStringLiteral("id")].toString();
        out.append(seen);
    }
    return out;
}

//! Empty when \a seen holds each of \a expected exactly once, nothing else, in strictly increasing seq order.
inline QString exactlyOnceInOrder(const QList<Seen> &seen, QStringList expected)
{
    QStringList ids;
    for (qsizetype i = 0; i < seen.size(); ++i) {
        if (i > 0 && seen[i].seq <= seen[i - 1].seq)
            return QStringLiteral("seq %1 after %2").arg(seen[i].seq).arg(seen[i - 1].seq);
        ids.append(seen[i].id);
    }
    std::sort(ids.begin(), ids.end());
    if (const auto dup = std::adjacent_find(ids.cbegin(), ids.cend()); dup != ids.cend())
        return QStringLiteral("%1 delivered twice").arg(*dup);
    std::sort(expected.begin(), expected.end());
    if (ids != expected) {
        QStringList missing;
        std::set_difference(expected.cbegin(), expected.cend(), ids.cbegin(), ids.cend(), std::back_inserter(missing));
        QStringList extra;
        std::set_difference(ids.cbegin(), ids.cend(), expected.cbegin(), expected.cend(), std::back_inserter(extra));
        return QStringLiteral("missing %1; unexpected %2").arg(missing.join(u' '), extra.join(u' '));
    }
    return {};
}

//! A client that keeps what it saw across reconnections (each with since=<last seq>).
struct Follower
{
    std::unique_ptr<RelayClient> client = std::make_unique<RelayClient>();
    QList<Seen> before; //!< from earlier connections
    int connections = 0;

    QList<Seen> all() const { return before + eventsOf(*client); }
    qint64 lastSeq() const
    {
        const QList<Seen> seen = all();
        return seen.isEmpty() ? 0 : seen.constLast().seq;
    }
    bool reconnect(quint16 port, const QByteArray &token)
    {
        client->socket().abort();
        before = all();
        client = std::make_unique<RelayClient>();
        ++connections;
        return client->open(port, token, lastSeq());
    }
};

/*!
 * The state of a test class of relays on PostgreSQL: one server for the whole class, a new
 * database per test. A test class derives from it after QObject; startServer() goes in its
 * initTestCase().
 */
class RelayPgFixture
{
protected:
    //! Empty when the server is up; otherwise why not, and \a skip tells whether to skip rather than fail.
    QString startServer(bool *skip)
    {
        const QString why = PgServer::unavailableReason();
        *skip = !why.isEmpty();
        if (*skip)
            return why;
        m_pg = std::make_unique<PgServer>();
        QString error;
        return m_pg->start(&error) ? QString() : error;
    }

    //! A new, empty database: its URL; m_database is its name.
    QString newDatabase()
    {
        QString error;
        m_database = m_pg->createDatabase(&error);
        if (m_database.isEmpty())
            qWarning("cannot create a database: %s", qPrintable(error));
        return m_pg->url(m_database);
    }

    //! `circletray-relay token <args> --database <url>`: its output; its exit code and stderr if asked.
    static QByteArray token(const QString &url, const QStringList &args, int *exitCode = nullptr,
                            QByteArray *err = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral(CT_RELAY_PATH),
                QStringList {QStringLiteral("token")} + args + QStringList {QStringLiteral("--database"), url});
        p.waitForFinished(15000);
        if (exitCode)
            *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        if (err)
            *err = p.readAllStandardError();
        return p.readAllStandardOutput().trimmed();
    }

    //! Waits until \a count relays LISTEN on the current database.
    bool waitForListeners(int count, int timeoutMs = 10000)
    {
        const QString check =
            QStringLiteral("DO $$ BEGIN IF (SELECT count(*) FROM pg_stat_activity WHERE datname = '%1' AND "
                           "application_name = '%2') < %3 THEN RAISE EXCEPTION 'not yet'; END IF; END $$")
                .arg(m_database, QLatin1StringView(ct::PgNotifier::applicationName))
                .arg(count);
        return QTest::qWaitFor([&] { return m_pg->sql(m_database, check); }, timeoutMs);
    }

    //! Every event id in the current database, in seq order.
    QStringList storedIds()
    {
        ct::PgEventLog log(m_pg->connectInfo(m_database));
        QString error;
        if (!log.open(&error)) {
            qWarning("cannot open the log: %s", qPrintable(error));
            return {};
        }
        QStringList ids;
        for (const auto &e : log.read(0, 1000000))
            ids.append(e.eventId);
        return ids;
    }

    //! The rows \a query returns in the current database, as the superuser (none on an error, with a warning).
    QList<QVariantList> rows(const QString &query)
    {
        const QString name = QStringLiteral("relaypgfixture-rows");
        QList<QVariantList> out;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(m_pg->socketDir());
            db.setDatabaseName(m_database);
            db.setUserName(PgServer::superuser());
            if (!db.open()) {
                qWarning("cannot connect: %s", qPrintable(db.lastError().text()));
            } else {
                QSqlQuery q(db);
                if (!q.exec(query))
                    qWarning("%s: %s", qPrintable(query), qPrintable(q.lastError().text()));
                while (q.next()) {
                    QVariantList row;
                    for (int i = 0; i < q.record().count(); ++i)
                        row.append(q.value(i));
                    out.append(row);
                }
            }
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }

    /*!
     * Posts \a count new events (ids "<prefix>-<n>", appended to \a posted) to \a from, each waited
     * for on \a to, at random intervals not in step with any timer: the milliseconds from each POST
     * to its arrival, sorted; empty when a POST failed or an event did not come within 5 s.
     */
    static QList<qint64> latencies(RelayProcess &from, const RelayClient &to, QStringList &posted,
                                   const QString &prefix, int count)
    {
        QList<qint64> ms;
        for (int i = 0; i < count; ++i) {
            posted.append(QStringLiteral("%1-%2").arg(prefix).arg(i));
            QElapsedTimer t;
            t.start();
            if (post(from.port(), eventBody(posted.constLast())) != 200)
                return {};
            const qsizetype want = posted.size();
            if (!QTest::qWaitFor([&] { return to.ofType(QStringLiteral("event")).size() >= want; }, 5000))
                return {};
            ms.append(t.elapsed());
            QTest::qWait(QRandomGenerator::global()->bounded(50, 250));
        }
        std::sort(ms.begin(), ms.end());
        return ms;
    }

    std::unique_ptr<PgServer> m_pg;
    QString m_database;
    QTemporaryDir m_dir;
};

} // namespace ct::test
