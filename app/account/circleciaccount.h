// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/circleciclient.h"
#include "core/circleci/webhooksync.h"
#include "core/circleci/workflowactions.h"

#include <QObject>
#include <QPointer>

namespace ct {

class SecretStore;
class Settings;

/*!
 * \brief The user's CircleCI account as the app uses it: the personal API token (Settings, or
 * `--circleci-token-file` for one run) and host, the API client set up with them, and CircleTray's
 * own webhooks — named `CircleTray` for a relay, `CircleTray (<this computer>)` in direct mode so
 * several laptops never fight over one hook — kept pointing at the URL and secret in effect.
 */
class CircleCiAccount final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CircleCiAccount)

public:
    CircleCiAccount(Settings *settings, SecretStore *secrets, QObject *parent = nullptr);

    //! For this run only (the command line): replaces the saved host and token.
    void setOverrides(const QString &host, const QString &tokenFile);
    //! Reads the token and host again (Settings were saved).
    void reload();
    bool hasToken() const { return m_client.hasToken(); }
    QString tokenOrigin() const { return m_tokenOrigin; } //!< "Settings", "--circleci-token-file F"
    QString tokenProblem() const { return m_tokenProblem; } //!< an unreadable --circleci-token-file
    CircleCiClient *client() { return &m_client; }
    //! Rerun and cancel, on a client of their own: a webhook sync's abortAll() never drops them.
    WorkflowActions *workflowActions() { return &m_actions; }

    //! The webhook for the source in effect, or why there can be none (no public URL, no secret).
    WebhookSpec webhookSpec(bool relay, const QString &relayUrl, QString *problem) const;
    static QString webhookName(bool relay);
    //! `…/webhook` on \a base (a relay's or ngrok's URL as a user types it): https:// unless given,
    //! ws(s) as http(s), a pasted `/webhook` or `/events` not doubled.
    static QString webhookUrl(const QString &base);

    //! Points every watched project's CircleTray webhook at \a spec; \a why is for the popup
    //! ("The ngrok URL changed"). Nothing happens without a token or watched projects.
    void syncWatched(const WebhookSpec &spec, const QString &why);
    bool isSyncing() const { return m_sync != nullptr; }

Q_SIGNALS:
    //! One popup's worth: what was done to the webhooks, or why it failed.
    void notice(const QString &title, const QString &body, bool problem);
    void synced(const QList<ct::WebhookOutcome> &outcomes);
    //! The token or host was read again (hasToken() may have changed).
    void reloaded();

private:
    Settings *m_settings;
    SecretStore *m_secrets;
    CircleCiClient m_client;
    CircleCiClient m_actionClient;
    WorkflowActions m_actions {&m_actionClient};
    QString m_hostOverride;
    QString m_tokenFileOverride;
    QString m_tokenOrigin;
    QString m_tokenProblem;
    QPointer<WebhookSync> m_sync;
};

} // namespace ct
