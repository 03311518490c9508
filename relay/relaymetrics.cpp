// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/relaymetrics.h"

namespace ct {

void RelayMetrics::observeLatency(double seconds)
{
    for (size_t i = 0; i < latencyBuckets.size(); ++i) {
        if (seconds <= latencyBuckets[i])
            ++latencyCounts[i];
    }
    ++latencyCount;
    latencySum += seconds;
}

QByteArray RelayMetrics::render(int connectedClients) const
{
    QByteArray out;
    auto counter = [&out](const char *name, const char *help, quint64 value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n" + name + ' '
            + QByteArray::number(value) + '\n';
    };
    auto labelled = [&out](const char *name, const char *help, const char *label,
                           const QMap<QByteArray, quint64> &values) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n";
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            out += QByteArray(name) + '{' + label + "=\"" + it.key() + "\"} " + QByteArray::number(it.value()) + '\n';
    };
    counter("circletray_relay_webhooks_received_total", "Webhook requests received.", received);
    counter("circletray_relay_events_accepted_total", "New events stored.", accepted);
    counter("circletray_relay_events_duplicate_total", "Deliveries of an event id already stored.", duplicate);
    counter("circletray_relay_storage_failures_total", "Deliveries answered 503 because storage failed.",
            storageFailures);
    labelled("circletray_relay_webhooks_rejected_total", "Webhook requests refused, by reason.", "reason", rejected);
    out += "# HELP circletray_relay_clients_connected WebSocket clients connected.\n"
           "# TYPE circletray_relay_clients_connected gauge\n"
           "circletray_relay_clients_connected "
        + QByteArray::number(connectedClients) + '\n';
    counter("circletray_relay_messages_replayed_total", "Event messages sent to catch clients up.", replayed);
    counter("circletray_relay_messages_delivered_total", "Event messages sent live.", delivered);
    labelled("circletray_relay_clients_closed_total", "Clients closed by the relay, by reason.", "reason",
             clientsClosed);
    labelled("circletray_relay_dashboard_sign_ins_total", "Dashboard sign-in attempts, by result.", "result",
             dashboardSignIns);
    counter("circletray_relay_dashboard_refused_total",
            "Dashboard requests refused for a foreign Host or Origin (DNS rebinding, CSRF, WebSocket hijacking).",
            dashboardRefused);
    counter("circletray_relay_dashboard_updates_total", "Update messages sent to dashboard pages.", dashboardUpdates);
    out += "# HELP circletray_relay_dashboard_pages_connected Dashboard pages connected live.\n"
           "# TYPE circletray_relay_dashboard_pages_connected gauge\n"
           "circletray_relay_dashboard_pages_connected "
        + QByteArray::number(dashboardLive) + '\n';
    counter("circletray_relay_events_stale_total",
            "Signed deliveries older than the retention window, answered 200 and not stored (replays).", stale);
    counter("circletray_relay_rejections_unannounced_total",
            "Refused deliveries without a well-formed v1 signature (not told to clients).", rejectionsUnannounced);
    counter("circletray_relay_rejection_notices_total", "Coalesced rejected notices sent to clients.",
            rejectionNotices);
    counter("circletray_relay_rejection_notices_dropped_total",
            "Rejected notices not sent because the client's buffer was full.", rejectionNoticesDropped);
    counter("circletray_relay_token_failures_total", "Clients with a missing, unknown or revoked device token.",
            tokenFailures);
    counter("circletray_relay_token_attempts_throttled_total",
            "Token attempts refused 429 unchecked after repeated failures from the address.", tokenAttemptsThrottled);
    counter("circletray_relay_tls_handshake_failures_total", "TLS handshakes that failed or timed out.",
            tlsHandshakeFailures);
    counter("circletray_relay_connections_refused_total", "Connections refused over a connection limit.",
            connectionsRefused);
    const char *h = "circletray_relay_delivery_latency_seconds";
    out += QByteArray("# HELP ") + h + " Webhook received to live message handed to a client.\n# TYPE " + h
        + " histogram\n";
    for (size_t i = 0; i < latencyBuckets.size(); ++i)
        out += QByteArray(h) + "_bucket{le=\"" + QByteArray::number(latencyBuckets[i]) + "\"} "
            + QByteArray::number(latencyCounts[i]) + '\n';
    out += QByteArray(h) + "_bucket{le=\"+Inf\"} " + QByteArray::number(latencyCount) + '\n';
    out += QByteArray(h) + "_sum " + QByteArray::number(latencySum, 'g', 9) + '\n';
    out += QByteArray(h) + "_count " + QByteArray::number(latencyCount) + '\n';
    return out;
}

} // namespace ct
