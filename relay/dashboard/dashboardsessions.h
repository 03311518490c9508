// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/eventlog.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>

#include <chrono>
#include <optional>

namespace ct {

/*!
 * \brief Dashboard sign-ins: a random session id in the browser's cookie, its hash in the event log.
 *
 * A session ends when it has been idle longer than the idle timeout, when it is older than its
 * lifetime, when its device token is revoked, or at sign-out. Activity is written at most once a
 * minute per session, so a busy wall screen costs the database almost nothing.
 */
class DashboardSessions
{
public:
    struct Limits
    {
        std::chrono::seconds idleTimeout {7 * 24 * 3600};
        std::chrono::seconds lifetime {30 * 24 * 3600};
    };
    DashboardSessions(EventLog *log, Limits limits);

    //! A new session for the token with \a tokenHash; the id for the cookie (43 base64url characters,
    //! 256 random bits), or an empty array when it could not be stored.
    QByteArray create(const QByteArray &tokenHash, const QDateTime &now);
    //! The valid session for cookie value \a id, recording activity; nullopt when unknown or ended.
    std::optional<WebSession> resolve(QByteArrayView id, const QDateTime &now);
    //! Still valid (without recording activity): for the live sockets' periodic check.
    bool isValid(const QByteArray &hash, const QDateTime &now);
    void touch(const QByteArray &hash, const QDateTime &now);
    void end(QByteArrayView id);
    void endByHash(const QByteArray &hash);
    int prune(const QDateTime &now); //!< removes ended sessions; returns how many

    static QByteArray hashOf(QByteArrayView id);
    const Limits &limits() const { return m_limits; }

private:
    bool expired(const WebSession &s, const QDateTime &now) const;

    EventLog *m_log;
    Limits m_limits;
};

} // namespace ct
