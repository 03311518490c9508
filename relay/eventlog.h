// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <limits>
#include <optional>

namespace ct {

//! A delivery as the relay keeps it: CircleCI's exact bytes and headers, plus our sequence number.
struct StoredEvent
{
    qint64 seq = 0;
    QString eventId;
    QDateTime receivedAt;
    QByteArray eventType; //!< circleci-event-type
    QByteArray signature; //!< circleci-signature, so clients verify CircleCI's HMAC themselves
    QByteArray body;
};

struct TokenInfo
{
    QString name;
    QByteArray hash; //!< SHA-256 of the token: what a session is bound to (a name can be reused)
    QDateTime createdAt;
    QDateTime revokedAt; //!< invalid while the token is valid
};

/*!
 * \brief The relay's durable event log: append in batches, read by sequence number, prune, tokens.
 *
 * One small interface so that a PostgreSQL log (several relays sharing it) can stand beside the
 * SQLite one; nothing about the database engine shows through it. Sequence numbers increase
 * strictly and are never reused, even after pruning. Not thread-safe: one thread uses it.
 */
class EventLog
{
public:
    virtual ~EventLog() = default;

    //! Opens (creating and migrating as needed); false with \a error set when unusable.
    virtual bool open(QString *error) = 0;
    virtual void close() = 0;

    //! Identifies this log; a new (wiped) log gets a new id, so clients know to start over.
    virtual QString relayId() const = 0;
    virtual qint64 headSeq() const = 0; //!< highest sequence number ever given; 0 for a new log
    virtual qint64 oldestSeq() const = 0; //!< lowest stored; headSeq() + 1 when nothing is stored

    //! Stores \a events in one transaction and fills in their sequence numbers; false (nothing stored) on failure.
    virtual bool append(QList<StoredEvent> &events, QString *error) = 0;
    //! Up to \a limit events with seq > \a afterSeq, in order, stopping once their bodies pass
    //! \a maxBytes (so at least one event, whatever its size, when there is one).
    virtual QList<StoredEvent> read(qint64 afterSeq, int limit,
                                    qint64 maxBytes = std::numeric_limits<qint64>::max()) = 0;
    //! Every stored event id (to rebuild the duplicate filter at start).
    virtual QStringList eventIds() = 0;
    //! Deletes events received before \a before and all but the newest \a keepAtMost, the oldest first
    //! and at most \a limit of them per call (call again while it returns \a limit ids); returns their ids.
    virtual QStringList prune(const QDateTime &before, qint64 keepAtMost, int limit) = 0;
    //! A cheap round trip to the database.
    virtual bool isHealthy() = 0;

    virtual bool addToken(const QString &name, const QByteArray &hash, QString *error) = 0;
    virtual bool revokeToken(const QString &name) = 0; //!< false when no such valid token
    virtual QList<TokenInfo> tokens() = 0;
    //! The name of the valid token with this hash, if any.
    virtual std::optional<QString> tokenName(const QByteArray &hash) = 0;
};

} // namespace ct
