// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The dashboard's HTTP side without a browser, against the real relay process: sessions, Host and
// Origin checks (DNS rebinding, CSRF, Cross-Site WebSocket Hijacking), headers, cookie flags over
// TLS, the live stream, sign-out, revocation and expiry.
#include "relayprocess.h"
#include "testca.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkRequest>
#include <QSslSocket>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

const QByteArray csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                       "connect-src 'self' ws://127.0.0.1:%1; base-uri 'none'; form-action 'self'; "
                       "frame-ancestors 'none'"_ba;

struct Request
{
    QByteArray method = "GET"_ba;
    QByteArray path = "/"_ba;
    QByteArray host; //!< default: 127.0.0.1:<port>
    QByteArray origin; //!< none when empty
    QByteArray cookie;
    QByteArray body;
    QByteArray contentType = "application/x-www-form-urlencoded"_ba;
    bool upgrade = false;
};

Request get(const QByteArray &path, const QByteArray &cookie = {}, const QByteArray &host = {})
{
    Request r;
    r.path = path;
    r.cookie = cookie;
    r.host = host;
    return r;
}

Request postTo(const QByteArray &path, const QByteArray &origin, const QByteArray &cookie = {},
               const QByteArray &body = {}, const QByteArray &host = {})
{
    Request r;
    r.method = "POST";
    r.path = path;
    r.origin = origin;
    r.cookie = cookie;
    r.body = body;
    r.host = host;
    return r;
}

QByteArray serialize(const Request &r, quint16 port)
{
    QByteArray out = r.method + ' ' + r.path
        + " HTTP/1.1\r\nHost: " + (r.host.isEmpty() ? "127.0.0.1:" + QByteArray::number(port) : r.host) + "\r\n";
    if (!r.origin.isEmpty())
        out += "Origin: " + r.origin + "\r\n";
    if (!r.cookie.isEmpty())
        out += "Cookie: " + r.cookie + "\r\n";
    if (r.upgrade)
        out += "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    if (r.method == "POST")
        out += "Content-Type: " + r.contentType + "\r\nContent-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    return out + "\r\n" + r.body;
}

RawResponse send(quint16 port, const Request &request, int timeoutMs = 5000)
{
    HttpTestClient c;
    if (!c.connectTo(port))
        return {};
    c.send(serialize(request, port));
    return c.read(timeoutMs).value_or(RawResponse());
}

QByteArray originOf(quint16 port)
{
    return "http://127.0.0.1:" + QByteArray::number(port);
}

//! Signs in with \a token; the "name=value" cookie pair (empty when refused).
QByteArray signInWith(quint16 port, const QByteArray &token)
{
    Request r;
    r.method = "POST";
    r.path = "/login";
    r.origin = originOf(port);
    r.body = "token=" + token.toPercentEncoding();
    const RawResponse answer = send(port, r);
    if (answer.status != 303)
        return {};
    return answer.header("set-cookie").split(';').value(0);
}

//! A WebSocket to /api/live, opened with \a origin and \a cookie; connected or not after the wait.
struct LivePage
{
    explicit LivePage(const QString &origin = {})
        : socket(origin)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &m) { messages.append(QJsonDocument::fromJson(m.toUtf8()).object()); });
    }
    bool open(quint16 port, const QByteArray &cookie, qint64 since)
    {
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/api/live?since=%2"_s.arg(port).arg(since)));
        request.setRawHeader("Cookie", cookie);
        socket.open(request);
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    bool waitForMessages(int n, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return messages.size() >= n; }, timeoutMs);
    }
    bool waitForClose(int timeoutMs)
    {
        return QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }
    QWebSocket socket;
    QList<QJsonObject> messages;
};

QByteArray eventWithSubject(const QString &id, const QByteArray &status, const QByteArray &subject)
{
    QByteArray body = eventBody(id, status);
    return body.replace("Ünïcode ✓", subject);
}

} // namespace

class TestDashboardHttp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dataNeedsASession_data();
    void dataNeedsASession();
    void headers_data();
    void headers();
    void foreignHostIsRefused_data();
    void foreignHostIsRefused();
    void signIn_data();
    void signIn();
    void liveUpgradeChecksOrigin_data();
    void liveUpgradeChecksOrigin();
    void liveStream();
    void pageMustNotTalk();
    void signOutEndsTheSessionAndItsPages();
    void revokedTokenSignsPagesOut();
    void sessionsSurviveARestart();
    void sessionsExpire_data();
    void sessionsExpire();
    void failedSignInsAreSlowedAndThrottled();
    void cookieFlagsOverTls();
    void publicUrlIsTheOnlyOrigin();
    void dashboardCanBeTurnedOff();

private:
    RelayProcess m_relay;
    QByteArray m_token;
    QByteArray m_cookie;
};

void TestDashboardHttp::initTestCase()
{
    m_token = m_relay.addToken(u"wallboard"_s).split('\n').value(0);
    QVERIFY(m_token.startsWith("ctr_"));
    QVERIFY(m_relay.start());
    m_cookie = signInWith(m_relay.port(), m_token);
    QVERIFY(m_cookie.startsWith("ct_session="));
}

void TestDashboardHttp::dataNeedsASession_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("cookie");
    QTest::newRow("state, no cookie") << "/api/state"_ba << QByteArray();
    QTest::newRow("recent, no cookie") << "/api/recent?q=x"_ba << QByteArray();
    QTest::newRow("live, no cookie") << "/api/live?since=0"_ba << QByteArray();
    QTest::newRow("state, made-up session") << "/api/state"_ba
                                            << "ct_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_ba;
    QTest::newRow("state, token as the cookie") << "/api/state"_ba << QByteArray();
    QTest::newRow("state, other cookie name") << "/api/state"_ba << QByteArray();
}

void TestDashboardHttp::dataNeedsASession()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, cookie);
    Request r;
    r.path = path;
    r.cookie = cookie;
    r.origin = originOf(m_relay.port()); // the live upgrade checks Origin before the session
    if (QByteArray(QTest::currentDataTag()).contains("token as"))
        r.cookie = "ct_session=" + m_token;
    if (QByteArray(QTest::currentDataTag()).contains("other cookie"))
        r.cookie = "__Host-ct_session=" + m_cookie.mid(m_cookie.indexOf('=') + 1);
    const RawResponse answer = send(m_relay.port(), r);
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.header("cache-control"), "no-store"_ba);
    QCOMPARE(QJsonDocument::fromJson(answer.body)[u"error"_s].toString(), u"not signed in"_s);
    // And with the session it is answered.
    r.cookie = m_cookie;
    QCOMPARE(send(m_relay.port(), r).status, path.startsWith("/api/live") ? 426 : 200);
}

void TestDashboardHttp::headers_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<bool>("signedIn");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::newRow("page") << "/"_ba << false << 200 << "text/html; charset=utf-8"_ba
                          << "no-cache"_ba;
    QTest::newRow("sign-in form") << "/login"_ba << false << 200 << "text/html; charset=utf-8"_ba
                                  << "no-store"_ba;
    QTest::newRow("script") << "/dashboard.js"_ba << false << 200 << "text/javascript; charset=utf-8"_ba
                            << "no-cache"_ba;
    QTest::newRow("model") << "/model.js"_ba << false << 200 << "text/javascript; charset=utf-8"_ba
                           << "no-cache"_ba;
    QTest::newRow("style") << "/dashboard.css"_ba << false << 200 << "text/css; charset=utf-8"_ba
                           << "no-cache"_ba;
    QTest::newRow("icon") << "/favicon.svg"_ba << false << 200 << "image/svg+xml"_ba
                          << "no-cache"_ba;
    QTest::newRow("state") << "/api/state"_ba << true << 200 << "application/json"_ba
                           << "no-store"_ba;
    QTest::newRow("recent") << "/api/recent"_ba << true << 200 << "application/json"_ba
                            << "no-store"_ba;
    QTest::newRow("refused state") << "/api/state"_ba << false << 401 << "application/json"_ba
                                   << "no-store"_ba;
}

void TestDashboardHttp::headers()
{
    QFETCH(QByteArray, path);
    QFETCH(bool, signedIn);
    Request r;
    r.path = path;
    if (signedIn)
        r.cookie = m_cookie;
    const RawResponse answer = send(m_relay.port(), r);
    QTEST(answer.status, "status");
    QTEST(answer.header("content-type"), "contentType");
    QTEST(answer.header("cache-control"), "cacheControl");
    QCOMPARE(answer.header("content-security-policy"),
             QByteArray(csp).replace("%1", QByteArray::number(m_relay.port())));
    QCOMPARE(answer.header("x-content-type-options"), "nosniff"_ba);
    QCOMPARE(answer.header("referrer-policy"), "same-origin"_ba);
    if (answer.header("cache-control") == "no-cache") {
        // Static files revalidate by ETag.
        const QByteArray etag = answer.header("etag");
        QVERIFY(etag.startsWith('"'));
        HttpTestClient c;
        QVERIFY(c.connectTo(m_relay.port()));
        c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_relay.port())
               + "\r\nIf-None-Match: " + etag + "\r\n\r\n");
        const auto again = c.read();
        QVERIFY(again);
        QCOMPARE(again->status, 304);
        QVERIFY(again->body.isEmpty());
    }
}

void TestDashboardHttp::foreignHostIsRefused_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("rebound name, page") << "evil.example"_ba
                                        << "/"_ba;
    QTest::newRow("rebound name, state") << "evil.example:%1"_ba
                                         << "/api/state"_ba;
    QTest::newRow("LAN address, state") << "10.0.0.7:%1"_ba
                                        << "/api/state"_ba;
    QTest::newRow("right address, wrong port") << "127.0.0.1:1"_ba
                                               << "/api/state"_ba;
    QTest::newRow("no port") << "127.0.0.1"_ba
                             << "/login"_ba;
}

void TestDashboardHttp::foreignHostIsRefused()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, path);
    Request r;
    r.path = path;
    r.host = host.replace("%1", QByteArray::number(m_relay.port()));
    r.cookie = m_cookie; // a rebound page never has the cookie; the Host check holds even if it had
    const RawResponse answer = send(m_relay.port(), r);
    QCOMPARE(answer.status, 421);
    QVERIFY(answer.body.contains("--public-url"));
    // Webhooks and the tray app's stream answer on any Host (CircleCI and proxies name it freely).
    QCOMPARE(send(m_relay.port(), get("/healthz"_ba, {}, r.host)).status, 200);
}

void TestDashboardHttp::signIn_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message");

    const QByteArray good = "token=%T"_ba;
    const QByteArray form = "application/x-www-form-urlencoded"_ba;
    QTest::newRow("good token") << "%O"_ba << good << form << 303 << QByteArray();
    QTest::newRow("good token, charset, other fields")
        << "%O"_ba
        << "x=1&token=%T&y=2"_ba
        << "application/x-www-form-urlencoded; charset=UTF-8"_ba << 303 << QByteArray();
    QTest::newRow("wrong token") << "%O"_ba
                                 << "token=ctr_wrong"_ba << form << 401 << "not valid"_ba;
    QTest::newRow("empty token") << "%O"_ba
                                 << "token="_ba << form << 401 << "Paste a device token"_ba;
    QTest::newRow("no Origin") << QByteArray() << good << form << 403 << "missing Origin"_ba;
    QTest::newRow("foreign Origin") << "https://evil.example"_ba << good << form << 403 << "cross-origin"_ba;
    QTest::newRow("Origin null") << "null"_ba << good << form << 403 << "cross-origin"_ba;
    QTest::newRow("Origin, other port") << "http://127.0.0.1:1"_ba << good << form << 403 << "cross-origin"_ba;
    QTest::newRow("JSON body") << "%O"_ba
                               << R"({"token":"%T"})"_ba
                               << "application/json"_ba << 415 << "form"_ba;
}

void TestDashboardHttp::signIn()
{
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, message);
    Request r;
    r.method = "POST";
    r.path = "/login";
    r.origin = origin.replace("%O", originOf(m_relay.port()));
    r.body = body.replace("%T", m_token);
    QFETCH(QByteArray, contentType);
    r.contentType = contentType;
    const RawResponse answer = send(m_relay.port(), r);
    QCOMPARE(answer.status, status);
    if (status == 303) {
        QCOMPARE(answer.header("location"), "/"_ba);
        const QList<QByteArray> parts = answer.header("set-cookie").split(';');
        QVERIFY(parts.value(0).startsWith("ct_session="));
        QCOMPARE(parts.value(0).size(), qsizetype(11 + 43)); // 256 random bits, base64url
        QVERIFY(!parts.value(0).contains(m_token.mid(4)));
        QStringList attributes;
        for (const QByteArray &p : parts.mid(1))
            attributes << QString::fromLatin1(p.trimmed());
        QCOMPARE(attributes, QStringList({u"Path=/"_s, u"HttpOnly"_s, u"SameSite=Strict"_s, u"Max-Age=2592000"_s}));
        // The session works at once.
        QCOMPARE(send(m_relay.port(), get("/api/state"_ba, parts.value(0))).status, 200);
        return;
    }
    QVERIFY(answer.header("set-cookie").isEmpty());
    QVERIFY2(answer.body.contains(message), answer.body.constData());
    if (status == 401) {
        QCOMPARE(answer.header("content-type"), "text/html; charset=utf-8"_ba);
        QVERIFY(answer.body.contains("<form")); // the form again, with the message
        QVERIFY(answer.body.contains("role=\"alert\""));
    }
}

void TestDashboardHttp::liveUpgradeChecksOrigin_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("withCookie");
    QTest::addColumn<int>("status");
    QTest::newRow("own origin") << "%O"_ba << true << 101;
    QTest::newRow("foreign origin, valid cookie") << "https://evil.example"_ba << true << 403;
    QTest::newRow("missing origin, valid cookie") << QByteArray() << true << 403;
    QTest::newRow("origin null") << "null"_ba << true << 403;
    QTest::newRow("same host, https") << "https://127.0.0.1:%P"_ba << true << 403;
    QTest::newRow("localhost for 127.0.0.1") << "http://localhost:%P"_ba << true << 403;
    QTest::newRow("own origin, no cookie") << "%O"_ba << false << 401;
}

void TestDashboardHttp::liveUpgradeChecksOrigin()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, withCookie);
    Request r;
    r.path = "/api/live?since=0";
    r.origin = origin.replace("%O", originOf(m_relay.port())).replace("%P", QByteArray::number(m_relay.port()));
    r.cookie = withCookie ? m_cookie : QByteArray();
    r.upgrade = true;
    QTEST(send(m_relay.port(), r).status, "status");
}

void TestDashboardHttp::liveStream()
{
    const QString origin = QString::fromLatin1(originOf(m_relay.port()));
    // An up-to-date page gets a hello, then an update per change.
    const Request state = get("/api/state"_ba, m_cookie);
    const qint64 head = QJsonDocument::fromJson(send(m_relay.port(), state).body)[u"head_seq"_s].toInteger();
    LivePage page(origin);
    QVERIFY(page.open(m_relay.port(), m_cookie, head));
    QVERIFY(page.waitForMessages(1));
    QCOMPARE(page.messages[0][u"type"_s].toString(), u"hello"_s);
    QCOMPARE(page.messages[0][u"head_seq"_s].toInteger(), head);

    QElapsedTimer timer;
    timer.start();
    QCOMPARE(post(m_relay.port(), eventWithSubject(u"live-1"_s, "failed", "<img src=x onerror=alert(1)>")), 200);
    QVERIFY(page.waitForMessages(2, 1000)); // within a second of the POST
    const QJsonObject update = page.messages[1];
    QCOMPARE(update[u"type"_s].toString(), u"update"_s);
    QCOMPARE(update[u"seq"_s].toInteger(), head + 1);
    QCOMPARE(update[u"tile"_s][u"verdict"_s].toString(), u"broken"_s);
    QCOMPARE(update[u"tile"_s][u"state"_s].toString(), u"failed"_s);
    // Hostile text is data: the relay hands it over as it came, the page only ever sets textContent.
    QCOMPARE(update[u"tile"_s][u"event"_s][u"pipeline"_s][u"commit_subject"_s].toString(),
             u"<img src=x onerror=alert(1)>"_s);
    QCOMPARE(update[u"recent"_s][u"event"_s][u"workflow"_s][u"id"_s].toString(), u"wf-live-1"_s);

    QCOMPARE(post(m_relay.port(), eventWithSubject(u"live-2"_s, "success", "Fix it")), 200);
    QVERIFY(page.waitForMessages(3, 1000));
    QCOMPARE(page.messages[2][u"tile"_s][u"verdict"_s].toString(), u"fixed"_s);
    QCOMPARE(page.messages[2][u"tile"_s][u"key"_s], update[u"tile"_s][u"key"_s]);

    // A page that missed something gets the whole state first.
    LivePage behind(origin);
    QVERIFY(behind.open(m_relay.port(), m_cookie, head));
    QVERIFY(behind.waitForMessages(1));
    QCOMPARE(behind.messages[0][u"type"_s].toString(), u"state"_s);
    QCOMPARE(behind.messages[0][u"head_seq"_s].toInteger(), head + 2);
    bool found = false;
    for (const QJsonValue &t : behind.messages[0][u"tiles"_s].toArray())
        found = found || (t[u"key"_s] == update[u"tile"_s][u"key"_s] && t[u"verdict"_s].toString() == u"fixed"_s);
    QVERIFY(found);
    QCOMPARE(behind.messages[0][u"recent"_s][u"items"_s][0][u"event"_s][u"workflow"_s][u"id"_s].toString(),
             u"wf-live-2"_s);
}

void TestDashboardHttp::pageMustNotTalk()
{
    LivePage page(QString::fromLatin1(originOf(m_relay.port())));
    QVERIFY(page.open(m_relay.port(), m_cookie, 0));
    page.socket.sendTextMessage(u"hello relay"_s);
    QVERIFY(page.waitForClose(5000));
    QCOMPARE(page.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
}

void TestDashboardHttp::signOutEndsTheSessionAndItsPages()
{
    const QByteArray cookie = signInWith(m_relay.port(), m_token);
    QVERIFY(!cookie.isEmpty());
    LivePage page(QString::fromLatin1(originOf(m_relay.port())));
    QVERIFY(page.open(m_relay.port(), cookie, 0));

    Request logout = postTo("/logout"_ba, "https://evil.example"_ba, cookie);
    QCOMPARE(send(m_relay.port(), logout).status, 403); // CSRF: a foreign page cannot sign you out
    logout.origin = originOf(m_relay.port());
    const RawResponse answer = send(m_relay.port(), logout);
    QCOMPARE(answer.status, 303);
    QCOMPARE(answer.header("location"), "/login"_ba);
    QVERIFY(answer.header("set-cookie").startsWith("ct_session=;"));
    QVERIFY(answer.header("set-cookie").contains("Max-Age=0"));
    QVERIFY(page.waitForClose(3000));
    QCOMPARE(int(page.socket.closeCode()), 4001);
    QCOMPARE(send(m_relay.port(), get("/api/state"_ba, cookie)).status, 401);
    QCOMPARE(send(m_relay.port(), get("/api/state"_ba, m_cookie)).status, 200); // others stay
}

void TestDashboardHttp::revokedTokenSignsPagesOut()
{
    const QByteArray token = m_relay.addToken(u"kiosk"_s).split('\n').value(0);
    const QByteArray cookie = signInWith(m_relay.port(), token);
    QVERIFY(!cookie.isEmpty());
    LivePage page(QString::fromLatin1(originOf(m_relay.port())));
    QVERIFY(page.open(m_relay.port(), cookie, 0));
    QElapsedTimer timer;
    timer.start();
    RelayProcess::tokenCommand(m_relay.dataDir(), {u"revoke"_s, u"kiosk"_s});
    QVERIFY(page.waitForClose(8000));
    QVERIFY2(timer.elapsed() < 6500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(int(page.socket.closeCode()), 4001);
    QCOMPARE(send(m_relay.port(), get("/api/state"_ba, cookie)).status, 401);
    QCOMPARE(signInWith(m_relay.port(), token), QByteArray());
}

void TestDashboardHttp::sessionsSurviveARestart()
{
    RelayProcess relay;
    const QByteArray token = relay.addToken(u"wall"_s).split('\n').value(0);
    QVERIFY(relay.start());
    const QByteArray cookie = signInWith(relay.port(), token);
    QCOMPARE(post(relay.port(), eventBody(u"before-restart"_s, "failed")), 200);
    QCOMPARE(relay.terminate(), 0);
    RelayProcess again(relay.dataDir());
    QVERIFY(again.start());
    const RawResponse state = send(again.port(), get("/api/state"_ba, cookie));
    QCOMPARE(state.status, 200);
    // Rebuilt from the event log, not memory.
    const QJsonObject o = QJsonDocument::fromJson(state.body).object();
    QCOMPARE(o[u"tiles"_s].toArray().size(), 1);
    QCOMPARE(o[u"tiles"_s][0][u"verdict"_s].toString(), u"broken"_s);
    QCOMPARE(o[u"recent"_s][u"total"_s].toInt(), 1);
}

void TestDashboardHttp::sessionsExpire_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<bool>("keepUsing");
    QTest::newRow("idle") << QStringList {u"--session-idle-timeout"_s, u"2"_s} << false;
    QTest::newRow("absolute, even when used") << QStringList {u"--session-lifetime"_s, u"3"_s} << true;
}

void TestDashboardHttp::sessionsExpire()
{
    QFETCH(QStringList, options);
    QFETCH(bool, keepUsing);
    RelayProcess relay;
    const QByteArray token = relay.addToken(u"wall"_s).split('\n').value(0);
    QVERIFY(relay.start(options));
    const QByteArray cookie = signInWith(relay.port(), token);
    QVERIFY(!cookie.isEmpty());
    const Request state = get("/api/state"_ba, cookie);
    QCOMPARE(send(relay.port(), state).status, 200);
    LivePage page(QString::fromLatin1(originOf(relay.port())));
    if (keepUsing)
        QVERIFY(page.open(relay.port(), cookie, 0));
    QTest::qWait(1500);
    if (keepUsing)
        QCOMPARE(send(relay.port(), state).status, 200);
    QVERIFY(QTest::qWaitFor([&] { return send(relay.port(), state).status == 401; }, 5000));
    if (keepUsing) {
        QVERIFY(page.waitForClose(7000)); // the open page is signed out too
        QCOMPARE(int(page.socket.closeCode()), 4001);
    }
}

void TestDashboardHttp::failedSignInsAreSlowedAndThrottled()
{
    RelayProcess relay;
    const QByteArray token = relay.addToken(u"wall"_s).split('\n').value(0);
    QVERIFY(relay.start());
    Request r;
    r.method = "POST";
    r.path = "/login";
    r.origin = originOf(relay.port());
    r.body = "token=ctr_guess";
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(send(relay.port(), r).status, 401);
    QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed()))); // each wrong guess costs a second
    // Ten guesses a minute from one address, then even the right token waits.
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 9; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(clients.back()->connectTo(relay.port()));
        clients.back()->send(serialize(r, relay.port()));
    }
    for (auto &c : clients)
        QCOMPARE(c->read(5000).value_or(RawResponse()).status, 401);
    r.body = "token=" + token;
    const RawResponse blocked = send(relay.port(), r);
    QCOMPARE(blocked.status, 429);
    QVERIFY(blocked.header("retry-after").toInt() > 0);
    QVERIFY(blocked.body.contains("Too many failed sign-ins"));
    QCOMPARE(metric(relay.port(), "circletray_relay_dashboard_sign_ins_total{result=\"invalid\"}"), "10"_ba);
    QCOMPARE(metric(relay.port(), "circletray_relay_dashboard_sign_ins_total{result=\"throttled\"}"), "1"_ba);
    QVERIFY(!relay.errors().contains(token)); // tokens never in logs
    QVERIFY(!relay.output().contains(token));
}

void TestDashboardHttp::cookieFlagsOverTls()
{
    TestCa ca;
    QVERIFY(ca.create());
    RelayProcess relay;
    const QByteArray token = relay.addToken(u"wall"_s).split('\n').value(0);
    QVERIFY(relay.start({u"--tls-cert"_s, ca.serverCert(), u"--tls-key"_s, ca.serverKey()}));
    QSslSocket s;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(ca.caCert()));
    s.setSslConfiguration(config);
    s.connectToHostEncrypted(u"127.0.0.1"_s, relay.port());
    QVERIFY2(s.waitForEncrypted(5000), qPrintable(s.errorString()));
    const QByteArray origin = "https://127.0.0.1:" + QByteArray::number(relay.port());
    const QByteArray body = "token=" + token;
    s.write("POST /login HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(relay.port()) + "\r\nOrigin: " + origin
            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    QByteArray answer;
    QVERIFY(QTest::qWaitFor(
        [&] {
            answer += s.readAll();
            return s.state() == QAbstractSocket::UnconnectedState;
        },
        5000));
    QVERIFY2(answer.startsWith("HTTP/1.1 303"), answer.constData());
    const qsizetype at = answer.indexOf("Set-Cookie: ");
    const QByteArray cookie = answer.mid(at + 12, answer.indexOf("\r\n", at) - at - 12);
    QVERIFY2(cookie.startsWith("__Host-ct_session="), cookie.constData());
    QVERIFY(cookie.endsWith("; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000; Secure"));
    QVERIFY(!cookie.contains("Domain"));
    QVERIFY(
        answer.contains(QByteArray("connect-src 'self' wss://127.0.0.1:" + QByteArray::number(relay.port()) + ';')));
}

void TestDashboardHttp::publicUrlIsTheOnlyOrigin()
{
    // Behind a TLS proxy: the relay speaks plain HTTP, browsers see https://relay.example.com.
    RelayProcess relay;
    const QByteArray token = relay.addToken(u"wall"_s).split('\n').value(0);
    QVERIFY(relay.start({u"--public-url"_s, u"https://relay.example.com"_s}));
    Request r = postTo("/login"_ba, "https://relay.example.com"_ba, {}, "token=" + token, "relay.example.com"_ba);
    const RawResponse answer = send(relay.port(), r);
    QCOMPARE(answer.status, 303);
    QVERIFY(answer.header("set-cookie").startsWith("__Host-ct_session="));
    QVERIFY(answer.header("set-cookie").endsWith("; Secure"));
    QVERIFY(answer.header("content-security-policy").contains("connect-src 'self' wss://relay.example.com;"));
    // The loopback name is not the dashboard's any more, nor is the http origin.
    QCOMPARE(send(relay.port(), get("/"_ba)).status, 421);
    r.origin = "http://relay.example.com";
    QCOMPARE(send(relay.port(), r).status, 403);
    // A bad public URL is refused at start with the reason.
    RelayProcess bad;
    QVERIFY(!bad.start({u"--public-url"_s, u"http://relay.example.com"_s}));
    QVERIFY(bad.errors().contains("must be https://"));
}

void TestDashboardHttp::dashboardCanBeTurnedOff()
{
    RelayProcess relay;
    QVERIFY(relay.start({u"--dashboard"_s, u"off"_s}));
    QCOMPARE(send(relay.port(), get("/"_ba)).status, 404);
    QCOMPARE(send(relay.port(), get("/api/state"_ba)).status, 404);
    QCOMPARE(post(relay.port(), eventBody(u"off-1"_s)), 200);
}

QTEST_GUILESS_MAIN(TestDashboardHttp)
#include "tst_dashboardhttp.moc"
