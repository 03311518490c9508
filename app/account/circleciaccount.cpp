// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/circleciaccount.h"

#include "app/applogging.h"
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "core/circleci/circlecitoken.h"

#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace ct {

CircleCiAccount::CircleCiAccount(Settings *settings, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_secrets(secrets)
{
    reload();
}

void CircleCiAccount::setOverrides(const QString &host, const QString &tokenFile)
{
    m_hostOverride = host;
    m_tokenFileOverride = tokenFile;
    reload();
}

void CircleCiAccount::reload()
{
    m_tokenProblem.clear();
    QByteArray token;
    if (!m_tokenFileOverride.isEmpty()) {
        const CircleCiToken t = CircleCiToken::find(m_tokenFileOverride, &m_tokenProblem);
        token = t.token;
        m_tokenOrigin = u"--circleci-token-file "_s + m_tokenFileOverride;
    } else {
        token = m_secrets->circleCiToken();
        m_tokenOrigin = u"Settings"_s;
    }
    const QString host = !m_hostOverride.isEmpty() ? m_hostOverride : m_settings->circleCiHost();
    for (CircleCiClient *client : {&m_client, &m_actionClient}) {
        client->setToken(token);
        client->setHost(QUrl::fromUserInput(host.isEmpty() ? CircleCiClient::defaultHost().toString() : host));
    }
    Q_EMIT reloaded();
}

QString CircleCiAccount::webhookName(bool relay)
{
    return relay ? u"CircleTray"_s : u"CircleTray (%1)"_s.arg(QSysInfo::machineHostName());
}

QString CircleCiAccount::webhookUrl(const QString &typed)
{
    QString base = typed.trimmed();
    if (base.isEmpty())
        return {};
    if (base.startsWith(u"wss://"_s, Qt::CaseInsensitive))
        base = u"https://"_s + base.mid(6);
    else if (base.startsWith(u"ws://"_s, Qt::CaseInsensitive))
        base = u"http://"_s + base.mid(5);
    else if (!base.contains(u"://"_s))
        base.prepend(u"https://"_s);
    while (base.endsWith(u'/'))
        base.chop(1);
    // A pasted "…ngrok-free.app/webhook" (or the relay's /events) must not become …/webhook/webhook.
    for (const QString &suffix : {u"/webhook"_s, u"/events"_s}) {
        if (base.endsWith(suffix, Qt::CaseInsensitive))
            base.chop(suffix.size());
    }
    return base + u"/webhook"_s;
}

WebhookSpec CircleCiAccount::webhookSpec(bool relay, const QString &relayUrl, QString *problem) const
{
    WebhookSpec spec;
    spec.name = webhookName(relay);
    spec.url = webhookUrl(relay ? relayUrl : m_settings->publicUrl());
    spec.secret = m_secrets->webhookSecrets().value(0);
    if (spec.url.isEmpty())
        *problem = relay ? u"no relay URL is set"_s : u"the tunnel's public URL is not known yet"_s;
    else if (const QString bad = WebhookSpec::urlProblem(spec.url); !bad.isEmpty())
        *problem = bad;
    else if (spec.secret.isEmpty())
        *problem = u"no webhook secret is set"_s;
    return spec;
}

void CircleCiAccount::syncWatched(const WebhookSpec &spec, const QString &why)
{
    const QStringList watched = m_settings->watchedProjects();
    if (!hasToken() || watched.isEmpty())
        return;
    if (m_sync) {
        m_sync->disconnect(this);
        m_sync->deleteLater(); // a newer state supersedes it: its requests finish, their result is moot
        m_client.abortAll();
    }
    QList<CircleCiProject> projects;
    for (const QString &slug : watched) {
        CircleCiProject p;
        p.slug = slug;
        projects.append(p);
    }
    auto *sync = new WebhookSync(&m_client, this);
    m_sync = sync;
    connect(sync, &WebhookSync::finished, this, [this, sync, spec, why](const QList<WebhookOutcome> &outcomes) {
        sync->deleteLater();
        QStringList failed;
        for (const WebhookOutcome &o : outcomes) {
            if (!o.ok())
                failed.append(o.line());
        }
        qCInfo(lcApp).noquote() << "webhooks synced:" << outcomes.size() - failed.size() << "of" << outcomes.size();
        const int done = int(outcomes.size() - failed.size());
        if (failed.isEmpty())
            Q_EMIT notice(
                why,
                u"CircleTray's webhook%1 in %2 project%1 now point%3 at %4."_s.arg(
                    done == 1 ? QString() : u"s"_s, QString::number(done), done == 1 ? u"s"_s : QString(), spec.url),
                false);
        else
            Q_EMIT notice(
                why, u"Updated %1 of %2 webhooks. %3"_s.arg(done).arg(outcomes.size()).arg(failed.join(u"\n"_s)), true);
        Q_EMIT synced(outcomes);
    });
    sync->sync(projects, spec);
}

} // namespace ct
