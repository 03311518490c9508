// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/ngroktunnelwatcher.h"

#include "app/applogging.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>

#include <algorithm>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    // The tunnel list is a few hundred bytes per tunnel; anything this big is not ngrok.
    constexpr qint64 maxAnswerBytes = 1024 * 1024;

    /*
     * The local port a tunnel's config.addr forwards to, if it forwards to this computer. The agent
     * reports what it was given, normalised or not depending on its version: "8787", "localhost:8787",
     * "127.0.0.1:8787", "[::1]:8787", "http://localhost:8787", "https://localhost:8443", and with no
     * port the scheme's ("http://localhost" is 80). A tunnel to another machine ("192.0.2.10:8787",
     * "foo.local:8787") does not reach the receiver on 127.0.0.1, whatever its port.
     */
    std::optional<quint16> forwardedLocalPort(const QString &addr)
    {
        const QString text = addr.trimmed();
        if (text.isEmpty())
            return std::nullopt;
        bool isNumber = false;
        const uint bare = text.toUInt(&isNumber);
        if (isNumber)
            return bare > 0 && bare <= 65535 ? std::optional<quint16>(quint16(bare)) : std::nullopt;

        const bool hasScheme = text.contains(u"://"_s);
        const QUrl url(hasScheme ? text : u"tcp://"_s + text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            return std::nullopt;
        const QString scheme = url.scheme().toLower();
        if (hasScheme && scheme != u"http" && scheme != u"https")
            return std::nullopt; // file:// (ngrok's file server) and the like
        const QString host = url.host().toLower();
        const QHostAddress address(host);
        const bool local = host == u"localhost" || address.isLoopback() || address == QHostAddress::AnyIPv4
            || address == QHostAddress::AnyIPv6;
        if (!local)
            return std::nullopt;
        const int port = url.port(scheme == u"https" ? 443 : 80);
        if (port <= 0 || port > 65535)
            return std::nullopt;
        return quint16(port);
    }

    //! Scheme, host and port only: the known URL may be a webhook URL with a path on the tunnel.
    QString origin(const QString &url)
    {
        const QUrl parsed(url.trimmed());
        if (!parsed.isValid() || parsed.host().isEmpty())
            return {};
        return parsed.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
            .toString(QUrl::StripTrailingSlash);
    }

} // namespace

NgrokTunnelWatcher::NgrokTunnelWatcher(QObject *parent)
    : QObject(parent)
{
    // Local traffic must not reach a (corporate) proxy, whatever the system or http_proxy says.
    m_network.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    m_network.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_timer.setInterval(defaultInterval);
    m_timer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &NgrokTunnelWatcher::checkNow);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(requestTimeout);
    connect(&m_deadline, &QTimer::timeout, this, &NgrokTunnelWatcher::handleDeadline);
}

NgrokTunnelWatcher::~NgrokTunnelWatcher()
{
    stop();
}

void NgrokTunnelWatcher::setAgentApi(const QUrl &url)
{
    m_agentApi = url;
}

void NgrokTunnelWatcher::setLocalPort(quint16 port)
{
    m_port = port;
}

void NgrokTunnelWatcher::setInterval(std::chrono::milliseconds every)
{
    m_timer.setInterval(std::max(every, std::chrono::milliseconds(1)));
    // Second-granular wake-ups are plenty for minutes and let the system batch them; short
    // intervals (tests) need the coarse timer's 5 %.
    m_timer.setTimerType(every >= std::chrono::minutes(1) ? Qt::VeryCoarseTimer : Qt::CoarseTimer);
}

void NgrokTunnelWatcher::setKnownUrl(const QString &url)
{
    m_knownUrl = origin(url);
}

void NgrokTunnelWatcher::start()
{
    m_timer.start();
    checkNow();
}

void NgrokTunnelWatcher::stop()
{
    m_timer.stop();
    m_deadline.stop();
    if (QNetworkReply *reply = std::exchange(m_reply, nullptr)) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

void NgrokTunnelWatcher::checkNow()
{
    if (m_reply) {
        qCDebug(lcAppAccount) << "ngrok check already running; not starting another";
        return;
    }
    if (m_port == 0) {
        qCDebug(lcAppAccount) << "ngrok check skipped: no receiver port yet";
        return;
    }
    // A check on resume or a network change counts as the periodic one: the next is an interval later.
    if (m_timer.isActive())
        m_timer.start();

    QNetworkRequest request(m_agentApi);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("Connection", "close"); // nothing kept open (nor a keep-alive timer) between checks
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    m_abort = Abort::None;
    QNetworkReply *reply = m_network.get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (received > maxAnswerBytes && reply == m_reply) {
            m_abort = Abort::TooLarge;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { handleFinished(reply); });
    m_deadline.start();
    qCDebug(lcAppAccount) << "asking ngrok's API" << m_agentApi.toString() << "for the tunnel to port" << m_port;
}

void NgrokTunnelWatcher::handleDeadline()
{
    if (m_reply) {
        m_abort = Abort::Timeout;
        m_reply->abort(); // finished follows, handled below
    }
}

void NgrokTunnelWatcher::handleFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    // Cleared before any signal, so a receiver may call checkNow() or stop() at once.
    m_reply = nullptr;
    m_deadline.stop();
    const Abort abort = std::exchange(m_abort, Abort::None);
    const QString where = agentAddress();

    if (abort == Abort::Timeout) {
        fail(Problem::NoAnswer,
             u"ngrok's API on %1 did not answer within %2 s"_s.arg(where).arg(requestTimeout.count() / 1000));
        return;
    }
    if (abort == Abort::TooLarge) {
        fail(Problem::BadAnswer, u"ngrok's API answered with more than 1 MiB; that is not ngrok's tunnel list"_s);
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    switch (reply->error()) {
    case QNetworkReply::NoError:
        break;
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
        fail(Problem::NotRunning, u"ngrok is not running (nothing on %1)"_s.arg(where));
        return;
    default:
        if (status == 0) {
            fail(Problem::BadAnswer,
                 u"ngrok's API on %1 answered nothing usable: %2"_s.arg(where, reply->errorString()));
            return;
        }
        break; // an HTTP error status: said below
    }
    if (status != 200) {
        fail(Problem::BadAnswer,
             status == 404 ? u"ngrok's API answered HTTP 404 for %1 (is something other than ngrok on %2?)"_s.arg(
                 m_agentApi.path(), where)
                           : u"ngrok's API answered HTTP %1"_s.arg(status));
        return;
    }

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &error);
    const QJsonValue tunnels = document.object().value(u"tunnels"_s);
    if (error.error != QJsonParseError::NoError || !document.isObject() || !tunnels.isArray()) {
        fail(Problem::BadAnswer,
             u"ngrok's API answered something that is not its tunnel list (%1)"_s.arg(
                 error.error != QJsonParseError::NoError ? error.errorString() : u"no \"tunnels\" list"_s));
        return;
    }

    // The https tunnels to our port, in the agent's order; the one the webhooks use wins (no churn).
    QStringList candidates;
    bool httpOnly = false;
    for (const QJsonValue &value : tunnels.toArray()) {
        const QJsonObject tunnel = value.toObject();
        const std::optional<quint16> port =
            forwardedLocalPort(tunnel.value(u"config"_s).toObject().value(u"addr"_s).toString());
        if (port != m_port)
            continue;
        const QString publicUrl = origin(tunnel.value(u"public_url"_s).toString());
        const QString proto = tunnel.value(u"proto"_s).toString();
        // CircleCI posts to https only; v2 agents add an http twin ("command_line (http)") per tunnel.
        if (!publicUrl.startsWith(u"https://"_s) || (!proto.isEmpty() && proto != u"https")) {
            httpOnly = httpOnly || publicUrl.startsWith(u"http://"_s);
            continue;
        }
        candidates.append(publicUrl);
    }
    if (candidates.isEmpty()) {
        fail(Problem::NoTunnel,
             httpOnly
                 ? u"no ngrok tunnel forwards to port %1 over https (only http://; CircleCI posts to https only)"_s.arg(
                     m_port)
                 : u"no ngrok tunnel forwards to port %1 (start one with: ngrok http %1)"_s.arg(m_port));
        return;
    }
    succeed(candidates.contains(m_knownUrl) ? m_knownUrl : candidates.constFirst());
}

void NgrokTunnelWatcher::succeed(const QString &url)
{
    m_publicUrl = url;
    if (std::exchange(m_problem, Problem::None) != Problem::None) {
        qCInfo(lcAppAccount).noquote() << u"ngrok tunnel to port %1 found again: %2"_s.arg(m_port).arg(url);
        Q_EMIT agentAvailable();
    }
    if (url != m_knownUrl) {
        qCInfo(lcAppAccount).noquote() << u"ngrok's public URL for port %1 is now %2 (was %3)"_s.arg(m_port).arg(
            url, m_knownUrl.isEmpty() ? u"none"_s : m_knownUrl);
        m_knownUrl = url;
        Q_EMIT publicUrlChanged(url);
    }
}

void NgrokTunnelWatcher::fail(Problem problem, const QString &reason)
{
    m_publicUrl.clear();
    if (std::exchange(m_problem, problem) == problem) {
        qCDebug(lcAppAccount).noquote() << "ngrok still unavailable:" << reason;
        return;
    }
    qCWarning(lcAppAccount).noquote() << reason;
    Q_EMIT agentUnavailable(reason);
}

QString NgrokTunnelWatcher::agentAddress() const
{
    return u"%1:%2"_s.arg(m_agentApi.host()).arg(m_agentApi.port(80));
}

} // namespace ct
