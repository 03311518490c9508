// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QHostAddress>

#include <chrono>

namespace ct {

/*!
 * \brief Slows down guessing of device tokens: after \a maxFailures wrong or missing tokens from one
 * address within a window, that address is refused (429, token not even checked) until the window ends.
 *
 * IPv6 addresses count by their /64 (one host usually has the whole prefix). The table is bounded:
 * expired entries go first, then arbitrary ones, so a flood of addresses cannot grow memory.
 */
class TokenAttemptLimiter
{
public:
    struct Limits
    {
        int maxFailures = 10;
        std::chrono::milliseconds window {60'000};
        int maxTracked = 10'000;
    };

    TokenAttemptLimiter()
        : TokenAttemptLimiter(Limits())
    { }
    explicit TokenAttemptLimiter(Limits limits)
        : m_limits(limits)
    { }

    //! Milliseconds until \a peer may try a token again; 0 when it may now. \a nowMs: a steady clock.
    qint64 blockedFor(const QHostAddress &peer, qint64 nowMs);
    //! Counts a wrong or missing token from \a peer; true when this failure starts a block.
    bool failed(const QHostAddress &peer, qint64 nowMs);
    int trackedAddresses() const { return int(m_entries.size()); }

    //! The key an address is counted under (an IPv6 address's /64, IPv4-mapped as IPv4).
    static QHostAddress keyFor(const QHostAddress &peer);

private:
    struct Entry
    {
        qint64 windowStart = 0;
        int failures = 0;
    };
    void makeRoom(qint64 nowMs);

    Limits m_limits;
    QHash<QHostAddress, Entry> m_entries;
};

} // namespace ct
