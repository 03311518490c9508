// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A throwaway PostgreSQL 15 (Debian's postgresql-15) for tests: a private cluster in a temporary
// directory, reachable only through a unix socket there, run as an unprivileged user because
// PostgreSQL refuses root. fsync stays on: durability tests need the real thing.
#pragma once

#include "relay/pgconnectinfo.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <unistd.h>

namespace ct::test {

class PgServer
{
public:
    enum class StopMode { Fast, Immediate };

    PgServer() = default;
    ~PgServer() { stop(StopMode::Immediate); }
    PgServer(const PgServer &) = delete;
    PgServer &operator=(const PgServer &) = delete;

    //! Where Debian keeps the server programs (not on PATH); CT_PG_BINDIR overrides it.
    static QString binDir()
    {
        const QString dir = qEnvironmentVariable("CT_PG_BINDIR");
        return dir.isEmpty() ? QStringLiteral("/usr/lib/postgresql/15/bin") : dir;
    }

    //! Empty when a server can be started here; otherwise the one-line reason why not.
    static QString unavailableReason()
    {
        if (!QFile::exists(binDir() + QStringLiteral("/initdb"))
            || !QFile::exists(binDir() + QStringLiteral("/pg_ctl")))
            return QStringLiteral("PostgreSQL 15 is not installed (no %1/initdb): scripts/install-deps installs "
                                  "postgresql-15 and libqt6sql6-psql")
                .arg(binDir());
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return QStringLiteral(
                "Qt's PostgreSQL driver is not installed: scripts/install-deps installs libqt6sql6-psql");
        return {};
    }

    //! initdb + pg_ctl start; false with \a error (including the server's log) on failure.
    bool start(QString *error)
    {
        if (!m_tmp.isValid()) {
            *error = QStringLiteral("no temporary directory");
            return false;
        }
        m_data = m_tmp.filePath(QStringLiteral("data"));
        // Root may not run PostgreSQL: the cluster belongs to the postgres user (made by the
        // package) or, without one, to nobody; the directory must be theirs.
        if (::geteuid() == 0) {
            m_user = userExists(QStringLiteral("postgres")) ? QStringLiteral("postgres") : QStringLiteral("nobody");
            if (!run(QStringLiteral("chown"), {QStringLiteral("-R"), m_user, m_tmp.path()}, error))
                return false;
        }
        if (!pg(QStringLiteral("initdb"),
                {QStringLiteral("-D"), m_data, QStringLiteral("-U"), superuser(), QStringLiteral("-A"),
                 QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--no-locale"),
                 QStringLiteral("--no-sync")},
                error))
            return false;
        return startServer(error);
    }

    //! Stops the server: Fast (clients disconnected, clean shutdown) or Immediate (a crash: recovery on start).
    bool stop(StopMode mode = StopMode::Fast, QString *error = nullptr)
    {
        if (!m_running)
            return true;
        QString e;
        const bool ok =
            pg(QStringLiteral("pg_ctl"),
               {QStringLiteral("-D"), m_data, QStringLiteral("-w"), QStringLiteral("-m"),
                mode == StopMode::Fast ? QStringLiteral("fast") : QStringLiteral("immediate"), QStringLiteral("stop")},
               &e);
        if (error)
            *error = e;
        m_running = !ok;
        return ok;
    }
    bool startAgain(QString *error) { return m_running || startServer(error); }
    bool restart(StopMode mode, QString *error) { return stop(mode, error) && startServer(error); }

    QString socketDir() const { return m_tmp.path(); }
    static QString superuser() { return QStringLiteral("ct"); }
    QString log() const
    {
        QFile f(m_tmp.filePath(QStringLiteral("log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    //! A new empty database; its name, or empty with \a error.
    QString createDatabase(QString *error)
    {
        const QString name = QStringLiteral("t%1").arg(++m_databases);
        return sql(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1").arg(name), error) ? name
                                                                                                      : QString();
    }
    //! Runs one statement in \a database as the superuser; false with \a error.
    bool sql(const QString &database, const QString &statement, QString *error = nullptr)
    {
        const QString name = QStringLiteral("pgserver-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(socketDir());
            db.setDatabaseName(database);
            db.setUserName(superuser());
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(statement);
                if (!ok && error)
                    *error = q.lastError().text();
            } else if (error) {
                *error = db.lastError().text();
            }
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

    //! A login role that must give \a password (scram-sha-256; everyone else stays trusted), owning
    //! \a database; false with \a error.
    bool addPasswordRole(const QString &role, const QString &password, const QString &database, QString *error)
    {
        QFile hba(m_data + QStringLiteral("/pg_hba.conf"));
        if (!hba.open(QIODevice::ReadOnly)) {
            *error = hba.errorString();
            return false;
        }
        const QByteArray rest = hba.readAll();
        hba.close();
        if (!hba.open(QIODevice::WriteOnly | QIODevice::Truncate)) { // keeps the owner: the server reads it
            *error = hba.errorString();
            return false;
        }
        hba.write("local all " + role.toUtf8() + " scram-sha-256\n" + rest);
        hba.close();
        return sql(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(role, password),
                   error)
            && sql(QStringLiteral("postgres"), QStringLiteral("ALTER DATABASE %1 OWNER TO %2").arg(database, role),
                   error)
            && pg(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_data, QStringLiteral("reload")}, error);
    }

    //! postgresql://ct@/<database>?host=<socket dir>, as a relay is given it.
    QString url(const QString &database, const QString &user = superuser()) const
    {
        return QStringLiteral("postgresql://%1@/%2?host=%3").arg(user, database, socketDir());
    }
    PgConnectInfo connectInfo(const QString &database) const
    {
        QString error;
        return PgConnectInfo::fromUrl(url(database), &error).value_or(PgConnectInfo());
    }

private:
    static bool userExists(const QString &user)
    {
        QProcess p;
        p.start(QStringLiteral("id"), {QStringLiteral("-u"), user});
        return p.waitForFinished(5000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    bool startServer(QString *error)
    {
        // Unix socket only, in our directory; no TCP port to collide with anything.
        const QString options =
            QStringLiteral("-k %1 -c listen_addresses='' -c fsync=on -c max_connections=50").arg(socketDir());
        if (!pg(QStringLiteral("pg_ctl"),
                {QStringLiteral("-D"), m_data, QStringLiteral("-l"), m_tmp.filePath(QStringLiteral("log")),
                 QStringLiteral("-w"), QStringLiteral("-o"), options, QStringLiteral("start")},
                error)) {
            *error += QStringLiteral("\n") + log();
            return false;
        }
        m_running = true;
        return true;
    }

    //! A PostgreSQL program, as the cluster's user when we are root.
    bool pg(const QString &program, const QStringList &args, QString *error)
    {
        const QString path = binDir() + u'/' + program;
        if (m_user.isEmpty())
            return run(path, args, error);
        return run(QStringLiteral("runuser"),
                   QStringList {QStringLiteral("-u"), m_user, QStringLiteral("--"), path} + args, error);
    }

    bool run(const QString &program, const QStringList &args, QString *error)
    {
        QProcess p;
        p.setWorkingDirectory(m_tmp.path()); // the cluster's user may not enter ours
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        const bool ok = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (!ok && error)
            *error =
                QStringLiteral("%1 %2 failed: %3").arg(program, args.join(u' '), QString::fromLocal8Bit(p.readAll()));
        return ok;
    }

    QTemporaryDir m_tmp;
    QString m_data;
    QString m_user; //!< empty: ourselves (not root)
    bool m_running = false;
    int m_databases = 0;
};

} // namespace ct::test
