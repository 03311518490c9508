// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/walcheckpointer.h"

#include "relay/relaylogging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace ct {

WalCheckpointer::WalCheckpointer(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_connectionName(u"ct-checkpoint-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_timer.setParent(this); // moves to the worker thread with this object
    m_timer.setSingleShot(true);
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_due.store(false); // commits from now on ask for the next one
        checkpoint("PASSIVE");
    });
}

WalCheckpointer::~WalCheckpointer()
{
    if (QSqlDatabase::contains(m_connectionName))
        QSqlDatabase::removeDatabase(m_connectionName);
}

void WalCheckpointer::noteWrite()
{
    if (!m_due.exchange(true))
        QMetaObject::invokeMethod(this, &WalCheckpointer::schedule, Qt::QueuedConnection);
}

void WalCheckpointer::schedule()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void WalCheckpointer::finish()
{
    m_timer.stop();
    checkpoint("TRUNCATE");
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

void WalCheckpointer::checkpoint(const char *mode)
{
    if (!QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
        db.setDatabaseName(m_path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open()) {
            qCWarning(lcRelayStore) << "checkpoint connection failed:" << db.lastError().text();
            QSqlDatabase::removeDatabase(m_connectionName);
            return;
        }
    }
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(u"PRAGMA wal_checkpoint(%1)"_s.arg(QLatin1StringView(mode))))
        qCWarning(lcRelayStore) << "WAL checkpoint failed:" << q.lastError().text();
    else if (q.next())
        qCDebug(lcRelayStore) << "WAL checkpoint" << mode << "busy" << q.value(0).toInt() << "log" << q.value(1).toInt()
                              << "checkpointed" << q.value(2).toInt();
}

} // namespace ct
