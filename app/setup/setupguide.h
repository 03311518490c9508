// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/circleciclient.h"
#include "core/circleci/webhooksync.h"

#include <QPointer>
#include <QWizard>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace ct {

class EventSource;
class ProjectPicker;
class RelayConnectionTester;
class SecretStore;
class Settings;

/*!
 * \brief First run: from nothing to the first popup. Choose a relay (URL + token, with "Test
 * connection", and the relay's webhook secret pasted or a new one generated) or direct with ngrok
 * (port, the ngrok command, the public URL); the exact values for CircleCI's webhook form are
 * shown; and the guide waits for CircleCI's "Test Ping Event", confirming it arrived signed
 * correctly or explaining why not. Nothing is written unless the guide is finished.
 */
class SetupGuide final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupGuide)

public:
    enum PageId { ChoosePage, RelayPage, DirectPage, AccountPage, ProjectsPage, CircleCiPage };

    SetupGuide(Settings *settings, SecretStore *secrets, QWidget *parent = nullptr);
    ~SetupGuide() override;

    int nextId() const override;
    void initializePage(int id) override;
    void accept() override;

    // For tests and screenshots.
    QString secret() const; //!< the webhook secret: the relay's, pasted, or the generated one
    QRadioButton *pasteSecretChoice() const { return m_pasteSecret; }
    QRadioButton *generateSecretChoice() const { return m_generateSecret; }
    QLineEdit *relaySecretEdit() const { return m_relaySecret; }
    quint16 listeningPort() const;
    QString pingStatus() const;
    bool pingConfirmed() const { return m_pingConfirmed; }
    QLineEdit *relayUrlEdit() const { return m_relayUrl; }
    QLineEdit *tokenEdit() const { return m_token; }
    QSpinBox *portEdit() const { return m_port; }
    QRadioButton *directChoice() const { return m_directChoice; }
    QRadioButton *relayChoice() const { return m_relayChoice; }
    QLabel *connectionResult() const { return m_testResult; }
    void testConnection();
    QString webhookUrl() const; //!< the Payload URL to paste into CircleCI
    QLineEdit *publicUrlEdit() const { return m_publicUrl; }
    QRadioButton *automaticChoice() const { return m_automatic; } //!< "Create the webhooks for me"
    QRadioButton *manualChoice() const { return m_manual; }
    QLineEdit *circleCiTokenEdit() const { return m_circleToken; }
    QLineEdit *circleCiHostEdit() const { return m_circleHost; }
    QLabel *accountResult() const { return m_accountResult; }
    void checkAccount();
    bool accountChecked() const { return m_accountOk; }
    ProjectPicker *projectPicker() const { return m_picker; }
    void createWebhooks();
    QString createResults() const; //!< one line per project, as `webhooks sync` prints them
    WebhookSpec webhookSpec() const; //!< what "Create webhooks" makes

Q_SIGNALS:
    void pingReceived();
    void connectionTested(bool ok);
    void accountCheckFinished(bool ok);
    void webhooksCreated(const QList<ct::WebhookOutcome> &outcomes);
    //! Direct mode is about to listen on \a port: whoever receives webhooks there must let go of it.
    void portWanted(quint16 port);

private:
    void startListening();
    void stopListening();

    Settings *m_settings = nullptr;
    SecretStore *m_secrets = nullptr;
    QString m_secret; //!< generated
    QRadioButton *m_relayChoice = nullptr;
    QRadioButton *m_directChoice = nullptr;
    QLineEdit *m_relayUrl = nullptr;
    QLineEdit *m_token = nullptr;
    QLabel *m_testResult = nullptr;
    QRadioButton *m_pasteSecret = nullptr;
    QRadioButton *m_generateSecret = nullptr;
    QLineEdit *m_relaySecret = nullptr;
    QLabel *m_urlProblem = nullptr;
    RelayConnectionTester *m_tester = nullptr;
    QSpinBox *m_port = nullptr;
    QLabel *m_ngrokCommand = nullptr;
    QLineEdit *m_publicUrl = nullptr;
    QLabel *m_values = nullptr;
    QLabel *m_status = nullptr;
    QPointer<EventSource> m_source;
    CircleCiClient m_api;
    QRadioButton *m_automatic = nullptr;
    QRadioButton *m_manual = nullptr;
    QLineEdit *m_circleToken = nullptr;
    QLineEdit *m_circleHost = nullptr;
    QLabel *m_accountResult = nullptr;
    bool m_accountOk = false;
    ProjectPicker *m_picker = nullptr;
    QLabel *m_createResult = nullptr;
    WebhookSync *m_sync = nullptr;
    QList<WebhookOutcome> m_outcomes;
    bool m_creating = false;
    bool m_pingConfirmed = false;
};

} // namespace ct
