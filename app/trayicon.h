// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSystemTrayIcon>
#include <QTimer>

#include <memory>

class QMenu;

namespace ct {

class AppController;
class HistoryStore;
class Settings;

/*!
 * \brief The tray icon: worst current status of watched workflows, disconnected state, and a menu
 * with the last 10 workflows, History…, Pause notifications ▸, Settings…, Quit.
 */
class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    TrayIcon(AppController *controller, HistoryStore *store, Settings *settings, QObject *parent = nullptr);
    ~TrayIcon() override;

    QSystemTrayIcon *tray() { return &m_tray; }
    void setConnected(bool connected, const QString &sourceDescription);
    //! A problem the user must know about until it is fixed (one tooltip line); empty clears it.
    void setWarning(const QString &warning);
    //! A problem with the CircleCI account (a rejected token): in the tooltip until it is fixed.
    void setAccountProblem(const QString &problem);
    void refresh(); //!< icon, tooltip and menu from the current state
    //! "For 1 hour", "Until tomorrow", "Resume now": the tray menu's and the history window's.
    static void fillPauseMenu(QMenu *menu, Settings *settings);

Q_SIGNALS:
    void historyRequested();
    void settingsRequested();
    void quitRequested();

private:
    void rebuildMenu();

    AppController *m_controller = nullptr;
    HistoryStore *m_store = nullptr;
    Settings *m_settings = nullptr;
    QSystemTrayIcon m_tray;
    std::unique_ptr<QMenu> m_menu; // a tray menu has no parent widget
    QString m_warning;
    QString m_accountProblem;
    QTimer m_refreshSoon; //!< coalesces the refreshes a burst of events (a relay replay) asks for
    bool m_connected = false;
    QString m_source;
};

} // namespace ct
