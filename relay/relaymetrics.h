// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMap>

#include <array>

namespace ct {

//! Counters behind /metrics (Prometheus text format) and /healthz.
struct RelayMetrics
{
    quint64 received = 0; //!< webhook requests that reached the webhook route
    quint64 accepted = 0; //!< stored (new events)
    quint64 duplicate = 0; //!< answered 200 without storing: the event id was already kept
    quint64 storageFailures = 0; //!< answered 503
    QMap<QByteArray, quint64> rejected; //!< by reason label: signature, malformed, too_large, …
    quint64 replayed = 0; //!< event messages sent while catching a client up
    quint64 delivered = 0; //!< event messages sent live
    QMap<QByteArray, quint64> clientsClosed; //!< by reason: revoked, too_slow, silent, shutdown, …
    quint64 stale = 0; //!< signed deliveries older than the retention window: answered 200, not stored
    quint64 rejectionsUnannounced = 0; //!< refused deliveries without a well-formed v1 signature
    quint64 rejectionNotices = 0; //!< coalesced `rejected` messages sent to clients
    quint64 rejectionNoticesDropped = 0; //!< not sent: the client's buffer was full
    quint64 tokenFailures = 0; //!< missing, unknown or revoked device tokens
    quint64 tokenAttemptsThrottled = 0; //!< answered 429 without checking: too many failures from the address
    QMap<QByteArray, quint64> dashboardSignIns; //!< by result: ok, invalid, throttled, refused (Origin)
    quint64 dashboardRefused = 0; //!< dashboard requests refused for their Host or Origin
    quint64 dashboardUpdates = 0; //!< update messages sent to dashboard pages
    int dashboardLive = 0; //!< dashboard pages connected live; copied when rendering
    quint64 tlsHandshakeFailures = 0; //!< copied from the HTTP server when rendering
    quint64 connectionsRefused = 0; //!< over a connection limit; copied from the HTTP server
    QDateTime lastEventAt;

    // Ingest (request received) to delivery (message handed to the client's socket), live events.
    static constexpr std::array<double, 11> latencyBuckets {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                            0.05,   0.1,   0.25,   0.5,   1.0};
    std::array<quint64, latencyBuckets.size()> latencyCounts {};
    quint64 latencyCount = 0;
    double latencySum = 0;

    void observeLatency(double seconds);
    QByteArray render(int connectedClients) const;
};

} // namespace ct
