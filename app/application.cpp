// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/application.h"

#include "app/account/catchup.h"
#include "app/account/circleciaccount.h"
#include "app/account/ngroktunnelwatcher.h"
#include "app/appcontroller.h"
#include "app/applogging.h"
#include "app/history/historymodel.h"
#include "app/history/historywindow.h"
#include "app/notifications/traynotifier.h"
#include "app/privatefiles.h"
#include "app/setup/settingsdialog.h"
#include "app/setup/setupguide.h"
#include "app/sources/directsource.h"
#include "app/sources/relaysource.h"
#include "app/sources/sleepwatcher.h"
#include "app/trayicon.h"
#include "app/workflowurl.h"
#ifdef CT_DBUS_NOTIFICATIONS
#include "app/notifications/dbusnotifier.h"

#include <QDBusConnection>
#include <QDBusServiceWatcher>
#endif

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QNetworkInformation>
#include <QStandardPaths>
#include <QTemporaryFile>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

namespace {

    QString dataPath(const AppOptions &o, const QString &name)
    {
        const QString dir =
            !o.dataDir.isEmpty() ? o.dataDir : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        makePrivateFolder(dir); // history and secrets: for the user only
        return QDir(dir).filePath(name);
    }

    QList<QByteArray> readLines(const QString &path)
    {
        QList<QByteArray> out;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            qCWarning(lcApp).noquote() << "cannot read" << path << ':' << f.errorString();
            return out;
        }
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.trimmed().isEmpty() && !line.trimmed().startsWith('#'))
                out.append(line.trimmed());
        }
        return out;
    }

} // namespace

Application::Application(const AppOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_settings(options.dataDir.isEmpty() ? QString() : dataPath(options, u"circletray.ini"_s))
    , m_secrets(dataPath(options, u"secrets.ini"_s))
    , m_store(dataPath(options, u"history.sqlite"_s))
{ }

Application::~Application()
{
    delete m_history;
}

bool Application::start(QString *error)
{
    // Files named on the command line must be readable and hold something: running without the
    // secret (every delivery refused) or the token (every connection refused) helps nobody.
    for (const QString &file : m_options.secretFiles) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = u"cannot read --secret-file %1: %2"_s.arg(file, f.errorString());
            return false;
        }
        if (readLines(file).isEmpty()) {
            *error = u"--secret-file %1 holds no secret (one per line; # starts a comment)"_s.arg(file);
            return false;
        }
    }
    if (!m_options.tokenFile.isEmpty() && readLines(m_options.tokenFile).isEmpty()) {
        QFile f(m_options.tokenFile);
        *error = f.open(QIODevice::ReadOnly)
            ? u"--token-file %1 holds no token"_s.arg(m_options.tokenFile)
            : u"cannot read --token-file %1: %2"_s.arg(m_options.tokenFile, f.errorString());
        return false;
    }
    // A history that cannot be written loses builds without a word: refuse to start instead.
    const QString dataDir = QFileInfo(m_store.path()).absolutePath();
    QTemporaryFile probe(QDir(dataDir).filePath(u".write-test-XXXXXX"_s));
    if (!QDir().mkpath(dataDir) || !probe.open() || probe.write("x", 1) != 1 || !probe.flush()) {
        *error = u"Cannot write the history in %1 (%2). Check that the folder exists, is writable and its disk "
                 "is not full, or choose another with --data-dir."_s.arg(QDir::toNativeSeparators(dataDir),
                                                                         probe.errorString());
        return false;
    }
    probe.close();
    if (!m_store.open(error))
        return false;
#ifdef CT_DBUS_NOTIFICATIONS
    if (DBusNotifier::isAvailable()) {
        m_notifier = new DBusNotifier(this);
    } else if (QDBusConnection::sessionBus().isConnected()) {
        // Started before the desktop's notification daemon (autostart at login): balloons from the
        // tray icon until it appears, then native notifications.
        auto *watcher = new QDBusServiceWatcher(u"org.freedesktop.Notifications"_s, QDBusConnection::sessionBus(),
                                                QDBusServiceWatcher::WatchForRegistration, this);
        connect(watcher, &QDBusServiceWatcher::serviceRegistered, this, [this, watcher] {
            watcher->deleteLater();
            qCInfo(lcApp) << "a notification service appeared: using it instead of tray balloons";
            Notifier *old = std::exchange(m_notifier, new DBusNotifier(this));
            if (m_controller)
                m_controller->setNotifier(m_notifier);
            delete old;
        });
    }
#endif
    m_controller = new AppController(&m_store, nullptr, this);
    applyRules();
    connect(m_controller, &AppController::storageFailed, this, [this](const QString &reason) {
        const QString where = QDir::toNativeSeparators(QFileInfo(m_store.path()).absolutePath());
        const QString warning = u"Cannot write history in %1: %2"_s.arg(where, reason);
        if (m_tray)
            m_tray->setWarning(warning);
        if (std::exchange(m_storageWarned, true) || !m_notifier)
            return; // told once; the tooltip keeps saying it
        Notification n;
        n.key = u"circletray-storage"_s;
        n.title = u"Cannot write history"_s;
        n.body = warning + u". Builds still pop up; CircleCI delivers direct webhooks again later."_s;
        n.iconName = u"dialog-error"_s;
        n.critical = true;
        m_notifier->show(n);
    });
    connect(m_controller, &AppController::problemReported, this, [this](const QString &message) {
        if (!m_notifier)
            return;
        Notification n;
        n.key = u"circletray-problem"_s;
        n.title = u"CircleTray"_s;
        n.body = message;
        n.iconName = u"dialog-warning"_s;
        m_notifier->show(n);
    });
    connect(&m_settings, &Settings::changed, this, &Application::applyRules);

    // Pruned before the history window loads its first page: it must not show rows that are gone.
    m_store.prune(m_settings.retentionDays());
    m_history = new HistoryWindow(&m_store, &m_settings);
    connect(m_controller, &AppController::historyChanged, m_history, &HistoryWindow::workflowChanged);
    connect(m_history, &HistoryWindow::settingsRequested, this, &Application::showSettings);
    connect(m_controller, &AppController::historyRequested, this, &Application::showHistory);
    connect(m_history, &HistoryWindow::setupGuideRequested, this, [this] { showSetupGuide(); });
    connect(m_history, &HistoryWindow::quitRequested, qApp, &QApplication::quit);

    m_retention.setInterval(24h);
    connect(&m_retention, &QTimer::timeout, this, &Application::pruneHistory);
    m_retention.start();

    m_sleep = new SleepWatcher(this);
    m_account = new CircleCiAccount(&m_settings, &m_secrets, this);
    // A CircleCI server's pages (app.<host>) may be opened from popups and the history, too.
    connect(m_account, &CircleCiAccount::reloaded, this, [this] { setCircleCiServer(m_account->client()->host()); });
    m_account->setOverrides(m_options.circleCiHost, m_options.circleCiTokenFile);
    setCircleCiServer(m_account->client()->host());
    if (!m_account->tokenProblem().isEmpty()) {
        *error = m_account->tokenProblem();
        return false;
    }
    connect(m_account, &CircleCiAccount::notice, this, [this](const QString &title, const QString &body, bool problem) {
        notify(u"circletray-webhooks"_s, title, body, problem);
    });
    // What finished while the app could not hear, from the API (with a token): on start, on resume,
    // on a network change after being offline, on a new tunnel URL, on a relay gap.
    m_catchUp = new CatchUp(m_account, &m_store, m_controller, &m_settings, this);
    connect(m_catchUp, &CatchUp::problemChanged, this, [this](const QString &problem) {
        if (m_tray)
            m_tray->setAccountProblem(problem);
        if (!problem.isEmpty())
            notify(u"circletray-account"_s, u"CircleCI token rejected"_s,
                   problem + u" Set a new one in Settings → CircleCI account."_s, true);
    });
    connect(m_sleep, &SleepWatcher::resumed, m_catchUp, [this] { m_catchUp->run(u"resumed from sleep"_s); });
    setupWorkflowActions();
    // Direct mode: a restarted free ngrok tunnel has a new URL; the webhooks follow it.
    m_tunnel = new NgrokTunnelWatcher(this);
    connect(m_tunnel, &NgrokTunnelWatcher::publicUrlChanged, this, [this](const QString &url) {
        qCInfo(lcApp).noquote() << "the tunnel's public URL is now" << url;
        m_settings.setValue(Settings::Key::PublicUrl, url);
        m_settings.sync();
        m_tunnel->setKnownUrl(url);
        syncWebhooks(u"The ngrok URL changed"_s);
        m_catchUp->run(u"the tunnel's URL changed"_s); // deliveries to the old URL were lost
    });
    connect(m_sleep, &SleepWatcher::resumed, m_tunnel, &NgrokTunnelWatcher::checkNow);
    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance())
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    m_tunnel->checkNow();
                    // Direct mode hears nothing while offline; a catch-up that found no network tries again.
                    if (r == QNetworkInformation::Reachability::Online
                        && (m_catchUp->waitingForNetwork() || qobject_cast<DirectSource *>(m_source.data())))
                        m_catchUp->run(u"back online"_s);
                });
    const bool fromCommandLine = m_options.port || !m_options.secretFiles.isEmpty() || !m_options.relayUrl.isEmpty();
    if (!fromCommandLine && !m_settings.isConfigured())
        showSetupGuide(); // first run: a guide instead of a silent tray icon
    else
        rebuildSource();
    setupTray(0);
    QTimer::singleShot(0, m_catchUp, [this] { m_catchUp->run(u"start"_s); });
    return true;
}

void Application::setupTray(int attempt)
{
    if (!m_options.windowed && !QSystemTrayIcon::isSystemTrayAvailable() && attempt < 3) {
        // At login the panel may come up after us: try again a few times before giving up on it.
        QTimer::singleShot(1s, this, [this, attempt] { setupTray(attempt + 1); });
        return;
    }
    m_tray = new TrayIcon(m_controller, &m_store, &m_settings, this);
    connect(m_tray, &TrayIcon::historyRequested, this, &Application::showHistory);
    connect(m_tray, &TrayIcon::settingsRequested, this, &Application::showSettings);
    connect(m_tray, &TrayIcon::quitRequested, qApp, &QApplication::quit);
    if (m_source)
        m_tray->setConnected(m_source->isConnected(), m_source->describe());
    m_tray->setAccountProblem(m_catchUp->problem());
    if (!m_notifier) {
        m_notifier = new TrayNotifier(m_tray->tray(), this);
        m_controller->setNotifier(m_notifier);
    }
    if (!m_options.windowed && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray->tray()->show();
        return;
    }
    // No tray: say so and show the history window instead of running invisibly.
    showHistory();
    if (!m_options.windowed) {
        auto *box = new QMessageBox(QMessageBox::Information, u"CircleTray"_s,
                                    u"No system tray was found, so CircleTray runs in this window. Notifications "
                                    "still appear; close the window to quit."_s,
                                    QMessageBox::Ok, m_history);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->show();
    }
    qApp->setQuitOnLastWindowClosed(true);
}

void Application::applyRules()
{
    RuleSettings r;
    r.kinds = m_settings.notifyKinds();
    r.jobFailures = m_settings.notifyJobFailures();
    r.includeProjects = m_settings.includeProjects();
    r.excludeProjects = m_settings.excludeProjects();
    r.branchPatterns = m_settings.branchPatterns();
    r.onlyMine = m_settings.onlyMyCommits();
    r.myEmails = m_settings.myEmails();
    r.pausedUntil = m_settings.pausedUntil();
    m_controller->setRules(r);
    if (m_notifier)
        m_controller->setNotifier(m_notifier);
}

QList<QByteArray> Application::webhookSecrets() const
{
    QList<QByteArray> secrets;
    for (const QString &file : m_options.secretFiles)
        secrets += readLines(file);
    return !secrets.isEmpty() ? secrets : m_secrets.webhookSecrets();
}

void Application::rebuildSource()
{
    if (m_source) {
        m_source->stop();
        m_source->deleteLater();
    }
    const bool relay = relayInEffect();
    EventSource *source = nullptr;
    if (relay) {
        const QString url = !m_options.relayUrl.isEmpty() ? m_options.relayUrl : m_settings.relayUrl();
        const QByteArray token =
            !m_options.tokenFile.isEmpty() ? readLines(m_options.tokenFile).value(0) : m_secrets.relayToken();
        auto *r = new RelaySource(RelaySource::eventsUrl(url), token, webhookSecrets(), this);
        r->setTokenOrigin(!m_options.tokenFile.isEmpty() ? u"--token-file "_s + m_options.tokenFile : u"Settings"_s);
        r->setPosition(QString::fromUtf8(m_store.meta(u"relay_id"_s)), m_store.meta(u"relay_seq"_s).toLongLong());
        r->setQuietBefore(m_settings.setupCompletedAt());
        m_controller->setFirstSync(m_store.meta(u"relay_id"_s).isEmpty());
        connect(m_sleep, &SleepWatcher::resumed, r, &RelaySource::reconnectNow);
        connect(r, &RelaySource::gap, this, [this] { m_catchUp->run(u"the relay pruned what this device missed"_s); });
        connect(r, &RelaySource::positionChanged, this, [this](const QString &id, qint64 seq) {
            m_store.setMeta(u"relay_id"_s, id.toUtf8());
            m_store.setMeta(u"relay_seq"_s, QByteArray::number(seq));
        });
        source = r;
    } else {
        source = new DirectSource(m_options.port.value_or(m_settings.directPort()), webhookSecrets(), this);
    }
    m_source = source;
    m_controller->setSource(source);
    updateTunnelWatch();
    m_history->setConnectionState(source->isConnected(), source->describe());
    connect(source, &EventSource::connectionChanged, this, [this, source](bool connected) {
        m_history->setConnectionState(connected, source->describe());
        if (m_tray)
            m_tray->setConnected(connected, source->describe());
    });
    source->start();
}

void Application::showHistory()
{
    m_history->showAndRaise();
}

void Application::showSettings()
{
    SettingsDialog dialog(&m_settings, &m_secrets, m_history->isVisible() ? m_history : nullptr);
    dialog.setPruneCounter([this](int days) { return m_store.countOlderThan(days); });
    SettingsOverrides o;
    if (!m_options.relayUrl.isEmpty()) {
        o.source = u"relay"_s;
        o.relayUrl = m_options.relayUrl;
    } else if (m_options.port || !m_options.secretFiles.isEmpty()) {
        o.source = u"direct"_s;
    }
    o.port = m_options.port;
    o.secretFiles = m_options.secretFiles;
    if (!o.secretFiles.isEmpty())
        o.secrets = webhookSecrets();
    o.tokenFile = m_options.tokenFile;
    o.circleCiHost = m_options.circleCiHost;
    o.circleCiTokenFile = m_options.circleCiTokenFile;
    if (!o.circleCiTokenFile.isEmpty())
        o.circleCiToken = readLines(o.circleCiTokenFile).value(0);
    if (!o.tokenFile.isEmpty())
        o.token = readLines(o.tokenFile).value(0);
    dialog.setOverrides(o);
    dialog.setAccountProblem(m_catchUp->problem());
    const int keptDays = m_settings.retentionDays();
    connect(&dialog, &SettingsDialog::sourceChanged, this, &Application::rebuildSource);
    connect(&dialog, &SettingsDialog::accountChanged, this, [this] {
        m_account->reload();
        updateTunnelWatch();
        m_catchUp->run(u"a new CircleCI token"_s);
    });
    connect(&dialog, &SettingsDialog::webhooksUpdateRequested, this, [this] { syncWebhooks(u"Settings changed"_s); });
    connect(&dialog, &QDialog::accepted, this, [this, keptDays] {
        if (m_settings.retentionDays() < keptDays)
            pruneHistory(); // confirmed in the dialog: now, not at the next daily pass
    });
    connect(
        &dialog, &SettingsDialog::setupGuideRequested, this, [this] { showSetupGuide(true); }, Qt::QueuedConnection);
    dialog.exec();
}

void Application::pruneHistory()
{
    if (m_store.prune(m_settings.retentionDays()) > 0)
        m_history->model()->reload(); // rows deleted behind the window's back
}

void Application::notify(const QString &key, const QString &title, const QString &body, bool problem)
{
    if (!m_notifier)
        return;
    Notification n;
    n.key = key;
    n.title = title;
    n.body = body;
    n.iconName = problem ? u"dialog-warning"_s : u"dialog-information"_s;
    m_notifier->show(n);
}

bool Application::relayInEffect() const
{
    return !m_options.relayUrl.isEmpty()
        || (!m_options.port && m_options.secretFiles.isEmpty() && m_settings.source() == u"relay");
}

void Application::updateTunnelWatch()
{
    // Only where it can matter: direct mode, a token, and webhooks CircleTray made. Otherwise no
    // timer at all (the idle app wakes up for nothing).
    const auto *direct = qobject_cast<const DirectSource *>(m_source.data());
    if (!direct || !m_account->hasToken() || m_settings.watchedProjects().isEmpty()) {
        m_tunnel->stop();
        return;
    }
    m_tunnel->setAgentApi(QUrl(m_settings.value(Settings::Key::NgrokApi).toString()));
    m_tunnel->setLocalPort(m_options.port.value_or(m_settings.directPort()));
    m_tunnel->setKnownUrl(m_settings.publicUrl());
    m_tunnel->start();
}

void Application::syncWebhooks(const QString &why)
{
    const bool relay = relayInEffect();
    QString problem;
    const WebhookSpec spec = m_account->webhookSpec(
        relay, !m_options.relayUrl.isEmpty() ? m_options.relayUrl : m_settings.relayUrl(), &problem);
    if (!problem.isEmpty()) {
        notify(u"circletray-webhooks"_s, why, u"CircleTray's webhooks were not updated: %1."_s.arg(problem), true);
        return;
    }
    m_account->syncWatched(spec, why);
}

SetupGuide *Application::setupGuide() const
{
    return m_guide;
}

EventSource *Application::source() const
{
    return m_source;
}

void Application::showSetupGuide(bool backToSettings)
{
    if (m_guide) {
        m_guide->raise();
        m_guide->activateWindow();
        return;
    }
    // Builds keep arriving while the guide is open; only a direct receiver on the port the guide
    // listens on for the ping steps aside, until the guide is closed.
    auto *guide = new SetupGuide(&m_settings, &m_secrets);
    m_guide = guide;
    guide->setAttribute(Qt::WA_DeleteOnClose);
    connect(guide, &SetupGuide::portWanted, this, [this](quint16 port) {
        auto *direct = qobject_cast<DirectSource *>(m_source.data());
        if (direct && !m_sourceLent && port != 0 && direct->port() == port) {
            qCInfo(lcApp) << "the setup guide listens on port" << port << "until it is closed";
            direct->stop();
            m_sourceLent = true;
        }
    });
    connect(guide, &QDialog::finished, this, [this, backToSettings](int result) {
        const bool lent = std::exchange(m_sourceLent, false);
        if (result == QDialog::Accepted) {
            m_account->reload(); // a token the guide saved
            rebuildSource(); // what the guide saved
            return;
        }
        if (!m_settings.isConfigured()) {
            m_settings.setValue(Settings::Key::Source, u"direct"_s); // first run dismissed: defaults, no guide again
            rebuildSource();
        } else if (lent || !m_source) {
            rebuildSource(); // as it was
        }
        if (backToSettings)
            QTimer::singleShot(0, this, &Application::showSettings);
    });
    guide->show();
}

void Application::setupWorkflowActions()
{
    const auto available = [this] {
        m_controller->setRerunAvailable(m_account->hasToken());
        m_history->setWorkflowActionsAvailable(m_account->hasToken());
    };
    available();
    connect(m_account, &CircleCiAccount::reloaded, this, available);
    connect(m_controller, &AppController::rerunRequested, this, &Application::rerunWorkflow);
    connect(m_history, &HistoryWindow::rerunRequested, this, &Application::rerunWorkflow);
    connect(m_history, &HistoryWindow::cancelRequested, this, &Application::cancelWorkflow);
    WorkflowActions *actions = m_account->workflowActions();
    connect(actions, &WorkflowActions::rerunStarted, this, [this](const QString &oldId, const QString &newId) {
        m_canceling.remove(oldId);
        if (!m_notifier)
            return;
        Notification n;
        n.key = u"circletray-action:"_s + oldId;
        n.title = u"Rerun started"_s;
        n.body = workflowTitle(oldId);
        n.iconName = u"view-refresh"_s;
        n.url = WorkflowActions::webUrl(m_account->client()->host(), newId); // the click opens the new workflow
        m_notifier->show(n);
    });
    connect(actions, &WorkflowActions::canceled, this, [this](const QString &id) {
        m_canceling.remove(id);
        notify(u"circletray-action:"_s + id, u"Canceled"_s, workflowTitle(id), false);
    });
    connect(
        actions, &WorkflowActions::failed, this, [this](const QString &id, const ApiError &, const QString &reason) {
            const bool cancel = m_canceling.take(id);
            notify(u"circletray-action:"_s + id,
                   (cancel ? u"Could not cancel %1"_s : u"Could not rerun %1"_s).arg(workflowTitle(id)), reason, true);
        });
}

void Application::rerunWorkflow(const QString &workflowId, bool fromFailed)
{
    if (!m_account->hasToken())
        return;
    // A second click while the first request is in flight is ignored (false): one rerun, not two.
    if (m_account->workflowActions()->rerun(workflowId, fromFailed))
        m_canceling.insert(workflowId, false);
}

void Application::cancelWorkflow(const QString &workflowId)
{
    if (!m_account->hasToken())
        return;
    if (m_account->workflowActions()->cancel(workflowId))
        m_canceling.insert(workflowId, true);
}

QString Application::workflowTitle(const QString &workflowId) const
{
    const std::optional<WorkflowRecord> w = m_store.workflow(workflowId);
    if (!w)
        return workflowId;
    return w->displayProject() + u" · "_s + w->ref() + u" · "_s + w->workflowName;
}

} // namespace ct
