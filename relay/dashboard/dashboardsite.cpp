// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/dashboard/dashboardsite.h"

#include "core/httpserver.h"
#include "core/logging.h"
#include "relay/deliveryhub.h"
#include "relay/relaylogging.h"
#include "relay/relaymetrics.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    const QString resourceDir = u":/dashboard"_s;

    QByteArray contentTypeFor(const QString &name)
    {
        if (name.endsWith(u".html"))
            return "text/html; charset=utf-8"_ba;
        if (name.endsWith(u".js") || name.endsWith(u".mjs"))
            return "text/javascript; charset=utf-8"_ba;
        if (name.endsWith(u".css"))
            return "text/css; charset=utf-8"_ba;
        if (name.endsWith(u".svg"))
            return "image/svg+xml"_ba;
        if (name.endsWith(u".png"))
            return "image/png"_ba;
        return "application/octet-stream"_ba;
    }

    QByteArray htmlEscaped(const QString &text)
    {
        return text.toHtmlEscaped().replace(u'\'', u"&#39;"_s).toUtf8();
    }

    HttpResponse jsonResponse(int status, const QJsonObject &o)
    {
        HttpResponse r = HttpResponse::json(status, QJsonDocument(o).toJson(QJsonDocument::Compact));
        r.headers.append({"Cache-Control"_ba, "no-store"_ba});
        return r;
    }

    HttpResponse jsonError(int status, const QString &message)
    {
        return jsonResponse(status, QJsonObject {{u"error"_s, message}});
    }

    //! application/x-www-form-urlencoded: the value of \a field ('+' is a space), or nullopt.
    std::optional<QByteArray> formField(const QByteArray &body, QByteArrayView field)
    {
        for (const QByteArray &pair : body.split('&')) {
            const qsizetype eq = pair.indexOf('=');
            QByteArray key = pair.left(eq < 0 ? pair.size() : eq);
            if (QByteArray::fromPercentEncoding(key.replace('+', ' ')) != field)
                continue;
            QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
            return QByteArray::fromPercentEncoding(value.replace('+', ' '));
        }
        return std::nullopt;
    }

    bool isWebSocketUpgrade(const HttpRequest &request)
    {
        return request.upgrade && request.header("upgrade").value_or("").compare("websocket", Qt::CaseInsensitive) == 0;
    }

} // namespace

DashboardSite::DashboardSite(EventLog *log, RelayMetrics *metrics, DeliveryHub *hub, DashboardConfig config,
                             QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_metrics(metrics)
    , m_hub(hub)
    , m_config(config)
    , m_sessions(log, config.sessions)
{
    DashboardLive::Callbacks callbacks;
    callbacks.state = [this] {
        return m_state.toJson(m_log->relayId(), m_log->headSeq(), QDateTime::currentDateTimeUtc());
    };
    callbacks.head = [this] { return m_log->headSeq(); };
    callbacks.relayId = [this] { return m_log->relayId(); };
    callbacks.sessionOf = [this](const QByteArray &cookieHeader) -> std::optional<QByteArray> {
        const auto s = m_sessions.resolve(cookieValue(cookieHeader), QDateTime::currentDateTimeUtc());
        return s ? std::optional(s->hash) : std::nullopt;
    };
    callbacks.sessionValid = [this](const QByteArray &hash) {
        return m_sessions.isValid(hash, QDateTime::currentDateTimeUtc());
    };
    callbacks.touch = [this](const QByteArray &hash) { m_sessions.touch(hash, QDateTime::currentDateTimeUtc()); };
    callbacks.storageHealthy = [this] { return m_log->isHealthy(); };
    m_live = new DashboardLive(metrics, config.live, std::move(callbacks), this);
    loadFiles();
}

DashboardSite::~DashboardSite() = default;

void DashboardSite::loadFiles()
{
    const QDir dir(resourceDir);
    for (const QString &name : dir.entryList(QDir::Files)) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        StaticFile file;
        file.body = f.readAll();
        file.contentType = contentTypeFor(name);
        file.etag = '"' + QCryptographicHash::hash(file.body, QCryptographicHash::Sha256).toHex().left(20) + '"';
        m_files.insert(name.toUtf8(), file);
    }
}

void DashboardSite::addRoutes(HttpServer &server)
{
    const auto bind = [this](void (DashboardSite::*handler)(const HttpRequest &, const HttpResponder &)) {
        return [this, handler](const HttpRequest &request, HttpResponder responder) {
            (this->*handler)(request, responder);
        };
    };
    server.route("GET"_ba, "/"_ba,
                 [this](const HttpRequest &req, HttpResponder r) { serveFile("index.html"_ba, req, r); });
    server.route("GET"_ba, "/login"_ba, [this](const HttpRequest &req, HttpResponder r) {
        if (const auto origin = checkHost(req, r))
            r.respond(loginPage(200, QString(), *origin));
    });
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
        if (it.key() == "index.html" || it.key() == "login.html")
            continue;
        const QByteArray name = it.key();
        server.route("GET"_ba, '/' + name,
                     [this, name](const HttpRequest &req, HttpResponder r) { serveFile(name, req, r); });
    }
    server.route("POST"_ba, "/login"_ba, bind(&DashboardSite::signIn));
    server.route("POST"_ba, "/logout"_ba, bind(&DashboardSite::signOut));
    server.route("GET"_ba, "/api/state"_ba, bind(&DashboardSite::apiState));
    server.route("GET"_ba, "/api/recent"_ba, bind(&DashboardSite::apiRecent));
    server.route("GET"_ba, "/api/live"_ba, bind(&DashboardSite::apiLive));
}

HttpResponse DashboardSite::withHeaders(HttpResponse r, const QByteArray &origin) const
{
    r.headers.append(
        {"Content-Security-Policy"_ba,
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' "
             + WebOrigin::webSocketOrigin(origin) + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"});
    r.headers.append({"X-Content-Type-Options"_ba, "nosniff"_ba});
    // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the page's
    // own form POST, which the exact Origin check would refuse.
    r.headers.append({"Referrer-Policy"_ba, "same-origin"_ba});
    r.headers.append({"X-Frame-Options"_ba, "DENY"_ba});
    r.headers.append({"Cross-Origin-Opener-Policy"_ba, "same-origin"_ba});
    return r;
}

std::optional<QByteArray> DashboardSite::checkHost(const HttpRequest &request, const HttpResponder &responder)
{
    if (auto origin = m_config.origin.originFor(request.header("host").value_or("")))
        return origin;
    ++m_metrics->dashboardRefused;
    responder.respond(HttpResponse::text(
        421,
        m_config.origin.hasPublicUrl()
            ? "this relay's dashboard answers only at its public URL (--public-url)"_ba
            : "this relay's dashboard answers only on 127.0.0.1, localhost or [::1]; to open it by another name, "
              "give the relay --public-url https://<that name>"_ba));
    return std::nullopt;
}

bool DashboardSite::checkOrigin(const HttpRequest &request, const HttpResponder &responder, const QByteArray &origin)
{
    const std::optional<QByteArrayView> sent = request.header("origin");
    if (sent && *sent == origin)
        return true;
    ++m_metrics->dashboardRefused;
    qCInfo(lcRelayDashboard).noquote() << "refused a dashboard" << request.method << QString::fromLatin1(request.path)
                                       << (sent ? u"from origin %1"_s.arg(
                                               logQuoted(QString::fromLatin1(*sent).left(100)))
                                                : u"without an Origin header"_s);
    responder.respond(withHeaders(
        HttpResponse::text(403, sent ? "cross-origin request refused"_ba : "missing Origin header"_ba), origin));
    return false;
}

QByteArray DashboardSite::cookieValue(QByteArrayView header) const
{
    const QByteArray name = m_config.origin.cookieName();
    for (QByteArrayView part : header.toByteArray().split(';')) {
        part = part.trimmed();
        if (part.size() > name.size() && part.startsWith(name) && part.at(name.size()) == '=')
            return part.sliced(name.size() + 1).toByteArray();
    }
    return {};
}

std::optional<WebSession> DashboardSite::sessionOf(const HttpRequest &request)
{
    return m_sessions.resolve(cookieValue(request.header("cookie").value_or("")), QDateTime::currentDateTimeUtc());
}

std::optional<WebSession> DashboardSite::requireSession(const HttpRequest &request, const HttpResponder &responder,
                                                        const QByteArray &origin)
{
    if (auto s = sessionOf(request))
        return s;
    // The log not answering (PostgreSQL restarting) is not a sign-out: the page retries a 503.
    if (!m_log->isHealthy())
        responder.respond(withHeaders(jsonError(503, u"the relay's storage is unavailable; retrying"_s), origin));
    else
        responder.respond(withHeaders(jsonError(401, u"not signed in"_s), origin));
    return std::nullopt;
}

QByteArray DashboardSite::sessionCookie(const QByteArray &id) const
{
    QByteArray cookie = m_config.origin.cookieName() + '=' + id + "; Path=/; HttpOnly; SameSite=Strict";
    cookie += id.isEmpty() ? "; Max-Age=0"_ba : "; Max-Age=" + QByteArray::number(m_config.sessions.lifetime.count());
    if (m_config.origin.secure())
        cookie += "; Secure";
    return cookie;
}

HttpResponse DashboardSite::loginPage(int status, const QString &message, const QByteArray &origin) const
{
    const auto it = m_files.constFind("login.html"_ba);
    if (it == m_files.cend())
        return HttpResponse::text(500, "this relay was built without the dashboard's pages"_ba);
    QByteArray body = it->body;
    if (!message.isEmpty())
        body.replace("<!--message-->"_ba,
                     QByteArray("<p class=\"message\" role=\"alert\">" + htmlEscaped(message) + "</p>"));
    HttpResponse r {status, {{"Content-Type"_ba, it->contentType}, {"Cache-Control"_ba, "no-store"_ba}}, body, false};
    return withHeaders(r, origin);
}

void DashboardSite::serveFile(const QByteArray &name, const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    if (!origin)
        return;
    const auto it = m_files.constFind(name);
    if (it == m_files.cend()) {
        responder.respond(HttpResponse::text(500, "this relay was built without the dashboard's pages"_ba));
        return;
    }
    if (request.header("if-none-match").value_or("") == it->etag) {
        responder.respond(
            withHeaders({304, {{"ETag"_ba, it->etag}, {"Cache-Control"_ba, "no-cache"_ba}}, {}, false}, *origin));
        return;
    }
    responder.respond(
        withHeaders({200,
                     {{"Content-Type"_ba, it->contentType}, {"ETag"_ba, it->etag}, {"Cache-Control"_ba, "no-cache"_ba}},
                     it->body,
                     false},
                    *origin));
}

void DashboardSite::signIn(const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    if (!origin)
        return;
    if (!checkOrigin(request, responder, *origin)) {
        ++m_metrics->dashboardSignIns["refused"_ba];
        return;
    }
    if (!request.header("content-type").value_or("").startsWith("application/x-www-form-urlencoded")) {
        responder.respond(loginPage(415, u"Sign in with the form."_s, *origin));
        return;
    }
    const QByteArray token = formField(request.body, "token").value_or(QByteArray()).trimmed();
    const QHostAddress client = m_hub->clientAddress(request, responder.peerAddress());
    qint64 retryAfterMs = 0;
    const DeliveryHub::TokenCheck check = token.isEmpty()
        ? DeliveryHub::TokenCheck::Missing
        : m_hub->checkTokenValue(token, client, nullptr, &retryAfterMs);
    switch (check) {
    case DeliveryHub::TokenCheck::Valid: {
        const QByteArray id = m_sessions.create(DeliveryHub::hashToken(token), QDateTime::currentDateTimeUtc());
        if (id.isEmpty()) {
            responder.respond(loginPage(503, u"The relay cannot store the sign-in right now; try again."_s, *origin));
            return;
        }
        ++m_metrics->dashboardSignIns["ok"_ba];
        qCInfo(lcRelayDashboard).noquote() << "dashboard sign-in from" << client.toString();
        HttpResponse r {
            303,
            {{"Location"_ba, "/"_ba}, {"Set-Cookie"_ba, sessionCookie(id)}, {"Cache-Control"_ba, "no-store"_ba}},
            {},
            false};
        responder.respond(withHeaders(r, *origin));
        return;
    }
    case DeliveryHub::TokenCheck::Blocked: {
        ++m_metrics->dashboardSignIns["throttled"_ba];
        const qint64 seconds = (retryAfterMs + 999) / 1000;
        HttpResponse r = loginPage(
            429, u"Too many failed sign-ins from your address. Try again in %1 seconds."_s.arg(seconds), *origin);
        r.headers.append({"Retry-After"_ba, QByteArray::number(seconds)});
        responder.respond(r);
        return;
    }
    case DeliveryHub::TokenCheck::Missing:
    case DeliveryHub::TokenCheck::Invalid:
        break;
    }
    if (!token.isEmpty() && !m_log->isHealthy()) {
        responder.respond(loginPage(
            503, u"The relay cannot check tokens right now (its storage is unavailable). Try again in a moment."_s,
            *origin));
        return;
    }
    ++m_metrics->dashboardSignIns["invalid"_ba];
    // Answered late: guessing costs time even below the per-address block.
    const HttpResponse r = loginPage(
        401, token.isEmpty() ? u"Paste a device token."_s : u"That token is not valid: unknown or revoked."_s, *origin);
    QTimer::singleShot(m_config.failedSignInDelay, this, [responder, r] { responder.respond(r); });
}

void DashboardSite::signOut(const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    if (!origin || !checkOrigin(request, responder, *origin))
        return;
    const QByteArray id = cookieValue(request.header("cookie").value_or(""));
    if (!id.isEmpty()) {
        const QByteArray hash = DashboardSessions::hashOf(id);
        m_sessions.endByHash(hash);
        m_live->endSession(hash);
    }
    HttpResponse r {
        303,
        {{"Location"_ba, "/login"_ba}, {"Set-Cookie"_ba, sessionCookie({})}, {"Cache-Control"_ba, "no-store"_ba}},
        {},
        false};
    responder.respond(withHeaders(r, *origin));
}

void DashboardSite::apiState(const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    if (!origin || !requireSession(request, responder, *origin))
        return;
    responder.respond(withHeaders(
        jsonResponse(200, m_state.toJson(m_log->relayId(), m_log->headSeq(), QDateTime::currentDateTimeUtc())),
        *origin));
}

void DashboardSite::apiRecent(const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    if (!origin || !requireSession(request, responder, *origin))
        return;
    const QUrlQuery q(QString::fromUtf8(request.query));
    const QString text = q.queryItemValue(u"q"_s, QUrl::FullyDecoded).left(200);
    const int offset = q.hasQueryItem(u"offset"_s) ? q.queryItemValue(u"offset"_s).toInt() : 0;
    const int limit = q.hasQueryItem(u"limit"_s) ? q.queryItemValue(u"limit"_s).toInt() : 50;
    responder.respond(withHeaders(jsonResponse(200, m_state.recent(text, offset, limit)), *origin));
}

void DashboardSite::apiLive(const HttpRequest &request, const HttpResponder &responder)
{
    const auto origin = checkHost(request, responder);
    // Browsers send Origin on every WebSocket handshake, and the cookie rides cross-site ones too:
    // only the page's own origin may open the stream.
    if (!origin || !checkOrigin(request, responder, *origin))
        return;
    const auto session = requireSession(request, responder, *origin);
    if (!session)
        return;
    if (!isWebSocketUpgrade(request)) {
        HttpResponse r = HttpResponse::text(426, "signed in; WebSocket upgrade required"_ba);
        r.headers.append({"Upgrade"_ba, "websocket"_ba});
        responder.respond(withHeaders(r, *origin));
        return;
    }
    if (!m_live->hasRoomFor(session->hash)) {
        responder.respond(
            withHeaders(HttpResponse::text(429, "too many dashboard pages open for this sign-in"_ba), *origin));
        return;
    }
    if (QTcpSocket *socket = responder.takeOver())
        m_live->accept(socket);
}

void DashboardSite::rebuild()
{
    QElapsedTimer timer;
    timer.start();
    qint64 after = 0;
    qint64 count = 0;
    for (;;) {
        const QList<StoredEvent> page = m_log->read(after, 1000);
        if (page.isEmpty())
            break;
        for (const StoredEvent &e : page)
            m_state.fold(e);
        count += page.size();
        after = page.constLast().seq;
    }
    qCInfo(lcRelayDashboard) << "dashboard state rebuilt from" << count << "events in" << timer.elapsed()
                             << "ms:" << m_state.tileCount() << "tiles," << m_state.recentCount() << "recent results";
}

void DashboardSite::eventsStored(const QList<StoredEvent> &events)
{
    for (const StoredEvent &e : events) {
        if (m_live->pageCount() == 0)
            m_state.fold(e); // nobody to tell: no message built
        else if (const auto update = m_state.apply(e))
            m_live->broadcast(*update);
    }
}

void DashboardSite::pruneSessions()
{
    if (const int n = m_sessions.prune(QDateTime::currentDateTimeUtc()); n > 0)
        qCInfo(lcRelayDashboard) << "ended" << n << "expired or revoked dashboard sessions";
}

void DashboardSite::closeAll()
{
    m_live->closeAll();
}

} // namespace ct
