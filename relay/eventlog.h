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
    //! Set by append(): the log already held an event with this id, so nothing was stored for this
    //! one (seq stays 0). Logs shared by several relays find these; SQLite's caller filters them first.
    bool duplicate = false;
};

struct TokenInfo
{
    QString name;
    QByteArray hash; //!< SHA-256 of the token: what a session is bound to (a name can be reused)
    QDateTime createdAt;
    QDateTime revokedAt; //!< invalid while the token is valid
};

//! A dashboard sign-in: only the hash of the cookie's session id is kept, bound to the token used.
struct WebSession
{
    QByteArray hash; //!< SHA-256 of the session id
    QByteArray tokenHash; //!< the device token signed in with: revoking it ends the session
    QDateTime createdAt;
    QDateTime lastSeenAt;
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

    //! Stores \a events in one transaction and fills in their sequence numbers, or marks them
    //! `duplicate` when the log already holds their id (an earlier one in the same batch counts);
    //! false (nothing stored) on failure.
    virtual bool append(QList<StoredEvent> &events, QString *error) = 0;
    //! Up to \a limit events with seq > \a afterSeq, in order, stopping once their bodies pass
    //! \a maxBytes (so at least one event, whatever its size, when there is one). \a ok, when
    //! given, tells a failed read (the database did not answer) from "nothing after afterSeq".
    virtual QList<StoredEvent> read(qint64 afterSeq, int limit, qint64 maxBytes = std::numeric_limits<qint64>::max(),
                                    bool *ok = nullptr) = 0;
    //! Every stored event id (to rebuild the duplicate filter at start).
    virtual QStringList eventIds() = 0;
    //! Deletes events received before \a before and all but the newest \a keepAtMost, the oldest first
    //! and at most \a limit of them per call (call again while it returns \a limit ids); returns their ids.
    virtual QStringList prune(const QDateTime &before, qint64 keepAtMost, int limit) = 0;
    //! A cheap round trip to the database.
    virtual bool isHealthy() = 0;
    //! The database notification channel append() notifies with the new head seq (a log shared by
    //! several relays: PostgreSQL's NOTIFY); empty when appends are not announced.
    virtual QString notificationChannel() const { return {}; }

    virtual bool addToken(const QString &name, const QByteArray &hash, QString *error) = 0;
    virtual bool revokeToken(const QString &name) = 0; //!< false when no such valid token
    virtual QList<TokenInfo> tokens() = 0;
    //! The name of the valid token with this hash, if any.
    virtual std::optional<QString> tokenName(const QByteArray &hash) = 0;

    virtual bool addSession(const WebSession &session, QString *error) = 0;
    //! The session with this hash whose token is still valid, if any.
    virtual std::optional<WebSession> session(const QByteArray &hash) = 0;
    virtual void touchSession(const QByteArray &hash, const QDateTime &at) = 0;
    virtual void removeSession(const QByteArray &hash) = 0;
    //! Removes sessions last seen before \a idleBefore, created before \a createdBefore, or whose
    //! token was revoked; returns how many.
    virtual int pruneSessions(const QDateTime &idleBefore, const QDateTime &createdBefore) = 0;
};

} // namespace ct
