// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/dashboard/weborigin.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    bool isLoopbackName(const QString &host)
    {
        if (host == u"localhost")
            return true;
        const QHostAddress a(host);
        return !a.isNull() && a.isLoopback();
    }

    QByteArray authority(const QString &host, int port, int defaultPort)
    {
        const QByteArray h = host.contains(u':') ? '[' + host.toLatin1() + ']' : host.toLatin1();
        return port == defaultPort || port < 0 ? h : h + ':' + QByteArray::number(port);
    }

} // namespace

std::optional<QUrl> WebOrigin::parsePublicUrl(const QString &text, QString *error)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (scheme != u"https" && scheme != u"http")) {
        *error = u"--public-url must be the dashboard's address as browsers open it, like https://relay.example.com, "
                 "not \"%1\""_s.arg(text);
        return std::nullopt;
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment() || (url.path() != u"" && url.path() != u"/")) {
        *error = u"--public-url is only scheme, host and port (the dashboard lives at /), not \"%1\""_s.arg(text);
        return std::nullopt;
    }
    if (scheme == u"http" && !isLoopbackName(url.host())) {
        *error = u"--public-url must be https:// (sign-in cookies over plain http are only allowed on loopback), "
                 "not \"%1\""_s.arg(text);
        return std::nullopt;
    }
    QUrl clean;
    clean.setScheme(scheme);
    clean.setHost(url.host().toLower());
    clean.setPort(url.port());
    return clean;
}

WebOrigin::WebOrigin(const QUrl &publicUrl, bool relayTls)
    : m_public(publicUrl)
    , m_relayTls(relayTls)
{ }

bool WebOrigin::secure() const
{
    return m_public.isValid() ? m_public.scheme() == u"https" : m_relayTls;
}

std::optional<QByteArray> WebOrigin::originFor(QByteArrayView hostHeader) const
{
    const QByteArray host = hostHeader.trimmed().toByteArray().toLower();
    if (m_public.isValid()) {
        const int defaultPort = m_public.scheme() == u"https" ? 443 : 80;
        const QByteArray canonical = authority(m_public.host(), m_public.port(), defaultPort);
        const QByteArray explicitPort =
            authority(m_public.host(), -1, 0) + ':' + QByteArray::number(m_public.port(defaultPort));
        if (host != canonical && host != explicitPort)
            return std::nullopt;
        return m_public.scheme().toLatin1() + "://" + canonical;
    }
    const QByteArray scheme = m_relayTls ? "https"_ba : "http"_ba;
    const int defaultPort = m_relayTls ? 443 : 80;
    for (const QString &name : {u"127.0.0.1"_s, u"localhost"_s, u"::1"_s}) {
        const QByteArray canonical = authority(name, m_port, defaultPort);
        if (host == canonical)
            return scheme + "://" + canonical;
    }
    return std::nullopt;
}

QByteArray WebOrigin::webSocketOrigin(const QByteArray &origin)
{
    if (origin.startsWith("https://"))
        return "wss://" + origin.mid(8);
    if (origin.startsWith("http://"))
        return "ws://" + origin.mid(7);
    return {};
}

} // namespace ct
