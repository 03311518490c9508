// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/pgconnectinfo.h"

#include <QFile>
#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    // libpq keywords a URL may set besides host; anything else is more likely a typo than a wish.
    const QStringList passedThrough = {
        u"sslmode"_s,          u"sslrootcert"_s,     u"sslcert"_s,          u"sslkey"_s,
        u"sslcrl"_s,           u"connect_timeout"_s, u"application_name"_s, u"target_session_attrs"_s,
        u"tcp_user_timeout"_s,
    };

} // namespace

QString PgConnectInfo::describe() const
{
    QString out = u"postgresql://"_s;
    if (!user.isEmpty())
        out += user + u'@';
    if (!host.startsWith(u'/'))
        out += host;
    if (port >= 0)
        out += u':' + QString::number(port);
    out += u'/' + database;
    QStringList query;
    if (host.startsWith(u'/'))
        query << u"host="_s + host;
    query << options;
    if (!query.isEmpty())
        out += u'?' + query.join(u'&');
    return out;
}

QString PgConnectInfo::connectOptions(const QString &applicationName) const
{
    QStringList out = options;
    const auto has = [&out](QStringView keyword) {
        return std::any_of(out.cbegin(), out.cend(), [keyword](const QString &o) { return o.startsWith(keyword); });
    };
    if (!has(u"connect_timeout="))
        out << u"connect_timeout=10"_s;
    if (!has(u"application_name="))
        out << u"application_name="_s + applicationName;
    // A peer that vanished without a FIN (network partition) is noticed within about 25 s when
    // idle, and within 10 s when a query or commit was sent and never acknowledged (without this
    // the kernel retransmits for a quarter of an hour, and the thread waiting for the answer with it).
    out << u"keepalives=1"_s << u"keepalives_idle=10"_s << u"keepalives_interval=5"_s << u"keepalives_count=3"_s;
    if (!has(u"tcp_user_timeout="))
        out << u"tcp_user_timeout=10000"_s;
    return out.join(u';');
}

QSqlDatabase PgConnectInfo::open(const QString &connectionName, const QString &applicationName, QString *error) const
{
    QSqlDatabase db = QSqlDatabase::contains(connectionName) ? QSqlDatabase::database(connectionName, false)
                                                             : QSqlDatabase::addDatabase(u"QPSQL"_s, connectionName);
    if (!db.isValid()) {
        *error = u"Qt's PostgreSQL driver (QPSQL) is not installed (Debian: libqt6sql6-psql)"_s;
        return db;
    }
    db.close(); // a reconnect: forgets the old session (and a listener's subscriptions and socket notifier)
    db.setHostName(host);
    db.setPort(port);
    db.setDatabaseName(database);
    db.setUserName(user);
    db.setPassword(password); // empty: libpq reads PGPASSFILE or ~/.pgpass
    db.setConnectOptions(connectOptions(applicationName));
    if (!db.open())
        *error = db.lastError().databaseText().simplified(); // libpq's words: never the password
    return db;
}

std::optional<PgConnectInfo> PgConnectInfo::fromUrl(const QString &text, QString *error)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"postgresql" && url.scheme() != u"postgres")) {
        *error = u"--database must be a URL like postgresql://user@host:5432/dbname"_s;
        return std::nullopt;
    }
    const QUrlQuery query(url);
    if (!url.password().isEmpty() || query.hasQueryItem(u"password"_s)) {
        *error = u"--database must not contain a password (others can read command lines and environments): "
                 "put it in a file given by --database-password-file, or in ~/.pgpass or PGPASSFILE"_s;
        return std::nullopt;
    }
    PgConnectInfo info;
    info.host = url.host(QUrl::FullyDecoded);
    info.port = url.port(-1);
    info.user = url.userName(QUrl::FullyDecoded);
    info.database = url.path(QUrl::FullyDecoded).mid(1);
    if (info.database.isEmpty() || info.database.contains(u'/')) {
        *error = u"--database: name the database in the URL's path, e.g. postgresql://user@host/circletray"_s;
        return std::nullopt;
    }
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"host") {
            info.host = value;
        } else if (passedThrough.contains(key) && !value.contains(u' ') && !value.contains(u';')) {
            info.options << key + u'=' + value;
        } else {
            *error =
                u"--database: unsupported URL parameter \"%1\" (known: host, %2)"_s.arg(key, passedThrough.join(u", "));
            return std::nullopt;
        }
    }
    return info;
}

bool PgConnectInfo::readPasswordFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read database password file %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    // The first line without its line break: spaces may belong to the password.
    QByteArray line = file.readLine();
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    password = QString::fromUtf8(line);
    if (password.isEmpty()) {
        *error = u"database password file %1 is empty"_s.arg(path);
        return false;
    }
    return true;
}

} // namespace ct
