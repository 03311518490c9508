// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httpserver.h"
#include "relay/relayconfig.h"
#include "relay/relaymetrics.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

namespace ct {

class DashboardSite;
class DeliveryHub;
class EventLog;
class Ingestor;
class LogTailer;
class LogReader;
class LogWriter;
class PgNotifier;
class WebhookReceiver;

/*!
 * \brief circletray-relay's `serve`: the event log, the webhook route, WebSocket delivery,
 * /healthz and /metrics, retention, graceful shutdown and certificate reload.
 */
class RelayServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RelayServer)

public:
    explicit RelayServer(const RelayConfig &config, QObject *parent = nullptr);
    ~RelayServer() override;

    bool start(QString *error);
    QString listenDescription() const; //!< "127.0.0.1:8788"
    QString metricsDescription() const; //!< empty without --metrics-listen
    bool reloadTls(QString *error);
    void shutdown(); //!< answers what is pending, closes clients with 1001, then emits stopped()

Q_SIGNALS:
    void stopped();

private:
    bool applyTls(QString *error); //!< loads, checks and uses the certificate pair; false keeps the old
    QString tlsWarning() const;
    void addStatusRoutes(HttpServer &server, bool privateListener);
    void prune();
    void pruned(const QStringList &removed, int limit);
    QByteArray healthJson(bool *ok, bool details) const;

    RelayConfig m_config;
    RelayMetrics m_metrics;
    std::unique_ptr<EventLog> m_log;
    HttpServer m_http;
    std::unique_ptr<HttpServer> m_metricsHttp;
    WebhookReceiver *m_receiver = nullptr;
    Ingestor *m_ingestor = nullptr;
    DeliveryHub *m_hub = nullptr;
    DashboardSite *m_dashboard = nullptr;
    LogTailer *m_tailer = nullptr;
    std::unique_ptr<LogWriter> m_writer; //!< appends and prunes off the event loop
    std::unique_ptr<LogReader> m_tailReader; //!< the tailer's reads, off the event loop
    std::unique_ptr<LogReader> m_replayReader; //!< catch-up pages for clients, off the event loop
    bool m_pruning = false;
    PgNotifier *m_notifier = nullptr; //!< PostgreSQL only
    QTimer m_pruneTimer;
    QElapsedTimer m_uptime;
    QDateTime m_tlsExpiresAt;
    QString m_tlsWarning;
    bool m_stopping = false;
};

} // namespace ct
