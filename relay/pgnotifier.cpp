// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/pgnotifier.h"

#include "relay/relaylogging.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

namespace {

    constexpr std::chrono::milliseconds firstBackoff = 500ms;
    constexpr std::chrono::milliseconds maxBackoff = 8s;

} // namespace

PgNotifier::PgNotifier(const PgConnectInfo &connection, const QString &channel, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_channel(channel)
    , m_connectionName(u"ct-pgnotifier-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_health.setSingleShot(true);
    connect(&m_health, &QTimer::timeout, this, &PgNotifier::check);
}

PgNotifier::~PgNotifier()
{
    m_health.stop();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

void PgNotifier::start()
{
    check();
}

bool PgNotifier::listen(QString *error)
{
    const bool added = !m_db.isValid();
    m_db = m_connection.open(m_connectionName, QString::fromLatin1(applicationName), error);
    if (added && m_db.isValid()) {
        // The driver object lives as long as the connection name: connected once.
        connect(
            m_db.driver(), &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &) { onNotification(name); });
    }
    if (!m_db.isOpen())
        return false;
    if (!m_db.driver()->subscribeToNotification(m_channel)) {
        *error = u"LISTEN failed: %1"_s.arg(m_db.driver()->lastError().text());
        m_db.close();
        return false;
    }
    return true;
}

void PgNotifier::check()
{
    if (m_listening) {
        // The cheap query notices a connection the server or the network has dropped; Qt says nothing.
        QSqlQuery q(m_db);
        if (m_db.isOpen() && q.exec(u"SELECT 1"_s) && q.next()) {
            m_health.start(m_healthInterval);
            return;
        }
        m_listening = false;
        m_backoff = 0ms;
        qCWarning(lcRelayStore).noquote() << "lost the notification connection to" << m_connection.describe()
                                          << "- reconnecting (new events are found by the fallback read meanwhile)";
        m_lossLogged = true;
    }
    QString error;
    if (listen(&error)) {
        m_listening = true;
        m_backoff = 0ms;
        if (m_everListened || m_lossLogged) {
            qCInfo(lcRelayStore).noquote() << "listening for new events again on" << m_connection.describe();
            Q_EMIT resubscribed(); // what was notified meanwhile is lost: catch up
        }
        m_everListened = true;
        m_lossLogged = false;
        m_health.start(m_healthInterval);
        return;
    }
    if (!m_lossLogged) {
        qCWarning(lcRelayStore).noquote()
            << "cannot listen for new events on" << m_connection.describe() << ":" << error << "- retrying";
        m_lossLogged = true;
    }
    m_backoff = m_backoff == 0ms ? firstBackoff : std::min(2 * m_backoff, maxBackoff);
    m_health.start(m_backoff);
}

void PgNotifier::onNotification(const QString &name)
{
    if (name == m_channel)
        Q_EMIT notified();
}

} // namespace ct
