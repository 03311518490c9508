// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/pgconnectinfo.h"
#include "relay/sqleventlog.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace ct {

//! Everything `circletray-relay serve` can be told. Defaults are what a small public relay wants.
struct RelayConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 8788;
    QByteArray webhookPath = QByteArrayLiteral("/webhook");
    QList<QByteArray> secrets; //!< from --secret-file and/or CIRCLETRAY_RELAY_SECRET
    QString dataDir;
    //! --database postgresql://…: the event log in PostgreSQL (shareable by relays); nullopt: SQLite in dataDir
    std::optional<PgConnectInfo> database;
    QString tlsCert;
    QString tlsKey;
    int retentionDays = 30;
    qint64 retentionMaxEvents = 100000;
    Durability durability = Durability::Normal;
    std::optional<QPair<QHostAddress, quint16>> metricsListen; //!< /metrics and /healthz only there
    std::chrono::seconds keepaliveInterval {30};
    std::chrono::seconds keepaliveTimeout {75};
    qint64 clientBufferLimit = 8 * 1024 * 1024; //!< unsent bytes before a client is closed with 4008
    qint64 maxBodyBytes = 1024 * 1024;
    std::chrono::seconds headerTimeout {10}; //!< a request's headers must arrive within this
    std::chrono::seconds idleTimeout {30}; //!< a keep-alive connection with no request is closed
    int maxConnections = 10000; //!< every socket: HTTP, TLS handshakes, WebSocket sessions
    int maxConnectionsPerAddress = 256; //!< the same from one address (an office NAT holds many laptops)
    int maxSessionsPerToken = 16; //!< WebSocket sessions open with one device token
    std::chrono::seconds rejectedNoticeInterval {60}; //!< at most one rejected notice to clients per interval
    //! Reverse proxies in front of the relay: their connections are not capped per address, and
    //! the client address (for throttling token guesses) is the last X-Forwarded-For entry they add.
    QList<QHostAddress> trustedProxies;
    bool dashboard = true; //!< serve the team dashboard at /
    QUrl publicUrl; //!< the dashboard's origin as browsers see it (https, or http on loopback); empty: loopback only
    std::chrono::seconds sessionIdleTimeout {7 * 86'400};
    std::chrono::seconds sessionLifetime {30 * 86'400};

    QString databasePath() const;
};

/*!
 * \brief Reads RelayConfig from flags, environment and an INI file: flag beats environment beats file.
 *
 * Every option is a long flag (`--retention-days`), an environment variable
 * (`CIRCLETRAY_RELAY_RETENTION_DAYS`) and a key of the same name in the file given by `--config`.
 */
class RelayConfigLoader
{
public:
    //! The options `serve` understands, for its --help.
    static QStringList optionNames();

    //! \a arguments excludes the program and command names. nullopt with \a error on bad input.
    static std::optional<RelayConfig> load(const QStringList &arguments, const QProcessEnvironment &env, QString *error,
                                           bool *helpRequested = nullptr, QString *helpText = nullptr);

    //! Only what the token commands need: --data-dir / --database / --config / environment.
    static std::optional<RelayConfig> loadStorageOnly(const QStringList &arguments, const QProcessEnvironment &env,
                                                      QStringList *positional, QString *error, bool *helpRequested,
                                                      QString *helpText);
};

} // namespace ct
