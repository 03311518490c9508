// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/trayicon.h"

#include "app/appcontroller.h"
#include "app/history/historystore.h"
#include "app/history/relativetime.h"
#include "app/history/statustext.h"
#include "app/setup/settings.h"
#include "app/statusicons.h"
#include "app/workflowurl.h"

#include <QFontMetrics>
#include <QLocale>
#include <QMenu>

using namespace Qt::StringLiterals;

namespace ct {

TrayIcon::TrayIcon(AppController *controller, HistoryStore *store, Settings *settings, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_store(store)
    , m_settings(settings)
    , m_menu(new QMenu)
{
    m_tray.setContextMenu(m_menu.get());
    connect(m_menu.get(), &QMenu::aboutToShow, this, &TrayIcon::rebuildMenu); // relative times fresh when shown
    connect(&m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger || r == QSystemTrayIcon::DoubleClick)
            Q_EMIT historyRequested();
    });
    m_refreshSoon.setSingleShot(true);
    m_refreshSoon.setInterval(100);
    connect(&m_refreshSoon, &QTimer::timeout, this, &TrayIcon::refresh);
    const auto refreshSoon = [this] {
        if (!m_refreshSoon.isActive())
            m_refreshSoon.start();
    };
    connect(m_controller, &AppController::overallStatusChanged, this, refreshSoon);
    connect(m_controller, &AppController::historyChanged, this, refreshSoon);
    connect(m_settings, &Settings::changed, this, refreshSoon);
    refresh();
}

TrayIcon::~TrayIcon() = default;

void TrayIcon::setConnected(bool connected, const QString &sourceDescription)
{
    m_connected = connected;
    m_source = sourceDescription;
    refresh();
}

void TrayIcon::fillPauseMenu(QMenu *pause, Settings *settings)
{
    pause->clear();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    pause->addAction(u"For 1 hour"_s, pause, [settings] {
        settings->setValue(Settings::Key::PausedUntil, QDateTime::currentDateTimeUtc().addSecs(3600));
    });
    pause->addAction(u"Until tomorrow"_s, pause, [settings] {
        const QDateTime tomorrow(QDate::currentDate().addDays(1), QTime(8, 0));
        settings->setValue(Settings::Key::PausedUntil, tomorrow.toUTC());
    });
    QAction *resume = pause->addAction(u"Resume now"_s, pause,
                                       [settings] { settings->setValue(Settings::Key::PausedUntil, QDateTime()); });
    resume->setEnabled(settings->pausedUntil().isValid() && settings->pausedUntil() > now);
}

void TrayIcon::setWarning(const QString &warning)
{
    if (warning == m_warning)
        return;
    m_warning = warning;
    refresh();
}

void TrayIcon::setAccountProblem(const QString &problem)
{
    if (problem == m_accountProblem)
        return;
    m_accountProblem = problem;
    refresh();
}

void TrayIcon::refresh()
{
    const OverallStatus status = m_controller->overallStatus();
    const QString worst =
        status == OverallStatus::Failing ? u"failure"_s : (status == OverallStatus::Passing ? u"success"_s : QString());
    const QDateTime pausedUntil = m_settings->pausedUntil();
    m_tray.setIcon(
        StatusIcons::tray(m_connected, worst, pausedUntil.isValid() && pausedUntil > QDateTime::currentDateTimeUtc()));
    QStringList tip {u"CircleTray"_s};
    if (m_source.startsWith(u"not ready:"_s))
        tip.append(u"Not ready: "_s + m_source.mid(10).trimmed()); // e.g. no webhook secret: nothing can arrive
    else
        tip.append(m_connected ? QString(u"Connected: "_s + m_source) : QString(u"Disconnected ("_s + m_source + u')'));
    if (status == OverallStatus::Failing)
        tip.append(u"Something is failing"_s);
    else if (status == OverallStatus::Passing)
        tip.append(u"All watched workflows pass"_s);
    else
        tip.append(u"No builds seen yet"_s);
    const QList<WorkflowRecord> last = m_store->recent(1);
    if (!last.isEmpty())
        tip.append(u"Last: "_s + last.first().displayProject() + u" · "_s + last.first().workflowName + u" "_s
                   + (last.first().status.isEmpty() ? u"running"_s : last.first().status) + u", "_s
                   + relativeTime(last.first().finishedAt));
    const QDateTime paused = m_settings->pausedUntil();
    if (paused.isValid() && paused > QDateTime::currentDateTimeUtc())
        tip.append(u"Notifications paused until "_s + QLocale().toString(paused.toLocalTime(), QLocale::ShortFormat));
    if (!m_warning.isEmpty())
        tip.append(u"⚠ "_s + m_warning);
    if (!m_accountProblem.isEmpty())
        tip.append(u"⚠ "_s + m_accountProblem);
    m_tray.setToolTip(tip.join(u'\n'));
    rebuildMenu();
}

void TrayIcon::rebuildMenu()
{
    m_menu->clear();
    const QList<WorkflowRecord> recent = m_store->recent(10);
    if (recent.isEmpty())
        m_menu->addAction(u"No builds yet"_s)->setEnabled(false);
    for (const WorkflowRecord &w : recent) {
        // The status in words too (not only the dot's colour), and long names elided.
        const QFontMetrics fm(m_menu->font());
        const QString what =
            fm.elidedText(w.displayProject() + u" · "_s + w.ref() + u" · "_s + w.workflowName, Qt::ElideMiddle, 360);
        const QString label = what + u" — "_s + readableStatus(w.status) + u", "_s
            + (w.status.isEmpty() ? u"running"_s : relativeTime(w.finishedAt));
        QAction *a =
            m_menu->addAction(StatusIcons::forStatusClass(w.status.isEmpty() ? QString() : w.statusClass), label);
        const QUrl url(w.url);
        a->setEnabled(url.isValid() && !url.isEmpty());
        connect(a, &QAction::triggered, this, [url] { openWorkflowUrl(url); });
    }
    m_menu->addSeparator();
    m_menu->addAction(u"History…"_s, this, &TrayIcon::historyRequested);
    // Paused is visible in the menu itself, with the time it ends.
    const QDateTime pausedUntil = m_settings->pausedUntil();
    const bool paused = pausedUntil.isValid() && pausedUntil > QDateTime::currentDateTimeUtc();
    fillPauseMenu(m_menu->addMenu(paused ? u"Paused until %1"_s.arg(
                                      QLocale().toString(pausedUntil.toLocalTime().time(), QLocale::ShortFormat))
                                         : u"Pause notifications"_s),
                  m_settings);
    m_menu->addAction(u"Settings…"_s, this, &TrayIcon::settingsRequested);
    m_menu->addSeparator();
    m_menu->addAction(u"Quit"_s, this, &TrayIcon::quitRequested);
}

} // namespace ct
