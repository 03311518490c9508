// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"
#include "core/httpresponder.h"
#include "relay/dashboard/dashboardlive.h"
#include "relay/dashboard/dashboardsessions.h"
#include "relay/dashboard/dashboardstate.h"
#include "relay/dashboard/weborigin.h"

#include <QHash>
#include <QObject>

namespace ct {

class DeliveryHub;
class EventLog;
class HttpServer;
struct RelayMetrics;

struct DashboardConfig
{
    WebOrigin origin;
    DashboardSessions::Limits sessions;
    DashboardLive::Limits live;
    std::chrono::milliseconds failedSignInDelay {1000}; //!< every wrong token is answered this late
};

/*!
 * \brief The relay's team dashboard: the page, sign-in, the state API and the live stream
 * (docs/dashboard-protocol.md, README "The dashboard").
 *
 * The page's files are compiled in (Qt resources) and public; everything under /api/ needs a
 * session cookie, made by signing in with a device token. Every dashboard route checks Host
 * (DNS rebinding); POSTs and the live upgrade also check Origin exactly (CSRF, WebSocket
 * hijacking). Responses carry a strict Content-Security-Policy and no-sniff/referrer headers.
 */
class DashboardSite final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardSite)

public:
    DashboardSite(EventLog *log, RelayMetrics *metrics, DeliveryHub *hub, DashboardConfig config,
                  QObject *parent = nullptr);
    ~DashboardSite() override;

    void addRoutes(HttpServer &server);
    void setPort(quint16 port) { m_config.origin.setPort(port); }
    void rebuild(); //!< folds the whole event log into the state (at start)
    void eventsStored(const QList<ct::StoredEvent> &events);
    void pruneSessions();
    void closeAll(); //!< 1001 to every live page, at shutdown
    int pageCount() const { return m_live->pageCount(); }
    qint64 position() const { return m_state.lastSeq(); } //!< the last event folded in

private:
    struct StaticFile
    {
        QByteArray contentType;
        QByteArray body;
        QByteArray etag;
    };
    void loadFiles();
    //! The page's origin for this request's Host, or answers 421 and returns nullopt.
    std::optional<QByteArray> checkHost(const HttpRequest &request, const HttpResponder &responder);
    //! Origin is exactly \a origin, or answers 403 and returns false.
    bool checkOrigin(const HttpRequest &request, const HttpResponder &responder, const QByteArray &origin);
    std::optional<WebSession> sessionOf(const HttpRequest &request);
    QByteArray cookieValue(QByteArrayView cookieHeader) const;
    HttpResponse withHeaders(HttpResponse response, const QByteArray &origin) const;
    HttpResponse loginPage(int status, const QString &message, const QByteArray &origin) const;
    QByteArray sessionCookie(const QByteArray &id) const;

    void serveFile(const QByteArray &name, const HttpRequest &request, const HttpResponder &responder);
    void signIn(const HttpRequest &request, const HttpResponder &responder);
    void signOut(const HttpRequest &request, const HttpResponder &responder);
    void apiState(const HttpRequest &request, const HttpResponder &responder);
    void apiRecent(const HttpRequest &request, const HttpResponder &responder);
    void apiLive(const HttpRequest &request, const HttpResponder &responder);
    //! The signed-in session for an /api/ request, or answers 401 and returns nullopt.
    std::optional<WebSession> requireSession(const HttpRequest &request, const HttpResponder &responder,
                                             const QByteArray &origin);

    EventLog *m_log;
    RelayMetrics *m_metrics;
    DeliveryHub *m_hub;
    DashboardConfig m_config;
    DashboardSessions m_sessions;
    DashboardState m_state;
    DashboardLive *m_live = nullptr;
    QHash<QByteArray, StaticFile> m_files; //!< by name ("index.html")
};

} // namespace ct
