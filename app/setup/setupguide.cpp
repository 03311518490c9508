// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/setupguide.h"

#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/sources/directsource.h"
#include "app/sources/relayconnectiontester.h"
#include "app/sources/relaysource.h"

#include <QApplication>
#include <QClipboard>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSpinBox>
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

    QPushButton *copyButton(const std::function<QString()> &text)
    {
        auto *button = new QPushButton(u"Copy"_s);
        QObject::connect(button, &QPushButton::clicked, button, [text] { QApplication::clipboard()->setText(text()); });
        return button;
    }

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
    resize(640, 520);

    // 1. Where builds come from.
    auto *choose = new QWizardPage;
    choose->setTitle(u"Where should CircleTray get your builds from?"_s);
    m_relayChoice = new QRadioButton(u"My own relay — recommended: nothing is missed while this computer sleeps"_s);
    m_directChoice = new QRadioButton(u"Direct with ngrok — nothing to host: CircleCI posts to this computer "
                                      "through a tunnel"_s);
    m_directChoice->setChecked(true);
    auto *chooseLayout = new QVBoxLayout(choose);
    chooseLayout->addWidget(m_relayChoice);
    chooseLayout->addWidget(wrapped(u"A circletray-relay on a public host receives CircleCI's webhooks, keeps them "
                                    "and pushes them to this app (see \"Run a relay\" in the README)."_s));
    chooseLayout->addSpacing(12);
    chooseLayout->addWidget(m_directChoice);
    chooseLayout->addWidget(
        wrapped(u"Runs \u201cngrok http <port>\u201d on this computer; builds that finish while it is "
                "off or asleep are lost after CircleCI's retries."_s));
    chooseLayout->addStretch();
    setPage(ChoosePage, choose);

    // 2a. Relay: URL, token, test.
    auto *relay = new QWizardPage;
    relay->setTitle(u"Your relay"_s);
    m_relayUrl = new QLineEdit;
    m_relayUrl->setPlaceholderText(u"https://relay.example.com"_s);
    m_token = new QLineEdit;
    m_token->setPlaceholderText(u"ctr_… from: circletray-relay token add my-laptop"_s);
    m_token->setEchoMode(QLineEdit::Password);
    auto *test = new QPushButton(u"Test connection"_s);
    m_testResult = wrapped(QString());
    auto *relayForm = new QFormLayout(relay);
    relayForm->addRow(u"Relay URL:"_s, m_relayUrl);
    relayForm->addRow(u"Device token:"_s, m_token);
    relayForm->addRow(QString(), test);
    relayForm->addRow(QString(), m_testResult);
    connect(test, &QPushButton::clicked, this, &SetupGuide::testConnection);
    connect(m_tester, &RelayConnectionTester::finished, this,
            [this](RelayConnectionTester::Result r, const QString &m) {
                const bool ok = r == RelayConnectionTester::Result::Ok;
                m_testResult->setText((ok ? u"✓ "_s : u"✗ "_s) + m);
                m_testResult->setStyleSheet(ok ? u"color: #1a7f37;"_s : u"color: #cf222e;"_s);
                Q_EMIT connectionTested(ok);
            });
    setPage(RelayPage, relay);

    // 2b. Direct: port, ngrok, public URL.
    auto *direct = new QWizardPage;
    direct->setTitle(u"Receive webhooks on this computer"_s);
    m_port = new QSpinBox;
    m_port->setRange(0, 65535);
    m_port->setValue(m_settings->directPort());
    m_ngrokCommand = wrapped(QString());
    m_ngrokCommand->setStyleSheet(u"font-family: monospace;"_s);
    m_publicUrl = new QLineEdit;
    m_publicUrl->setPlaceholderText(u"https://xxxx-xx-xx.ngrok-free.app (shown by ngrok)"_s);
    auto *ngrokRow = new QHBoxLayout;
    ngrokRow->addWidget(m_ngrokCommand, 1);
    ngrokRow->addWidget(copyButton([this] { return m_ngrokCommand->text(); }));
    auto *directForm = new QFormLayout(direct);
    directForm->addRow(u"Local port:"_s, m_port);
    directForm->addRow(u"In a terminal, run:"_s, ngrokRow);
    directForm->addRow(u"ngrok's public URL:"_s, m_publicUrl);
    const auto updateCommand = [this] { m_ngrokCommand->setText(u"ngrok http %1"_s.arg(m_port->value())); };
    connect(m_port, &QSpinBox::valueChanged, this, updateCommand);
    updateCommand();
    setPage(DirectPage, direct);

    // 3. CircleCI's form, and the test ping.
    auto *circle = new QWizardPage;
    circle->setTitle(u"Tell CircleCI"_s);
    circle->setSubTitle(u"CircleCI → your project → Project Settings → Webhooks → Add Webhook. Then press "
                        "\"Test Ping Event\" there."_s);
    m_values = wrapped(QString());
    m_values->setTextFormat(Qt::RichText);
    m_status = wrapped(QString());
    m_status->setObjectName(u"pingStatus"_s);
    auto *circleLayout = new QVBoxLayout(circle);
    circleLayout->addWidget(m_values);
    auto *copyRow = new QHBoxLayout;
    copyRow->addWidget(copyButton([this] { return webhookUrl(); }));
    copyRow->itemAt(0)->widget()->setProperty("text", u"Copy URL"_s);
    copyRow->addWidget(copyButton([this] { return m_secret; }));
    copyRow->itemAt(1)->widget()->setProperty("text", u"Copy secret"_s);
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

int SetupGuide::nextId() const
{
    switch (currentId()) {
    case ChoosePage:
        return m_relayChoice->isChecked() ? RelayPage : DirectPage;
    case RelayPage:
    case DirectPage:
        return CircleCiPage;
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
    QString base = m_relayChoice->isChecked() ? m_relayUrl->text().trimmed() : m_publicUrl->text().trimmed();
    if (base.isEmpty())
        return m_relayChoice->isChecked() ? u"https://<your relay>/webhook"_s : u"https://<ngrok URL>/webhook"_s;
    if (!base.contains(u"://"_s))
        base.prepend(u"https://"_s);
    while (base.endsWith(u'/'))
        base.chop(1);
    // A pasted "…ngrok-free.app/webhook" (or a relay URL with it) must not become …/webhook/webhook.
    if (base.endsWith(u"/webhook"_s))
        base.chop(8);
    return base + u"/webhook"_s;
}

void SetupGuide::initializePage(int id)
{
    QWizard::initializePage(id);
    if (id != CircleCiPage)
        return;
    QString html = u"<table cellspacing='6'>"
                   "<tr><td><b>Payload URL</b></td><td><tt>%1</tt></td></tr>"
                   "<tr><td><b>Secret token</b></td><td><tt>%2</tt></td></tr>"
                   "<tr><td><b>Certificate verifications</b></td><td>on</td></tr>"
                   "<tr><td><b>Events</b></td><td>Workflow Completed, Job Completed</td></tr></table>"_s.arg(
                       webhookUrl().toHtmlEscaped(), m_secret);
    if (m_relayChoice->isChecked())
        html += u"<p>The relay checks this secret too: add it as a line to the relay's secret file "
                "(<tt>/etc/circletray-relay/secrets</tt>) and restart it.</p>"_s;
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
                                 {m_secret.toUtf8()}, this);
    else
        source = new DirectSource(quint16(m_port->value()), {m_secret.toUtf8()}, this);
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
    m_secrets->setWebhookSecrets({m_secret.toUtf8()});
    m_settings->sync();
    QWizard::accept();
}

} // namespace ct
