// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/pgconnectinfo.h"

#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <chrono>

namespace ct {

/*!
 * \brief LISTENs on a PostgreSQL notification channel over a connection of its own.
 *
 * notified() for every notification on the channel (the payload is not needed: the tailer reads
 * from where it is). Qt reports nothing when that connection drops (a server restart, a
 * pg_terminate_backend), and notifications sent meanwhile are lost: a health timer checks the
 * connection with a cheap query, reconnects with backoff, subscribes again and emits
 * resubscribed() so that whoever follows the log catches up. Used on the thread that created it.
 */
class PgNotifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PgNotifier)

public:
    //! The application_name its connection shows in pg_stat_activity (unless the URL sets one).
    static constexpr const char *applicationName = "circletray-relay-listen";

    PgNotifier(const PgConnectInfo &connection, const QString &channel, QObject *parent = nullptr);
    ~PgNotifier() override;

    //! Connects and subscribes now, or keeps trying in the background; starts the health checks.
    void start();
    bool isListening() const { return m_listening; }
    void setHealthInterval(std::chrono::milliseconds interval) { m_healthInterval = interval; }

Q_SIGNALS:
    void notified();
    //! Listening again after the connection was lost: notifications may have been missed.
    void resubscribed();

private:
    void check();
    bool listen(QString *error);
    void onNotification(const QString &name);

    PgConnectInfo m_connection;
    QString m_channel;
    QString m_connectionName;
    QSqlDatabase m_db;
    QTimer m_health;
    std::chrono::milliseconds m_healthInterval {2000};
    std::chrono::milliseconds m_backoff {0};
    bool m_listening = false;
    bool m_everListened = false;
    bool m_lossLogged = false;
};

} // namespace ct
