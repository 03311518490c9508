// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/workflowurl.h"

#include "app/applogging.h"
#include "core/logging.h"

#include <QDesktopServices>

using namespace Qt::StringLiterals;

namespace ct {

namespace {
    //! Where CircleCI's workflow and job pages are.
    constexpr QLatin1StringView webHost("app.circleci.com");
    //! A CircleCI server's web app (`app.<host>`, ASCII), when one is configured.
    QString &serverWebHost()
    {
        static QString host;
        return host;
    }
} // namespace

void setCircleCiServer(const QUrl &apiHost)
{
    const QString host = apiHost.host(QUrl::FullyEncoded).toLower();
    if (apiHost.scheme() != u"https"_s || host.isEmpty() || host == u"circleci.com"_s
        || host.endsWith(u".circleci.com"_s)) {
        serverWebHost().clear();
        return;
    }
    serverWebHost() = host.startsWith(u"app."_s) ? host : u"app."_s + host;
}

bool isCircleCiWorkflowUrl(const QUrl &url)
{
    // The URL comes from a webhook body: signed by CircleCI, but whatever it says is handed to the
    // browser, so only CircleCI's own pages. Compared in ASCII form (QUrl lower-cases the host and
    // turns IDN into punycode there), so a look-alike host never matches.
    return url.isValid() && url.scheme() == u"https" && url.userInfo().isEmpty()
        && (url.host(QUrl::FullyEncoded) == webHost
            || (!serverWebHost().isEmpty() && url.host(QUrl::FullyEncoded) == serverWebHost()))
        && (url.port() == -1 || url.port() == 443);
}

bool openWorkflowUrl(const QUrl &url)
{
    if (url.isEmpty())
        return false;
    if (!isCircleCiWorkflowUrl(url)) {
        qCWarning(lcApp).noquote() << u"not opening %1 in the browser: only https://%2 links are opened"_s.arg(
            logQuoted(url.toString(QUrl::RemovePassword)), webHost);
        return false;
    }
    return QDesktopServices::openUrl(url);
}

} // namespace ct
