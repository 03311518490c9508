// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "app/history/historystore.h"
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

namespace ct {

class AppController;
class CatchUp;
class CircleCiAccount;
class NgrokTunnelWatcher;
class EventSource;
class HistoryWindow;
class SetupGuide;
class SleepWatcher;
class Notifier;
class TrayIcon;

//! What `circletray` was told on its command line; overrides the saved settings for this run only.
struct AppOptions
{
    std::optional<quint16> port; //!< direct mode on this port
    QStringList secretFiles; //!< webhook secrets, one per line
    QString relayUrl; //!< relay mode
    QString tokenFile;
    QString circleCiHost; //!< --circleci-host
    QString circleCiTokenFile; //!< --circleci-token-file
    QString dataDir; //!< history and settings live here instead of the user's folders
    bool windowed = false; //!< no tray: show the history window
};

//! The tray app: settings, secrets, history, the event source, notifications, tray and windows.
class Application final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    explicit Application(const AppOptions &options, QObject *parent = nullptr);
    ~Application() override;

    bool start(QString *error);
    void showHistory();
    void showSettings();
    void pruneHistory(); //!< drops history older than "Keep history", and tells the window
    //! \a backToSettings: opened from Settings, which comes back when the guide is cancelled.
    void showSetupGuide(bool backToSettings = false);
    SetupGuide *setupGuide() const; //!< the open guide, if any (tests)
    EventSource *source() const;
    CircleCiAccount *account() const { return m_account; }
    NgrokTunnelWatcher *tunnelWatcher() const { return m_tunnel; }
    CatchUp *catchUp() const { return m_catchUp; }
    HistoryWindow *historyWindow() const { return m_history; }
    AppController *controller() const { return m_controller; }

private:
    void rebuildSource();
    void updateTunnelWatch();
    bool relayInEffect() const;
    void syncWebhooks(const QString &why);
    void notify(const QString &key, const QString &title, const QString &body, bool problem);
    void applyRules();
    void setupTray(int attempt);
    QList<QByteArray> webhookSecrets() const;
    void setupWorkflowActions();
    void rerunWorkflow(const QString &workflowId, bool fromFailed);
    void cancelWorkflow(const QString &workflowId);
    QString workflowTitle(const QString &workflowId) const; //!< "project · branch · workflow", or the id

    AppOptions m_options;
    Settings m_settings;
    SecretStore m_secrets;
    HistoryStore m_store;
    Notifier *m_notifier = nullptr;
    AppController *m_controller = nullptr;
    QPointer<EventSource> m_source;
    TrayIcon *m_tray = nullptr;
    HistoryWindow *m_history = nullptr;
    SleepWatcher *m_sleep = nullptr;
    CircleCiAccount *m_account = nullptr;
    NgrokTunnelWatcher *m_tunnel = nullptr;
    CatchUp *m_catchUp = nullptr;
    QTimer m_retention;
    QPointer<SetupGuide> m_guide;
    bool m_sourceLent = false; //!< the app's receiver let the open guide have its port
    bool m_storageWarned = false; //!< "Cannot write history" was shown once
    QHash<QString, bool> m_canceling; //!< workflow id → a cancel (else a rerun) is in flight
};

} // namespace ct
