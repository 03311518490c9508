// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/tokenattemptlimiter.h"

namespace ct {

QHostAddress TokenAttemptLimiter::keyFor(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4);
    Q_IPV6ADDR bytes = peer.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes);
}

qint64 TokenAttemptLimiter::blockedFor(const QHostAddress &peer, qint64 nowMs)
{
    const auto it = m_entries.constFind(keyFor(peer));
    if (it == m_entries.cend() || it->failures < m_limits.maxFailures)
        return 0;
    const qint64 end = it->windowStart + m_limits.window.count();
    return end > nowMs ? end - nowMs : 0;
}

bool TokenAttemptLimiter::failed(const QHostAddress &peer, qint64 nowMs)
{
    const QHostAddress key = keyFor(peer);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        if (m_entries.size() >= m_limits.maxTracked)
            makeRoom(nowMs);
        it = m_entries.insert(key, Entry {nowMs, 0});
    } else if (nowMs - it->windowStart >= m_limits.window.count()) {
        *it = Entry {nowMs, 0}; // a new window
    }
    return ++it->failures == m_limits.maxFailures;
}

void TokenAttemptLimiter::makeRoom(qint64 nowMs)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (nowMs - it->windowStart >= m_limits.window.count())
            it = m_entries.erase(it);
        else
            ++it;
    }
    while (m_entries.size() >= m_limits.maxTracked)
        m_entries.erase(m_entries.begin());
}

} // namespace ct
