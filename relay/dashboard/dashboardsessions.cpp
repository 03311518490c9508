// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/dashboard/dashboardsessions.h"

#include "relay/relaylogging.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <array>

namespace ct {

namespace {

    constexpr qint64 touchEverySeconds = 60;

} // namespace

DashboardSessions::DashboardSessions(EventLog *log, Limits limits)
    : m_log(log)
    , m_limits(limits)
{ }

QByteArray DashboardSessions::hashOf(QByteArrayView id)
{
    return QCryptographicHash::hash(id, QCryptographicHash::Sha256);
}

QByteArray DashboardSessions::create(const QByteArray &tokenHash, const QDateTime &now)
{
    std::array<quint32, 8> random {};
    QRandomGenerator::system()->fillRange(random.data(), random.size());
    const QByteArray id = QByteArray(reinterpret_cast<const char *>(random.data()), sizeof(random))
                              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QString error;
    if (!m_log->addSession({hashOf(id), tokenHash, now, now}, &error)) {
        qCWarning(lcRelayStore).noquote() << "cannot store a dashboard session:" << error;
        return {};
    }
    return id;
}

bool DashboardSessions::expired(const WebSession &s, const QDateTime &now) const
{
    return s.lastSeenAt.secsTo(now) > m_limits.idleTimeout.count()
        || s.createdAt.secsTo(now) > m_limits.lifetime.count();
}

std::optional<WebSession> DashboardSessions::resolve(QByteArrayView id, const QDateTime &now)
{
    if (id.isEmpty() || id.size() > 128)
        return std::nullopt;
    const QByteArray hash = hashOf(id);
    std::optional<WebSession> s = m_log->session(hash);
    if (!s)
        return std::nullopt;
    if (expired(*s, now)) {
        m_log->removeSession(hash);
        return std::nullopt;
    }
    if (s->lastSeenAt.secsTo(now) >= touchEverySeconds) {
        m_log->touchSession(hash, now);
        s->lastSeenAt = now;
    }
    return s;
}

bool DashboardSessions::isValid(const QByteArray &hash, const QDateTime &now)
{
    const std::optional<WebSession> s = m_log->session(hash);
    return s && !expired(*s, now);
}

void DashboardSessions::touch(const QByteArray &hash, const QDateTime &now)
{
    m_log->touchSession(hash, now);
}

void DashboardSessions::end(QByteArrayView id)
{
    if (!id.isEmpty())
        m_log->removeSession(hashOf(id));
}

void DashboardSessions::endByHash(const QByteArray &hash)
{
    m_log->removeSession(hash);
}

int DashboardSessions::prune(const QDateTime &now)
{
    return m_log->pruneSessions(now.addSecs(-m_limits.idleTimeout.count()), now.addSecs(-m_limits.lifetime.count()));
}

} // namespace ct
