// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/settingsdialog.h"

#include "app/account/circleciaccount.h"
#include "app/account/watchedprojectsdialog.h"
#include "app/setup/autostart.h"
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/sources/relayconnectiontester.h"
#include "core/circleci/circlecitoken.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QStringList splitList(const QString &text)
    {
        QStringList out;
        for (const QString &part : text.split(u',')) {
            if (!part.trimmed().isEmpty())
                out.append(part.trimmed());
        }
        return out;
    }

} // namespace

SettingsDialog::SettingsDialog(Settings *settings, SecretStore *secrets, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_secrets(secrets)
{
    setWindowTitle(u"Settings"_s); // shown as "Settings — CircleTray"

    auto *source = new QGroupBox(u"Where builds come from"_s, this);
    m_direct = new QRadioButton(u"Direct: receive CircleCI's webhooks on this computer (through ngrok)"_s);
    m_relay = new QRadioButton(u"Relay: connect to a circletray-relay (nothing is missed while asleep)"_s);
    m_port = new QSpinBox;
    m_port->setRange(1, 65535);
    m_relayUrl = new QLineEdit;
    m_relayUrl->setPlaceholderText(u"https://relay.example.com"_s);
    m_token = new QLineEdit;
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(u"ctr_… (circletray-relay token add NAME)"_s);
    auto *sourceForm = new QFormLayout(source);
    sourceForm->addRow(m_direct);
    sourceForm->addRow(u"Local port:"_s, m_port);
    m_publicUrl = new QLineEdit;
    m_publicUrl->setObjectName(u"publicUrl"_s);
    m_publicUrl->setPlaceholderText(u"https://xxxx.ngrok-free.app — ngrok's URL, for the webhooks CircleTray makes"_s);
    sourceForm->addRow(u"Public URL:"_s, m_publicUrl);
    sourceForm->addRow(m_relay);
    sourceForm->addRow(u"Relay URL:"_s, m_relayUrl);
    sourceForm->addRow(u"Device token:"_s, m_token);
    auto *test = new QPushButton(u"Test connection"_s);
    test->setObjectName(u"testConnection"_s);
    m_testResult = new QLabel;
    m_testResult->setWordWrap(true);
    auto *guide = new QPushButton(u"Setup guide…"_s);
    auto *testRow = new QHBoxLayout;
    testRow->addWidget(test);
    testRow->addWidget(guide);
    testRow->addStretch();
    sourceForm->addRow(QString(), testRow);
    sourceForm->addRow(QString(), m_testResult);
    auto *tester = new RelayConnectionTester(this);
    connect(test, &QPushButton::clicked, this, [this, tester] {
        m_testResult->setText(u"Testing…"_s);
        tester->test(m_relayUrl->text(), m_token->text().toUtf8());
    });
    connect(tester, &RelayConnectionTester::finished, this, [this](RelayConnectionTester::Result r, const QString &m) {
        const bool ok = r == RelayConnectionTester::Result::Ok;
        m_testResult->setText((ok ? u"✓ "_s : u"✗ "_s) + m);
        m_testResult->setStyleSheet(ok ? u"color: #1a7f37;"_s : u"color: #cf222e;"_s);
    });
    connect(guide, &QPushButton::clicked, this, [this] {
        Q_EMIT setupGuideRequested();
        reject();
    });

    auto *secretBox = new QGroupBox(u"Webhook secret"_s, this);
    // Masked like the token (a shoulder or a screen share must not get it), shown on request.
    m_webhookSecret = new QLineEdit;
    m_webhookSecret->setEchoMode(QLineEdit::Password);
    m_webhookSecret->setPlaceholderText(u"The secret set in CircleCI → Project Settings → Webhooks"_s);
    m_previousSecret = new QLineEdit;
    m_previousSecret->setEchoMode(QLineEdit::Password);
    m_previousSecret->setPlaceholderText(u"Only while rotating: the one CircleCI may still sign with"_s);
    auto *showSecrets = new QCheckBox(u"Show"_s);
    showSecrets->setObjectName(u"showSecrets"_s);
    connect(showSecrets, &QCheckBox::toggled, this, [this](bool show) {
        const auto mode = show ? QLineEdit::Normal : QLineEdit::Password;
        m_webhookSecret->setEchoMode(mode);
        m_previousSecret->setEchoMode(mode);
    });
    auto *secretForm = new QFormLayout;
    secretForm->addRow(u"Secret:"_s, m_webhookSecret);
    secretForm->addRow(u"Previous:"_s, m_previousSecret);
    secretForm->addRow(QString(), showSecrets);
    auto *secretLayout = new QVBoxLayout(secretBox);
    secretLayout->addLayout(secretForm);
    // Shown once the current values are read below: reading is what finds out.
    auto *fallbackWarning = new QLabel(u"⚠ No keychain answers (Secret Service): secrets are stored in %1, "
                                       "readable only by you."_s.arg(m_secrets->fallbackFile()));
    fallbackWarning->setObjectName(u"fallbackWarning"_s);
    fallbackWarning->setWordWrap(true);
    fallbackWarning->setStyleSheet(u"color: #b45309;"_s);
    secretLayout->addWidget(fallbackWarning);

    auto *rules = new QGroupBox(u"Notifications"_s, this);
    auto *rulesForm = new QFormLayout(rules);
    auto *kinds = new QHBoxLayout;
    const QStringList kindKeys {u"broken"_s, u"fixed"_s, u"still-failing"_s, u"passed"_s, u"canceled"_s};
    const QStringList kindLabels {u"Broken"_s, u"Fixed"_s, u"Still failing"_s, u"Passed"_s, u"Canceled"_s};
    for (int i = 0; i < kindKeys.size(); ++i) {
        auto *box = new QCheckBox(kindLabels[i]);
        box->setProperty("kind", kindKeys[i]);
        box->setChecked(m_settings->notifyKinds().contains(kindKeys[i]));
        m_kinds.append(box);
        kinds->addWidget(box);
    }
    rulesForm->addRow(u"Show:"_s, kinds);
    m_jobFailures = new QCheckBox(u"As soon as a job fails, before its workflow completes"_s);
    rulesForm->addRow(QString(), m_jobFailures);
    m_include = new QLineEdit;
    m_include->setPlaceholderText(u"all projects (or: api, web)"_s);
    m_exclude = new QLineEdit;
    m_branches = new QLineEdit;
    m_branches->setPlaceholderText(u"all branches (or: main, release/*)"_s);
    m_onlyMine = new QCheckBox(u"Only my commits, by author e-mail:"_s);
    m_emails = new QLineEdit;
    m_emails->setPlaceholderText(u"me@example.com, me@users.noreply.github.com"_s);
    m_retention = new QSpinBox;
    m_retention->setRange(1, 3650);
    m_retention->setSuffix(u" days"_s);
    m_retention->setObjectName(u"retention"_s);
    rulesForm->addRow(u"Projects:"_s, m_include);
    rulesForm->addRow(u"Except:"_s, m_exclude);
    rulesForm->addRow(u"Branches:"_s, m_branches);
    rulesForm->addRow(m_onlyMine, m_emails);
    rulesForm->addRow(u"Keep history:"_s, m_retention);
    m_autostart = new QCheckBox(u"Start CircleTray when I log in"_s);
    m_autostart->setObjectName(u"autostart"_s);
    m_autostart->setChecked(Autostart::isEnabled());
    rulesForm->addRow(QString(), m_autostart);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    m_overrideNote = new QLabel(this);
    m_overrideNote->setObjectName(u"overrideNote"_s);
    m_overrideNote->setWordWrap(true);
    m_overrideNote->hide();
    layout->addWidget(m_overrideNote);
    auto *tabs = new QTabWidget(this);
    auto *connection = new QWidget;
    auto *connectionLayout = new QVBoxLayout(connection);
    connectionLayout->addWidget(source);
    connectionLayout->addWidget(secretBox);
    connectionLayout->addStretch();
    tabs->addTab(connection, u"Connection"_s);
    tabs->addTab(buildAccountPage(), u"CircleCI account"_s);
    auto *notifications = new QWidget;
    auto *notificationsLayout = new QVBoxLayout(notifications);
    notificationsLayout->addWidget(rules);
    notificationsLayout->addStretch();
    tabs->addTab(notifications, u"Notifications"_s);
    layout->addWidget(tabs);
    layout->addWidget(buttons);

    // Names for tests and accessibility tools.
    m_direct->setObjectName(u"direct"_s);
    m_relay->setObjectName(u"relay"_s);
    m_port->setObjectName(u"port"_s);
    m_relayUrl->setObjectName(u"relayUrl"_s);
    m_token->setObjectName(u"token"_s);
    m_webhookSecret->setObjectName(u"webhookSecret"_s);
    m_previousSecret->setObjectName(u"previousWebhookSecret"_s);
    m_include->setObjectName(u"includeProjects"_s);
    m_exclude->setObjectName(u"excludeProjects"_s);
    m_branches->setObjectName(u"branches"_s);
    m_emails->setObjectName(u"emails"_s);

    // Current values.
    (m_settings->source() == u"relay" ? m_relay : m_direct)->setChecked(true);
    m_port->setValue(m_settings->directPort());
    m_relayUrl->setText(m_settings->relayUrl());
    m_publicUrl->setText(m_settings->publicUrl());
    m_circleToken->setText(QString::fromUtf8(m_secrets->circleCiToken()));
    m_circleHost->setText(m_settings->circleCiHost());
    m_watched = m_settings->watchedProjects();
    updateWatchedLabel();
    m_token->setText(QString::fromUtf8(m_secrets->relayToken()));
    setSecretFields(m_secrets->webhookSecrets());
    fallbackWarning->setHidden(!m_secrets->usingFallback());
    m_jobFailures->setChecked(m_settings->notifyJobFailures());
    m_include->setText(m_settings->includeProjects().join(u", "_s));
    m_exclude->setText(m_settings->excludeProjects().join(u", "_s));
    m_branches->setText(m_settings->branchPatterns().join(u", "_s));
    m_onlyMine->setChecked(m_settings->onlyMyCommits());
    m_emails->setText(m_settings->myEmails().join(u", "_s));
    m_retention->setValue(m_settings->retentionDays());
    const auto updateEnabled = [this] {
        m_port->setEnabled(m_direct->isChecked() && !m_overrides.port);
        m_publicUrl->setEnabled(m_direct->isChecked());
        m_relayUrl->setEnabled(m_relay->isChecked() && !m_overrides.relayUrl);
        m_token->setEnabled(m_relay->isChecked() && m_overrides.tokenFile.isEmpty());
        findChild<QPushButton *>(u"testConnection"_s)->setEnabled(m_relay->isChecked());
        m_emails->setEnabled(m_onlyMine->isChecked());
    };
    connect(m_direct, &QRadioButton::toggled, this, updateEnabled);
    connect(m_onlyMine, &QCheckBox::toggled, this, updateEnabled);
    updateEnabled();
}

QWidget *SettingsDialog::buildAccountPage()
{
    auto *page = new QWidget;
    auto *box = new QGroupBox(u"CircleCI account"_s, page);
    m_circleToken = new QLineEdit;
    m_circleToken->setObjectName(u"circleciToken"_s);
    m_circleToken->setEchoMode(QLineEdit::Password);
    m_circleToken->setPlaceholderText(u"a personal API token: CircleCI → User Settings → Personal API Tokens"_s);
    m_circleHost = new QLineEdit;
    m_circleHost->setObjectName(u"circleciHost"_s);
    m_circleHost->setPlaceholderText(u"https://circleci.com (or your CircleCI server)"_s);
    auto *useCli = new QPushButton(u"Use the circleci CLI's token"_s);
    useCli->setObjectName(u"useCliToken"_s);
    const CircleCiToken cli = CircleCiToken::fromCliConfig(QDir::home().filePath(u".circleci/cli.yml"_s));
    useCli->setVisible(!cli.isEmpty());
    useCli->setToolTip(u"From %1"_s.arg(cli.origin));
    connect(useCli, &QPushButton::clicked, this, [this, cli] {
        m_circleToken->setText(QString::fromUtf8(cli.token));
        if (cli.host.isValid() && !cli.host.isEmpty())
            m_circleHost->setText(cli.host.toString());
        checkAccount();
    });
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_circleToken, 1);
    tokenRow->addWidget(useCli);
    auto *check = new QPushButton(u"Check"_s);
    check->setObjectName(u"checkAccount"_s);
    connect(check, &QPushButton::clicked, this, &SettingsDialog::checkAccount);
    m_accountResult = new QLabel;
    m_accountResult->setObjectName(u"accountResult"_s);
    m_accountResult->setWordWrap(true);
    m_accountResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *checkRow = new QHBoxLayout;
    checkRow->addWidget(check);
    checkRow->addWidget(m_accountResult, 1);
    m_watchedLabel = new QLabel;
    m_watchedLabel->setObjectName(u"watchedProjects"_s);
    m_watchedLabel->setWordWrap(true);
    auto *choose = new QPushButton(u"Choose projects…"_s);
    choose->setObjectName(u"chooseProjects"_s);
    connect(choose, &QPushButton::clicked, this, &SettingsDialog::chooseProjects);
    auto *watchedRow = new QHBoxLayout;
    watchedRow->addWidget(m_watchedLabel, 1);
    watchedRow->addWidget(choose);
    auto *form = new QFormLayout(box);
    form->addRow(u"Token:"_s, tokenRow);
    form->addRow(u"Host:"_s, m_circleHost);
    form->addRow(QString(), checkRow);
    form->addRow(u"Watched projects:"_s, watchedRow);
    auto *about = new QLabel(u"With a token CircleTray creates its webhook in the projects you choose and keeps it "
                             "pointing at this app or your relay: no Project Settings page per project. The token "
                             "is kept in the keychain."_s);
    about->setWordWrap(true);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(box);
    layout->addWidget(about);
    layout->addStretch();
    return page;
}

void SettingsDialog::setAccountProblem(const QString &problem)
{
    if (problem.isEmpty())
        return;
    m_accountResult->setText(u"✗ "_s + problem);
    m_accountResult->setStyleSheet(u"color: #cf222e;"_s);
}

void SettingsDialog::updateWatchedLabel()
{
    m_watchedLabel->setText(m_watched.isEmpty()
                                ? u"none yet"_s
                                : u"%1 project%2 with CircleTray's webhook: %3"_s.arg(
                                    QString::number(m_watched.size()), m_watched.size() == 1 ? QString() : u"s"_s,
                                    m_watched.join(u", "_s)));
}

void SettingsDialog::checkAccount()
{
    m_checkClient.abortAll();
    m_checkClient.setToken(m_circleToken->text().trimmed().toUtf8());
    m_checkClient.setHost(QUrl::fromUserInput(m_circleHost->text().trimmed().isEmpty()
                                                  ? CircleCiClient::defaultHost().toString()
                                                  : m_circleHost->text().trimmed()));
    m_accountResult->setStyleSheet(QString());
    if (!m_checkClient.hasToken()) {
        m_accountResult->setText(u"✗ Enter a personal API token first."_s);
        m_accountResult->setStyleSheet(u"color: #cf222e;"_s);
        return;
    }
    m_accountResult->setText(u"Checking…"_s);
    m_checkClient.get(u"/me"_s, {}, [this](const CircleCiClient::Reply &r) {
        if (!r.ok()) {
            m_accountResult->setText(u"✗ "_s + r.error.text());
            m_accountResult->setStyleSheet(u"color: #cf222e;"_s);
            return;
        }
        const QJsonObject me = r.json.object();
        const QString login = me.value(u"login"_s).toString();
        const QString name = me.value(u"name"_s).toString();
        m_accountResult->setText(u"✓ Signed in as %1%2 on %3"_s.arg(
            login, name.isEmpty() || name == login ? QString() : u" (%1)"_s.arg(name), m_checkClient.host().host()));
        m_accountResult->setStyleSheet(u"color: #1a7f37;"_s);
    });
}

WebhookSpec SettingsDialog::typedWebhookSpec(QString *problem) const
{
    const bool relay = m_relay->isChecked();
    WebhookSpec spec;
    spec.name = CircleCiAccount::webhookName(relay);
    spec.url = CircleCiAccount::webhookUrl(relay ? m_relayUrl->text() : m_publicUrl->text());
    spec.secret = secretFields().value(0);
    if (spec.url.isEmpty())
        *problem = relay ? u"enter the relay URL"_s : u"enter the tunnel's public URL (ngrok's)"_s;
    else if (const QString bad = WebhookSpec::urlProblem(spec.url); !bad.isEmpty())
        *problem = bad;
    else if (spec.secret.isEmpty())
        *problem = u"enter the webhook secret"_s;
    return spec;
}

void SettingsDialog::chooseProjects()
{
    checkAccount(); // the typed token and host, and the login shown
    if (!m_checkClient.hasToken())
        return;
    QString problem;
    const WebhookSpec spec = typedWebhookSpec(&problem);
    WatchedProjectsDialog dialog(&m_checkClient, spec, problem, this);
    connect(&dialog, &WatchedProjectsDialog::applied, this, [this](const QStringList &watched) {
        // What exists on CircleCI now, whatever happens to the rest of this dialog.
        m_watched = watched;
        m_settings->setValue(Settings::Key::WatchedProjects, watched);
        m_settings->sync();
        updateWatchedLabel();
    });
    dialog.exec();
}

void SettingsDialog::setSecretFields(const QList<QByteArray> &secrets)
{
    m_webhookSecret->setText(QString::fromUtf8(secrets.value(0)));
    m_previousSecret->setText(QString::fromUtf8(secrets.value(1)));
}

QList<QByteArray> SettingsDialog::secretFields() const
{
    QList<QByteArray> out;
    for (const QLineEdit *field : {m_webhookSecret, m_previousSecret}) {
        const QByteArray s = field->text().trimmed().toUtf8();
        if (!s.isEmpty() && !out.contains(s))
            out.append(s);
    }
    return out;
}

void SettingsDialog::setOverrides(const SettingsOverrides &o)
{
    m_overrides = o;
    if (!o.any())
        return;
    const auto mark = [](QWidget *w, const QString &flag) {
        w->setEnabled(false);
        w->setToolTip(u"Set by %1 for this run; not saved"_s.arg(flag));
    };
    QStringList flags;
    if (o.source) {
        (*o.source == u"relay" ? m_relay : m_direct)->setChecked(true);
        mark(m_direct, o.relayUrl ? u"--relay"_s : u"the command line"_s);
        mark(m_relay, o.relayUrl ? u"--relay"_s : u"the command line"_s);
    }
    if (o.port) {
        m_port->setValue(*o.port);
        mark(m_port, u"--port"_s);
        flags.append(u"--port"_s);
    }
    if (o.relayUrl) {
        m_relayUrl->setText(*o.relayUrl);
        mark(m_relayUrl, u"--relay"_s);
        flags.append(u"--relay"_s);
    }
    if (!o.secretFiles.isEmpty()) {
        setSecretFields(o.secrets);
        mark(m_webhookSecret, u"--secret-file "_s + o.secretFiles.join(u", "_s));
        mark(m_previousSecret, u"--secret-file "_s + o.secretFiles.join(u", "_s));
        flags.append(u"--secret-file"_s);
    }
    if (!o.tokenFile.isEmpty()) {
        m_token->setText(QString::fromUtf8(o.token));
        mark(m_token, u"--token-file "_s + o.tokenFile);
        flags.append(u"--token-file"_s);
    }
    if (!o.circleCiHost.isEmpty()) {
        m_circleHost->setText(o.circleCiHost);
        mark(m_circleHost, u"--circleci-host"_s);
        flags.append(u"--circleci-host"_s);
    }
    if (!o.circleCiTokenFile.isEmpty()) {
        m_circleToken->setText(QString::fromUtf8(o.circleCiToken));
        mark(m_circleToken, u"--circleci-token-file "_s + o.circleCiTokenFile);
        if (auto *cli = findChild<QPushButton *>(u"useCliToken"_s))
            cli->setEnabled(false);
        flags.append(u"--circleci-token-file"_s);
    }
    m_overrideNote->setText(u"Greyed values were set on the command line (%1) for this run only: they are "
                            "in effect now and Save keeps your saved ones."_s.arg(flags.join(u", "_s)));
    m_overrideNote->show();
}

void SettingsDialog::accept()
{
    // Direct mode without the secret CircleCI signs with refuses every delivery: not a setting to save.
    const bool anySecret = !secretFields().isEmpty();
    if (m_direct->isChecked() && !anySecret && m_overrides.secretFiles.isEmpty()) {
        QMessageBox refuse(QMessageBox::Warning, u"Webhook secret needed"_s,
                           u"Direct mode needs the webhook secret you entered in CircleCI's webhook settings: "
                           "without it every delivery is refused."_s,
                           QMessageBox::Ok, this);
        refuse.setObjectName(u"secretNeeded"_s);
        refuse.exec();
        m_webhookSecret->setFocus();
        return;
    }
    const int keepDays = m_retention->value();
    if (keepDays < m_settings->retentionDays() && m_pruneCounter) {
        if (const qint64 doomed = m_pruneCounter(keepDays); doomed > 0) {
            QMessageBox ask(
                QMessageBox::Warning, u"Delete old history?"_s,
                u"Keeping %1 days of history deletes %2 older workflows now. This cannot be undone."_s.arg(keepDays)
                    .arg(QLocale().toString(doomed)),
                QMessageBox::Cancel, this);
            ask.setObjectName(u"confirmPrune"_s);
            QPushButton *remove =
                ask.addButton(u"Delete %1 workflows"_s.arg(QLocale().toString(doomed)), QMessageBox::DestructiveRole);
            ask.setDefaultButton(QMessageBox::Cancel);
            ask.exec();
            if (ask.clickedButton() != remove) {
                m_retention->setFocus();
                return; // the dialog stays open; nothing is saved
            }
        }
    }
    const QString oldSource = m_settings->source();
    const quint16 oldPort = m_settings->directPort();
    const QString oldRelay = m_settings->relayUrl();
    const QByteArray oldToken = m_secrets->relayToken();
    const QList<QByteArray> oldSecrets = m_secrets->webhookSecrets();
    const QString oldPublicUrl = m_settings->publicUrl();
    const QByteArray oldCircleToken = m_secrets->circleCiToken();
    const QString oldCircleHost = m_settings->circleCiHost();

    // Values the command line set for this run are shown, not saved: the next plain start must
    // find what the user chose, not `make run`'s port and file secret.
    if (!m_overrides.source)
        m_settings->setValue(Settings::Key::Source, m_relay->isChecked() ? u"relay"_s : u"direct"_s);
    if (!m_overrides.port)
        m_settings->setValue(Settings::Key::DirectPort, m_port->value());
    if (!m_overrides.relayUrl)
        m_settings->setValue(Settings::Key::RelayUrl, m_relayUrl->text().trimmed());
    QStringList kinds;
    for (QCheckBox *box : std::as_const(m_kinds)) {
        if (box->isChecked())
            kinds.append(box->property("kind").toString());
    }
    m_settings->setValue(Settings::Key::NotifyKinds, kinds);
    m_settings->setValue(Settings::Key::NotifyJobFailures, m_jobFailures->isChecked());
    m_settings->setValue(Settings::Key::IncludeProjects, splitList(m_include->text()));
    m_settings->setValue(Settings::Key::ExcludeProjects, splitList(m_exclude->text()));
    m_settings->setValue(Settings::Key::BranchPatterns, splitList(m_branches->text()));
    m_settings->setValue(Settings::Key::OnlyMyCommits, m_onlyMine->isChecked());
    m_settings->setValue(Settings::Key::MyEmails, splitList(m_emails->text()));
    m_settings->setValue(Settings::Key::RetentionDays, m_retention->value());
    if (m_autostart->isChecked() != Autostart::isEnabled())
        Autostart::setEnabled(m_autostart->isChecked());
    const QList<QByteArray> secrets = secretFields();
    if (m_overrides.secretFiles.isEmpty())
        m_secrets->setWebhookSecrets(secrets);
    if (m_overrides.tokenFile.isEmpty())
        m_secrets->setRelayToken(m_token->text().trimmed().toUtf8());
    m_settings->setValue(Settings::Key::PublicUrl, m_publicUrl->text().trimmed());
    if (m_overrides.circleCiHost.isEmpty())
        m_settings->setValue(Settings::Key::CircleCiHost,
                             m_circleHost->text().trimmed().isEmpty() ? CircleCiClient::defaultHost().toString()
                                                                      : m_circleHost->text().trimmed());
    if (m_overrides.circleCiTokenFile.isEmpty())
        m_secrets->setCircleCiToken(m_circleToken->text().trimmed().toUtf8());
    m_settings->sync();
    if (oldCircleToken != m_secrets->circleCiToken() || oldCircleHost != m_settings->circleCiHost())
        Q_EMIT accountChanged();
    // The webhooks CircleTray made point at the old URL or are signed with the old secret: offer to
    // move them along (CircleCI would otherwise post where nobody listens, or be refused).
    const bool relayNow = m_settings->source() == u"relay"_s;
    const bool urlMoved = oldSource != m_settings->source()
        || (relayNow ? oldRelay != m_settings->relayUrl() : oldPublicUrl != m_settings->publicUrl());
    const bool secretMoved = oldSecrets.value(0) != m_secrets->webhookSecrets().value(0);
    if ((urlMoved || secretMoved) && !m_watched.isEmpty() && !m_circleToken->text().trimmed().isEmpty()) {
        QMessageBox ask(QMessageBox::Question, u"Update CircleTray's webhooks?"_s,
                        u"CircleTray's webhooks in %1 project%2 still use the old %3. Update them now?"_s.arg(
                            QString::number(m_watched.size()), m_watched.size() == 1 ? QString() : u"s"_s,
                            urlMoved && secretMoved ? u"URL and secret"_s : (urlMoved ? u"URL"_s : u"secret"_s)),
                        QMessageBox::NoButton, this);
        ask.setObjectName(u"updateWebhooks"_s);
        QPushButton *update = ask.addButton(u"Update webhooks"_s, QMessageBox::AcceptRole);
        ask.addButton(u"Not now"_s, QMessageBox::RejectRole);
        ask.setDefaultButton(update);
        ask.exec();
        if (ask.clickedButton() == update)
            Q_EMIT webhooksUpdateRequested();
    }
    if (oldSource != m_settings->source() || oldPort != m_settings->directPort() || oldRelay != m_settings->relayUrl()
        || oldToken != m_secrets->relayToken() || oldSecrets != m_secrets->webhookSecrets())
        Q_EMIT sourceChanged();
    QDialog::accept();
}

} // namespace ct
