// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>

namespace ct {

/*!
 * \brief Where a PostgreSQL event log lives: `postgresql://user@host:port/db[?host=/socket/dir&…]`.
 *
 * The URL never carries a password: it is refused (command lines and environments are readable by
 * other users). The password comes from a file (`--database-password-file`), or libpq finds it in
 * PGPASSFILE or ~/.pgpass as it always does.
 */
struct PgConnectInfo
{
    QString host; //!< a name, an address, or a unix socket directory (starts with /); empty: libpq's default
    int port = -1; //!< -1: libpq's default (5432)
    QString database;
    QString user;
    QString password; //!< from the password file only; never logged, never in describe()
    QStringList options; //!< libpq keywords passed through, "sslmode=verify-full" and such

    //! The URL as given, password-free: for logs and error messages.
    QString describe() const;
    //! libpq keywords for QPSQL's setConnectOptions() (which turns the ';' into spaces): the URL's,
    //! then our defaults (\a applicationName unless the URL names one, a connect timeout, keepalives).
    QString connectOptions(const QString &applicationName) const;

    /*!
     * Opens the QPSQL connection \a connectionName to this database, adding it on first use: every
     * relay connection gets the same options from here (connectOptions(), the password if any). An
     * open connection of that name is closed first, so this also reconnects. The connection is
     * returned open, or not open with libpq's message in \a error (never the password); invalid
     * when Qt's PostgreSQL driver is missing.
     */
    QSqlDatabase open(const QString &connectionName, const QString &applicationName, QString *error) const;

    //! nullopt with \a error for anything but a password-free postgresql:// (or postgres://) URL.
    static std::optional<PgConnectInfo> fromUrl(const QString &url, QString *error);
    //! Reads the first line of \a path as the password; false with \a error when unreadable or empty.
    bool readPasswordFile(const QString &path, QString *error);
};

} // namespace ct
