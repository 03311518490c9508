// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/setupguide.h"

#include "app/account/circleciaccount.h"
#include "app/account/projectpicker.h"
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/sources/directsource.h"
#include "app/sources/relayconnectiontester.h"
#include "app/sources/relaysource.h"
#include "core/circleci/circlecitoken.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QString generateSecret()
    {
        QByteArray bytes(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 8);
        return QString::fromLatin1(bytes.toHex());
    }

    QLabel *wrapped(const QString &text)
    {
        auto *label = new QLabel(text);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    }

    QPushButton *copyButton(const QString &label, const std::function<QString()> &text)
    {
        auto *button = new QPushButton(label);
        QObject::connect(button, &QPushButton::clicked, button, [text] { QApplication::clipboard()->setText(text()); });
        return button;
    }

    //! A page whose Next (or Finish) stays disabled until \a complete says what is needed is there.
    class GuidePage final : public QWizardPage
    {
    public:
        std::function<bool()> complete;
        bool isComplete() const override { return complete ? complete() : QWizardPage::isComplete(); }
        void recheck() { Q_EMIT completeChanged(); }
    };

    //! Why a pasted ngrok URL can't be CircleCI's Payload URL, or empty when it can.
    QString publicUrlProblem(const QString &text)
    {
        const QString t = text.trimmed();
        if (t.isEmpty())
            return {};
        if (t.contains(u' '))
            return u"The URL has a space in it: paste only the https://… address ngrok prints."_s;
        if (t.startsWith(u"http://"_s, Qt::CaseInsensitive))
            return u"CircleCI only posts to https:// addresses: use the https:// URL ngrok prints."_s;
        const QUrl url = QUrl::fromUserInput(t);
        if (!url.isValid() || url.host().isEmpty() || (t.contains(u"://"_s) && url.scheme() != u"https"_s))
            return u"That is not a web address: paste the https://… URL ngrok prints."_s;
        return {};
    }

    const QString relaySecretsFile = u"/etc/circletray-relay/secrets"_s;

} // namespace

SetupGuide::SetupGuide(Settings *settings, SecretStore *secrets, QWidget *parent)
    : QWizard(parent)
    , m_settings(settings)
    , m_secrets(secrets)
    , m_secret(generateSecret())
    , m_tester(new RelayConnectionTester(this))
{
    setWindowTitle(u"Set up CircleTray"_s);
    setObjectName(u"SetupGuide"_s);
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    resize(640, 540);

    // 1. Where builds come from. The recommended way is the default; a configured source wins.
    auto *choose = new QWizardPage;
    choose->setTitle(u"Step 1 of 3: Choose how builds reach you"_s);
    choose->setSubTitle(u"Either way a popup comes the second a build finishes; you can switch later in Settings."_s);
    m_relayChoice = new QRadioButton(u"From your relay (recommended): nothing is missed while this computer sleeps"_s);
    m_directChoice = new QRadioButton(u"Directly, through an ngrok tunnel: nothing to host"_s);
    const bool configuredDirect = m_settings->isConfigured() && m_settings->source() == u"direct"_s;
    (configuredDirect ? m_directChoice : m_relayChoice)->setChecked(true);
    auto *chooseLayout = new QVBoxLayout(choose);
    chooseLayout->addWidget(m_relayChoice);
    chooseLayout->addWidget(wrapped(u"A circletray-relay on a server of yours receives CircleCI's webhooks, keeps them "
                                    "and pushes them here; builds that finish while this computer is asleep arrive "
                                    "when it wakes. You need the relay's address, a device token (on the relay: "
                                    "circletray-relay token add my-laptop) and the relay's webhook secret."_s));
    chooseLayout->addSpacing(12);
    chooseLayout->addWidget(m_directChoice);
    chooseLayout->addWidget(
        wrapped(u"CircleCI posts to this computer through \u201cngrok http <port>\u201d. Builds that finish while it "
                "is off, asleep or the tunnel is down are lost after CircleCI's retries."_s));
    chooseLayout->addStretch();
    setPage(ChoosePage, choose);

    // 2a. Relay: URL, token, test; the relay's secret (pasted) or a new one.
    auto *relay = new GuidePage;
    relay->setTitle(u"Step 2 of 3: Connect to your relay"_s);
    relay->setSubTitle(u"Its address, this device's token and the webhook secret, from whoever runs the relay."_s);
    m_relayUrl = new QLineEdit(m_settings->relayUrl());
    m_relayUrl->setPlaceholderText(u"https://relay.example.com"_s);
    m_token = new QLineEdit;
    m_token->setPlaceholderText(u"ctr_… from: circletray-relay token add my-laptop"_s);
    m_token->setEchoMode(QLineEdit::Password);
    auto *test = new QPushButton(u"Test connection"_s);
    m_testResult = wrapped(QString());
    m_pasteSecret = new QRadioButton(u"Use the relay's secret:"_s);
    m_pasteSecret->setChecked(true);
    m_relaySecret = new QLineEdit;
    m_relaySecret->setEchoMode(QLineEdit::Password);
    m_relaySecret->setPlaceholderText(u"a line of %1 on the relay"_s.arg(relaySecretsFile));
    m_generateSecret = new QRadioButton(u"Generate a new secret (the relay must be given it too)"_s);
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_pasteSecret);
    secretRow->addWidget(m_relaySecret, 1);
    auto *relayForm = new QFormLayout(relay);
    relayForm->addRow(u"Relay URL:"_s, m_relayUrl);
    relayForm->addRow(u"Device token:"_s, m_token);
    relayForm->addRow(QString(), test);
    relayForm->addRow(QString(), m_testResult);
    relayForm->addRow(u"Webhook secret:"_s, secretRow);
    relayForm->addRow(QString(), m_generateSecret);
    relayForm->addRow(QString(),
                      wrapped(u"CircleCI signs every delivery with this secret; the app checks the signature itself, "
                              "so not even the relay can forge a build."_s));
    relay->complete = [this] {
        return !m_relayUrl->text().trimmed().isEmpty() && !m_token->text().trimmed().isEmpty()
            && (m_generateSecret->isChecked() || !m_relaySecret->text().trimmed().isEmpty());
    };
    for (QLineEdit *edit : {m_relayUrl, m_token, m_relaySecret})
        connect(edit, &QLineEdit::textChanged, relay, &GuidePage::recheck);
    connect(m_generateSecret, &QRadioButton::toggled, relay, [this, relay](bool generate) {
        m_relaySecret->setEnabled(!generate);
        relay->recheck();
    });
    connect(test, &QPushButton::clicked, this, &SetupGuide::testConnection);
    connect(m_tester, &RelayConnectionTester::finished, this,
            [this](RelayConnectionTester::Result r, const QString &m) {
                const bool ok = r == RelayConnectionTester::Result::Ok;
                m_testResult->setText((ok ? u"✓ "_s : u"✗ "_s) + m);
                m_testResult->setStyleSheet(ok ? u"color: #1a7f37;"_s : u"color: #cf222e;"_s);
                Q_EMIT connectionTested(ok);
            });
    setPage(RelayPage, relay);

    // 2b. Direct: port, ngrok, public URL (Next only once there is one CircleCI can post to).
    auto *direct = new GuidePage;
    direct->setTitle(u"Step 2 of 3: Open a tunnel to this computer"_s);
    direct->setSubTitle(u"ngrok gives this computer a public https:// address that CircleCI can post to."_s);
    m_port = new QSpinBox;
    m_port->setRange(0, 65535);
    m_port->setValue(m_settings->directPort());
    m_ngrokCommand = wrapped(QString());
    m_ngrokCommand->setStyleSheet(u"font-family: monospace;"_s);
    m_publicUrl = new QLineEdit;
    m_publicUrl->setPlaceholderText(u"https://xxxx-xx-xx.ngrok-free.app (shown by ngrok)"_s);
    m_urlProblem = wrapped(QString());
    m_urlProblem->setStyleSheet(u"color: #cf222e;"_s);
    auto *ngrokRow = new QHBoxLayout;
    ngrokRow->addWidget(m_ngrokCommand, 1);
    ngrokRow->addWidget(copyButton(u"Copy"_s, [this] { return m_ngrokCommand->text(); }));
    auto *directForm = new QFormLayout(direct);
    directForm->addRow(u"Local port:"_s, m_port);
    directForm->addRow(u"In a terminal, run:"_s, ngrokRow);
    directForm->addRow(u"ngrok's public URL:"_s, m_publicUrl);
    directForm->addRow(QString(), m_urlProblem);
    direct->complete = [this] {
        return !m_publicUrl->text().trimmed().isEmpty() && publicUrlProblem(m_publicUrl->text()).isEmpty();
    };
    connect(m_publicUrl, &QLineEdit::textChanged, direct, [this, direct](const QString &text) {
        m_urlProblem->setText(publicUrlProblem(text));
        direct->recheck();
    });
    const auto updateCommand = [this] { m_ngrokCommand->setText(u"ngrok http %1"_s.arg(m_port->value())); };
    connect(m_port, &QSpinBox::valueChanged, this, updateCommand);
    updateCommand();
    setPage(DirectPage, direct);

    // 3. The webhooks: made through the API with a token (recommended), or by hand.
    auto *account = new GuidePage;
    account->setTitle(u"Step 3 of 4: Let CircleTray create the webhooks"_s);
    account->setSubTitle(u"One token instead of a settings page per project: CircleTray adds its webhook to the "
                         "projects you choose and keeps it pointing here."_s);
    m_automatic = new QRadioButton(u"Create the webhooks for me (recommended) with a CircleCI personal API token"_s);
    m_manual = new QRadioButton(u"I'll add the webhook in each project's settings myself"_s);
    m_automatic->setChecked(true);
    m_circleToken = new QLineEdit(QString::fromUtf8(m_secrets->circleCiToken()));
    m_circleToken->setEchoMode(QLineEdit::Password);
    m_circleToken->setPlaceholderText(u"CircleCI → User Settings → Personal API Tokens → Create New Token"_s);
    m_circleHost = new QLineEdit(m_settings->circleCiHost());
    m_circleHost->setPlaceholderText(u"https://circleci.com (or your CircleCI server)"_s);
    auto *useCli = new QPushButton(u"Use the circleci CLI's token"_s);
    const CircleCiToken cli = CircleCiToken::fromCliConfig(QDir::home().filePath(u".circleci/cli.yml"_s));
    useCli->setVisible(!cli.isEmpty());
    connect(useCli, &QPushButton::clicked, this, [this, cli] {
        m_circleToken->setText(QString::fromUtf8(cli.token));
        if (cli.host.isValid() && !cli.host.isEmpty())
            m_circleHost->setText(cli.host.toString());
        checkAccount();
    });
    auto *check = new QPushButton(u"Check"_s);
    connect(check, &QPushButton::clicked, this, &SetupGuide::checkAccount);
    connect(m_circleToken, &QLineEdit::editingFinished, this, [this] {
        if (!m_accountOk && !m_circleToken->text().trimmed().isEmpty())
            checkAccount();
    });
    m_accountResult = wrapped(QString());
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_circleToken, 1);
    tokenRow->addWidget(useCli);
    auto *accountForm = new QFormLayout;
    accountForm->addRow(u"Token:"_s, tokenRow);
    accountForm->addRow(u"CircleCI:"_s, m_circleHost);
    accountForm->addRow(QString(), check);
    accountForm->addRow(QString(), m_accountResult);
    auto *accountLayout = new QVBoxLayout(account);
    accountLayout->addWidget(m_automatic);
    accountLayout->addLayout(accountForm);
    accountLayout->addWidget(wrapped(u"Creating webhooks needs an organization admin's token. The token is kept in "
                                     "the keychain; it is also used to catch up on builds and to rerun them."_s));
    accountLayout->addSpacing(12);
    accountLayout->addWidget(m_manual);
    accountLayout->addStretch();
    account->complete = [this] { return m_manual->isChecked() || m_accountOk; };
    const auto accountEdited = [this, account] {
        m_accountOk = false;
        m_accountResult->clear();
        account->recheck();
    };
    connect(m_circleToken, &QLineEdit::textEdited, account, accountEdited);
    connect(m_circleHost, &QLineEdit::textEdited, account, accountEdited);
    connect(m_manual, &QRadioButton::toggled, account, [this, account](bool manual) {
        m_circleToken->setEnabled(!manual);
        m_circleHost->setEnabled(!manual);
        account->recheck();
    });
    connect(this, &SetupGuide::accountCheckFinished, account, &GuidePage::recheck);
    setPage(AccountPage, account);

    // 4a. Which projects get the webhook.
    auto *projects = new GuidePage;
    projects->setTitle(u"Step 4 of 4: Choose the projects"_s);
    projects->setSubTitle(u"Tick the projects whose builds you want, then create their webhooks."_s);
    m_picker = new ProjectPicker(&m_api, projects);
    auto *create = new QPushButton(u"Create webhooks"_s);
    create->setObjectName(u"createWebhooks"_s);
    create->setEnabled(false);
    m_createResult = wrapped(QString());
    m_createResult->setObjectName(u"createResult"_s);
    auto *projectsLayout = new QVBoxLayout(projects);
    projectsLayout->addWidget(m_picker, 1);
    auto *createRow = new QHBoxLayout;
    createRow->addWidget(create);
    createRow->addStretch();
    projectsLayout->addLayout(createRow);
    projectsLayout->addWidget(m_createResult);
    const auto updateCreate = [this, create] {
        create->setEnabled(!m_creating && !m_picker->isLoading() && !m_picker->checkedProjects().isEmpty());
    };
    connect(m_picker, &ProjectPicker::loaded, create, updateCreate);
    connect(m_picker, &ProjectPicker::selectionChanged, create, updateCreate);
    connect(create, &QPushButton::clicked, this, &SetupGuide::createWebhooks);
    projects->complete = [this] { return !m_creating && !m_outcomes.isEmpty(); };
    connect(this, &SetupGuide::webhooksCreated, projects, [projects, updateCreate] {
        updateCreate();
        projects->recheck();
    });
    setPage(ProjectsPage, projects);

    // 4b. CircleCI's form, and the test ping.
    auto *circle = new QWizardPage;
    circle->setTitle(u"Step 4 of 4: Add the webhook in CircleCI"_s);
    circle->setSubTitle(u"CircleCI → your project → Project Settings → Webhooks → Add Webhook. Then press "
                        "\"Test Ping Event\" there."_s);
    m_values = wrapped(QString());
    m_values->setTextFormat(Qt::RichText);
    m_status = wrapped(QString());
    m_status->setObjectName(u"pingStatus"_s);
    auto *circleLayout = new QVBoxLayout(circle);
    circleLayout->addWidget(m_values);
    auto *copyRow = new QHBoxLayout;
    copyRow->addWidget(copyButton(u"Copy URL"_s, [this] { return webhookUrl(); }));
    copyRow->addWidget(copyButton(u"Copy secret"_s, [this] { return secret(); }));
    copyRow->addStretch();
    circleLayout->addLayout(copyRow);
    circleLayout->addSpacing(8);
    circleLayout->addWidget(m_status);
    circleLayout->addStretch();
    setPage(CircleCiPage, circle);
    setStartId(ChoosePage);
}

SetupGuide::~SetupGuide()
{
    stopListening();
}

QString SetupGuide::secret() const
{
    if (m_relayChoice->isChecked() && m_pasteSecret->isChecked())
        return m_relaySecret->text().trimmed();
    return m_secret;
}

int SetupGuide::nextId() const
{
    switch (currentId()) {
    case ChoosePage:
        return m_relayChoice->isChecked() ? RelayPage : DirectPage;
    case RelayPage:
    case DirectPage:
        return AccountPage;
    case AccountPage:
        return m_manual->isChecked() ? CircleCiPage : ProjectsPage;
    case ProjectsPage:
        // Done where the webhooks were made; the page of manual steps for the projects that failed.
        return std::all_of(m_outcomes.cbegin(), m_outcomes.cend(), [](const WebhookOutcome &o) { return o.ok(); })
            ? -1
            : CircleCiPage;
    default:
        return -1;
    }
}

void SetupGuide::testConnection()
{
    m_testResult->setStyleSheet(QString());
    m_testResult->setText(u"Testing…"_s);
    m_tester->test(m_relayUrl->text(), m_token->text().toUtf8());
}

QString SetupGuide::webhookUrl() const
{
    const QString url =
        CircleCiAccount::webhookUrl(m_relayChoice->isChecked() ? m_relayUrl->text() : m_publicUrl->text());
    if (!url.isEmpty())
        return url;
    return m_relayChoice->isChecked() ? u"https://<your relay>/webhook"_s : u"https://<ngrok URL>/webhook"_s;
}

void SetupGuide::checkAccount()
{
    m_accountOk = false;
    m_api.abortAll();
    m_api.setToken(m_circleToken->text().trimmed().toUtf8());
    m_api.setHost(QUrl::fromUserInput(m_circleHost->text().trimmed().isEmpty()
                                          ? CircleCiClient::defaultHost().toString()
                                          : m_circleHost->text().trimmed()));
    if (!m_api.hasToken()) {
        m_accountResult->setText(u"✗ Paste a personal API token first."_s);
        m_accountResult->setStyleSheet(u"color: #cf222e;"_s);
        Q_EMIT accountCheckFinished(false);
        return;
    }
    m_accountResult->setStyleSheet(QString());
    m_accountResult->setText(u"Checking…"_s);
    m_api.get(u"/me"_s, {}, [this](const CircleCiClient::Reply &r) {
        m_accountOk = r.ok();
        if (r.ok()) {
            m_accountResult->setText(
                u"✓ Signed in as %1 on %2"_s.arg(r.json.object().value(u"login"_s).toString(), m_api.host().host()));
            m_accountResult->setStyleSheet(u"color: #1a7f37;"_s);
        } else {
            m_accountResult->setText(u"✗ "_s + r.error.text());
            m_accountResult->setStyleSheet(u"color: #cf222e;"_s);
        }
        Q_EMIT accountCheckFinished(r.ok());
    });
}

WebhookSpec SetupGuide::webhookSpec() const
{
    WebhookSpec spec;
    spec.name = CircleCiAccount::webhookName(m_relayChoice->isChecked());
    spec.url = webhookUrl();
    spec.secret = secret().toUtf8();
    return spec;
}

void SetupGuide::createWebhooks()
{
    const QList<CircleCiProject> chosen = m_picker->checkedProjects();
    if (chosen.isEmpty() || m_creating)
        return;
    if (const QString problem = WebhookSpec::urlProblem(webhookSpec().url); !problem.isEmpty()) {
        m_createResult->setText(u"✗ "_s + problem + u". Go back and correct it."_s);
        m_createResult->setStyleSheet(u"color: #cf222e;"_s);
        return;
    }
    m_creating = true;
    m_outcomes.clear();
    m_createResult->setStyleSheet(QString());
    m_createResult->setText(u"Creating webhooks…"_s);
    if (!m_sync) {
        m_sync = new WebhookSync(&m_api, this);
        connect(m_sync, &WebhookSync::projectDone, this, [this](const WebhookOutcome &o) {
            m_outcomes.append(o);
            m_createResult->setText(createResults());
        });
        connect(m_sync, &WebhookSync::finished, this, [this](const QList<WebhookOutcome> &outcomes) {
            m_creating = false;
            m_outcomes = outcomes;
            const auto failed =
                std::count_if(outcomes.cbegin(), outcomes.cend(), [](const WebhookOutcome &o) { return !o.ok(); });
            QString text = createResults();
            if (failed > 0)
                text += u"\n\nNext shows how to add the webhook by hand where it failed."_s;
            else
                text += u"\n\n✓ Done: the next build that finishes in these projects pops up here."_s;
            m_createResult->setText(text);
            Q_EMIT webhooksCreated(outcomes);
        });
    }
    m_sync->sync(chosen, webhookSpec());
}

QString SetupGuide::createResults() const
{
    QStringList lines;
    for (const WebhookOutcome &o : m_outcomes)
        lines.append((o.ok() ? u"✓ "_s : u"✗ "_s) + o.line());
    return lines.join(u'\n');
}

void SetupGuide::initializePage(int id)
{
    QWizard::initializePage(id);
    if (id == ProjectsPage) {
        if (m_picker->projects().isEmpty() && !m_picker->isLoading())
            m_picker->load(webhookSpec().name);
        return;
    }
    if (id != CircleCiPage)
        return;
    const bool relay = m_relayChoice->isChecked();
    const bool relaysOwn = relay && m_pasteSecret->isChecked();
    QString html = u"<table cellspacing='6'>"
                   "<tr><td><b>Payload URL</b></td><td><tt>%1</tt></td></tr>"
                   "<tr><td><b>Secret token</b></td><td><tt>%2</tt></td></tr>"
                   "<tr><td><b>Certificate verifications</b></td><td>on</td></tr>"
                   "<tr><td><b>Events</b></td><td>Workflow Completed, Job Completed</td></tr></table>"_s.arg(
                       webhookUrl().toHtmlEscaped(),
                       relaysOwn ? u"the relay's secret, as entered on the previous page"_s : secret());
    if (relay && !relaysOwn)
        html += u"<p>The relay checks this secret too: on the relay, add it as a new line to <tt>%1</tt> (keep the "
                "other lines while projects still use them) and restart it: <tt>sudo systemctl restart "
                "circletray-relay</tt>.</p>"_s.arg(relaySecretsFile);
    QStringList failed;
    for (const WebhookOutcome &o : std::as_const(m_outcomes)) {
        if (!o.ok())
            failed.append(u"<li><b>%1</b>: %2</li>"_s.arg(o.slug.toHtmlEscaped(), o.reason.toHtmlEscaped()));
    }
    if (!failed.isEmpty())
        html.prepend(u"<p>The webhook could not be created in:</p><ul>%1</ul><p>Add it there by hand:</p>"_s.arg(
            failed.join(QString())));
    m_values->setText(html);
    startListening();
}

void SetupGuide::startListening()
{
    stopListening();
    m_pingConfirmed = false;
    EventSource *source = nullptr;
    if (m_relayChoice->isChecked())
        source = new RelaySource(RelaySource::eventsUrl(m_relayUrl->text()), m_token->text().trimmed().toUtf8(),
                                 {secret().toUtf8()}, this);
    else {
        Q_EMIT portWanted(quint16(m_port->value()));
        source = new DirectSource(quint16(m_port->value()), {secret().toUtf8()}, this);
    }
    m_source = source;
    connect(source, &EventSource::eventReceived, this, [this](const WebhookEvent &e, bool replay) {
        if (replay)
            return; // an old delivery the relay kept: not the ping we wait for
        m_pingConfirmed = true;
        m_status->setStyleSheet(u"color: #1a7f37; font-weight: bold;"_s);
        m_status->setText(e.type == EventType::Ping
                              ? u"✓ CircleCI's Test Ping Event arrived and was signed correctly. You are set up."_s
                              : u"✓ A signed delivery from CircleCI arrived. You are set up."_s);
        Q_EMIT pingReceived();
    });
    connect(source, &EventSource::problem, this, [this](const QString &problem) {
        if (m_pingConfirmed)
            return;
        m_status->setStyleSheet(u"color: #cf222e;"_s);
        if (problem.contains(u"mismatch"_s) || problem.contains(u"signature"_s))
            m_status->setText(u"✗ A delivery arrived, but its signature does not match this secret. Paste the secret "
                              "above into CircleCI's \"Secret token\" field exactly (no spaces), save, and send the "
                              "ping again. ("_s
                              + problem + u')');
        else
            m_status->setText(u"✗ "_s + problem);
    });
    source->start();
    if (auto *direct = qobject_cast<DirectSource *>(source); direct && direct->isConnected())
        m_status->setText(u"Waiting for CircleCI's Test Ping Event on 127.0.0.1:%1 …"_s.arg(direct->port()));
    else if (!qobject_cast<DirectSource *>(source))
        m_status->setText(u"Waiting for CircleCI's Test Ping Event through the relay …"_s);
    m_status->setStyleSheet(QString());
}

void SetupGuide::stopListening()
{
    if (m_source) {
        m_source->stop();
        delete m_source;
    }
}

quint16 SetupGuide::listeningPort() const
{
    const auto *direct = qobject_cast<const DirectSource *>(m_source.data());
    return direct ? direct->port() : 0;
}

QString SetupGuide::pingStatus() const
{
    return m_status->text();
}

void SetupGuide::accept()
{
    stopListening(); // the app's own source takes over the port
    const bool relay = m_relayChoice->isChecked();
    m_settings->setValue(Settings::Key::Source, relay ? u"relay"_s : u"direct"_s);
    if (relay) {
        m_settings->setValue(Settings::Key::RelayUrl, m_relayUrl->text().trimmed());
        m_secrets->setRelayToken(m_token->text().trimmed().toUtf8());
    } else {
        m_settings->setValue(Settings::Key::DirectPort, m_port->value());
    }
    m_secrets->setWebhookSecrets({secret().toUtf8()});
    if (!relay)
        m_settings->setValue(Settings::Key::PublicUrl, m_publicUrl->text().trimmed());
    if (m_automatic->isChecked() && m_accountOk) {
        m_secrets->setCircleCiToken(m_circleToken->text().trimmed().toUtf8());
        m_settings->setValue(Settings::Key::CircleCiHost, m_api.host().toString());
        QStringList watched = m_settings->watchedProjects();
        for (const WebhookOutcome &o : std::as_const(m_outcomes)) {
            if (o.ok() && !watched.contains(o.slug))
                watched.append(o.slug);
        }
        m_settings->setValue(Settings::Key::WatchedProjects, watched);
    }
    // Deliveries the relay kept from before this moment are history, not news: they never pop up.
    m_settings->setValue(Settings::Key::SetupCompletedAt, QDateTime::currentDateTimeUtc());
    m_settings->sync();
    QWizard::accept();
}

} // namespace ct
