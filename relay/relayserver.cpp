// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/relayserver.h"

#include "core/logging.h"
#include "core/timestamp.h"
#include "core/webhookreceiver.h"
#include "relay/dashboard/dashboardsite.h"
#include "relay/deliveryhub.h"
#include "relay/ingestor.h"
#include "relay/logreader.h"
#include "relay/logtailer.h"
#include "relay/logwriter.h"
#include "relay/pgeventlog.h"
#include "relay/pgnotifier.h"
#include "relay/relaylogging.h"
#include "relay/sqleventlog.h"
#include "relay/tlscredentials.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslKey>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

namespace {

    QString describe(const QHostAddress &address, quint16 port)
    {
        const QString host =
            address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
        return host + u':' + QString::number(port);
    }

    QByteArray rejectionLabel(int status)
    {
        switch (status) {
        case 401:
            return "signature"_ba;
        case 400:
            return "malformed"_ba;
        case 413:
            return "too_large"_ba;
        case 431:
            return "headers_too_large"_ba;
        case 408:
            return "timeout"_ba;
        case 503:
            return "not_configured"_ba;
        default:
            return "other"_ba;
        }
    }

} // namespace

RelayServer::RelayServer(const RelayConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
    m_uptime.start();
}

RelayServer::~RelayServer()
{
    delete m_dashboard;
    delete m_hub;
    if (m_writer)
        m_writer->stop();
    for (LogReader *reader : {m_tailReader.get(), m_replayReader.get()}) {
        if (reader)
            reader->stop();
    }
    m_http.close();
    if (m_metricsHttp)
        m_metricsHttp->close();
    if (m_log)
        m_log->close();
}

bool RelayServer::applyTls(QString *error)
{
    auto tls = TlsCredentials::load(m_config.tlsCert, m_config.tlsKey, error);
    if (!tls)
        return false;
    m_http.setTlsConfiguration(tls->configuration);
    m_tlsExpiresAt = tls->expiresAt;
    m_tlsWarning = tls->warning;
    if (!m_tlsWarning.isEmpty())
        qCWarning(lcRelay).noquote() << m_tlsWarning;
    return true;
}

QString RelayServer::tlsWarning() const
{
    // Re-evaluated as time passes: a relay that runs for weeks sees its certificate age.
    return m_tlsExpiresAt.isValid() ? TlsCredentials::expiryWarning(m_tlsExpiresAt, QDateTime::currentDateTimeUtc())
                                    : QString();
}

bool RelayServer::start(QString *error)
{
    if (m_config.database) {
        m_log = std::make_unique<PgEventLog>(*m_config.database);
    } else {
        if (!QDir().mkpath(m_config.dataDir)) {
            *error = u"cannot create data directory %1"_s.arg(m_config.dataDir);
            return false;
        }
        m_log = std::make_unique<SqlEventLog>(m_config.databasePath(), m_config.durability);
    }
    if (!m_log->open(error))
        return false;
    // Writes, and the reads that follow the log for clients, go through connections of their own
    // on threads of their own.
    const auto connection = [config = m_config]() -> std::unique_ptr<EventLog> {
        if (config.database)
            return std::make_unique<PgEventLog>(*config.database);
        return std::make_unique<SqlEventLog>(config.databasePath(), config.durability);
    };
    m_writer = std::make_unique<LogWriter>(connection);
    m_tailReader = std::make_unique<LogReader>(connection, u"log-tail"_s);
    m_replayReader = std::make_unique<LogReader>(connection, u"log-replay"_s);
    if (!m_writer->start(error) || !m_tailReader->start(error) || !m_replayReader->start(error))
        return false;
    connect(m_writer.get(), &LogWriter::pruned, this, &RelayServer::pruned);

    HttpServerLimits limits;
    limits.reader.maxBodyBytes = m_config.maxBodyBytes;
    limits.headerTimeout = m_config.headerTimeout;
    limits.idleTimeout = m_config.idleTimeout;
    limits.maxConnections = m_config.maxConnections; // within the open-file limit, raised at start
    limits.maxConnectionsPerAddress = m_config.maxConnectionsPerAddress;
    limits.perAddressExempt = m_config.trustedProxies;
    m_http.setLimits(limits);
    if (!m_config.tlsCert.isEmpty() && !applyTls(error))
        return false;

    m_ingestor = new Ingestor(m_log.get(), &m_metrics, this);
    m_ingestor->setWriter(m_writer.get());
    // SQLite: only this relay writes the log, so an in-memory set of its ids is the duplicate filter.
    // PostgreSQL: other relays write too; append() finds duplicates by the unique event id.
    if (!m_config.database)
        m_ingestor->loadKnownIds();
    DeliveryLimits delivery;
    delivery.keepaliveInterval = m_config.keepaliveInterval;
    delivery.keepaliveTimeout = m_config.keepaliveTimeout;
    delivery.clientBufferLimit = m_config.clientBufferLimit;
    delivery.maxSessionsPerToken = m_config.maxSessionsPerToken;
    delivery.rejectedNoticeInterval = m_config.rejectedNoticeInterval;
    delivery.trustedProxies = m_config.trustedProxies;
    m_hub = new DeliveryHub(m_log.get(), m_replayReader.get(), &m_metrics, delivery);
    // Clients get what the log says, in its order, whoever stored it (several relays may share it).
    // A shared log (PostgreSQL) is read every 1.5 s in case a notification was lost; SQLite is this
    // relay's alone, so its own commits are all there is: an idle relay stays asleep.
    m_tailer = new LogTailer(m_tailReader.get(), std::chrono::milliseconds(m_config.database ? 1500 : 0), this);
    connect(m_ingestor, &Ingestor::eventsStored, m_tailer, &LogTailer::noteStored);
    connect(m_tailer, &LogTailer::eventsAppended, m_hub, &DeliveryHub::broadcastStored);

    m_receiver = new WebhookReceiver(&m_http, m_config.webhookPath, this);
    m_receiver->setSecrets(m_config.secrets);
    m_receiver->setHandler([this](const WebhookDelivery &d, HttpResponder r) {
        if (m_stopping) {
            r.respond(HttpResponse::text(503, "relay shutting down; retry later"_ba));
            return;
        }
        // A genuine delivery captured and replayed after retention forgot its id would be new again:
        // nothing older than the retention window is stored (200, so a real late retry stops too).
        const QDateTime oldestKept = QDateTime::currentDateTimeUtc().addDays(-m_config.retentionDays);
        if (d.event.happenedAt.isValid() && d.event.happenedAt < oldestKept) {
            ++m_metrics.stale;
            qCInfo(lcRelayIngest).noquote()
                << "not storing event" << logQuoted(d.event.id) << "from" << formatTimestamp(d.event.happenedAt)
                << "- older than the retention window";
            r.respond(HttpResponse::text(200, "not stored: older than the relay's retention window"_ba));
            return;
        }
        m_ingestor->submit(d, r);
    });
    connect(m_receiver, &WebhookReceiver::requestReceived, this, [this] { ++m_metrics.received; });
    connect(m_receiver, &WebhookReceiver::deliveryRejected, this,
            [this](int status, const QString &reason, const QByteArray &eventType, bool looksLikeCircleCi) {
                ++m_metrics.rejected[rejectionLabel(status)];
                if (status == 401 || status == 400)
                    m_hub->noteRejected(reason, eventType, looksLikeCircleCi);
            });
    connect(&m_http, &HttpServer::requestRefused, this, [this](int status, const QString &) {
        if (status != 404 && status != 405)
            ++m_metrics.rejected[rejectionLabel(status)];
    });
    m_http.route("GET"_ba, "/events"_ba,
                 [this](const HttpRequest &req, HttpResponder r) { m_hub->handleUpgrade(req, r); });
    if (m_config.dashboard) {
        DashboardConfig dashboard;
        dashboard.origin = WebOrigin(m_config.publicUrl, !m_config.tlsCert.isEmpty());
        dashboard.sessions.idleTimeout = m_config.sessionIdleTimeout;
        dashboard.sessions.lifetime = m_config.sessionLifetime;
        dashboard.live.keepaliveInterval = m_config.keepaliveInterval;
        dashboard.live.keepaliveTimeout = m_config.keepaliveTimeout;
        dashboard.live.bufferLimit = m_config.clientBufferLimit;
        m_dashboard = new DashboardSite(m_log.get(), &m_metrics, m_hub, dashboard);
        m_dashboard->rebuild();
        m_dashboard->addRoutes(m_http);
        connect(m_tailer, &LogTailer::eventsAppended, m_dashboard,
                [this](const QList<StoredEvent> &events) { m_dashboard->eventsStored(events); });
    }
    // From where the dashboard's state ends (or the head): nothing appended meanwhile is missed.
    m_tailer->start(m_dashboard ? m_dashboard->position() : m_log->headSeq());
    // Other relays' appends: announced by the database, so clients here get them at once rather
    // than at the next fallback read.
    if (const QString channel = m_log->notificationChannel(); m_config.database && !channel.isEmpty()) {
        m_notifier = new PgNotifier(*m_config.database, channel, this);
        connect(m_notifier, &PgNotifier::notified, m_tailer, &LogTailer::wake);
        connect(m_notifier, &PgNotifier::resubscribed, m_tailer, &LogTailer::wake);
        m_notifier->start();
    }

    if (m_config.metricsListen) {
        m_metricsHttp = std::make_unique<HttpServer>();
        addStatusRoutes(*m_metricsHttp, true);
        if (!m_metricsHttp->listen(m_config.metricsListen->first, m_config.metricsListen->second)) {
            *error = u"cannot listen on %1: %2"_s.arg(
                describe(m_config.metricsListen->first, m_config.metricsListen->second), m_metricsHttp->errorString());
            return false;
        }
    } else {
        addStatusRoutes(m_http, false);
    }
    if (!m_http.listen(m_config.listenAddress, m_config.port)) {
        *error =
            u"cannot listen on %1: %2"_s.arg(describe(m_config.listenAddress, m_config.port), m_http.errorString());
        return false;
    }
    if (m_dashboard)
        m_dashboard->setPort(m_http.serverPort());

    connect(&m_pruneTimer, &QTimer::timeout, this, [this] {
        prune();
        if (m_dashboard)
            m_dashboard->pruneSessions();
    });
    m_pruneTimer.start(10min);
    prune();
    return true;
}

void RelayServer::addStatusRoutes(HttpServer &server, bool privateListener)
{
    server.route("GET"_ba, "/healthz"_ba, [this, privateListener](const HttpRequest &req, HttpResponder r) {
        // On the public port anyone may ask whether the relay is up; what it is (id, version,
        // sequence, clients) only a device token holder or the private metrics listener learns.
        const bool details = privateListener
            || (req.header("authorization")
                && m_hub->checkToken(req, m_hub->clientAddress(req, r.peerAddress()))
                    == DeliveryHub::TokenCheck::Valid);
        bool ok = false;
        const QByteArray body = healthJson(&ok, details);
        r.respond(HttpResponse::json(ok ? 200 : 503, body));
    });
    server.route("GET"_ba, "/metrics"_ba, [this](const HttpRequest &, HttpResponder r) {
        m_metrics.tlsHandshakeFailures = m_http.handshakeFailures();
        m_metrics.connectionsRefused = m_http.connectionsRefused();
        m_metrics.dashboardLive = m_dashboard ? m_dashboard->pageCount() : 0;
        HttpResponse response {200,
                               {{"Content-Type"_ba, "text/plain; version=0.0.4"_ba}},
                               m_metrics.render(m_hub ? m_hub->clientCount() : 0),
                               false};
        r.respond(response);
    });
}

QByteArray RelayServer::healthJson(bool *ok, bool details) const
{
    *ok = m_log && m_log->isHealthy() && !m_stopping;
    const QString warning = tlsWarning();
    if (!details) {
        QJsonObject o {{u"status"_s, *ok ? u"ok"_s : u"unavailable"_s}};
        if (!warning.isEmpty())
            o.insert(u"warning"_s, warning); // nothing secret: the certificate is what every client sees
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    QJsonObject o {
        {u"status"_s, *ok ? u"ok"_s : u"unavailable"_s},
        {u"version"_s, QStringLiteral(CT_VERSION)},
        {u"uptime_seconds"_s, m_uptime.elapsed() / 1000},
        {u"connected_clients"_s, m_hub ? m_hub->clientCount() : 0},
        {u"last_event_at"_s,
         m_metrics.lastEventAt.isValid() ? QJsonValue(QString::fromLatin1(formatTimestamp(m_metrics.lastEventAt)))
                                         : QJsonValue(QJsonValue::Null)},
        {u"storage_ok"_s, *ok},
        {u"head_seq"_s, m_log ? m_log->headSeq() : 0},
        {u"relay_id"_s, m_log ? m_log->relayId() : QString()},
    };
    if (m_tlsExpiresAt.isValid())
        o.insert(u"tls_expires_at"_s, QString::fromLatin1(formatTimestamp(m_tlsExpiresAt)));
    if (!warning.isEmpty())
        o.insert(u"warning"_s, warning);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void RelayServer::prune()
{
    // On the writer thread, in slices of a few hundred rows: a large clean-up never holds the
    // event loop, and appends queue between slices.
    if (m_pruning || m_stopping)
        return;
    m_pruning = true;
    m_writer->pruneAsync(QDateTime::currentDateTimeUtc().addDays(-m_config.retentionDays), m_config.retentionMaxEvents,
                         500);
}

void RelayServer::pruned(const QStringList &removed, int limit)
{
    m_pruning = false;
    if (removed.isEmpty())
        return;
    m_ingestor->forget(removed);
    qCInfo(lcRelayStore) << "retention removed" << removed.size() << "events; oldest kept is now" << m_log->oldestSeq();
    if (removed.size() == limit)
        prune();
}

QString RelayServer::listenDescription() const
{
    return describe(m_http.serverAddress(), m_http.serverPort());
}

QString RelayServer::metricsDescription() const
{
    return m_metricsHttp ? describe(m_metricsHttp->serverAddress(), m_metricsHttp->serverPort()) : QString();
}

bool RelayServer::reloadTls(QString *error)
{
    if (m_config.tlsCert.isEmpty())
        return true;
    if (!applyTls(error))
        return false; // the pair in use stays
    qCInfo(lcRelay) << "reloaded TLS certificate" << m_config.tlsCert;
    return true;
}

void RelayServer::shutdown()
{
    if (m_stopping)
        return;
    m_stopping = true;
    qCInfo(lcRelay) << "shutting down";
    m_http.stopListening();
    if (m_metricsHttp)
        m_metricsHttp->stopListening();
    m_ingestor->drain(); // everything received is committed and answered
    m_http.disconnectAll(); // after those answers have been sent
    m_hub->closeAll();
    if (m_dashboard)
        m_dashboard->closeAll();
    // Give answers and close frames a moment to leave, then stop.
    auto *poll = new QTimer(this);
    auto *deadline = new QElapsedTimer;
    deadline->start();
    connect(poll, &QTimer::timeout, this, [this, poll, deadline] {
        const int pages = m_dashboard ? m_dashboard->pageCount() : 0;
        if ((m_hub->clientCount() == 0 && pages == 0 && m_http.connectionCount() == 0) || deadline->hasExpired(3000)) {
            poll->stop();
            delete deadline;
            m_writer->stop();
            m_tailReader->stop();
            m_replayReader->stop();
            delete m_notifier; // its own connection
            m_notifier = nullptr;
            m_log->close();
            Q_EMIT stopped();
        }
    });
    poll->start(20);
}

} // namespace ct
