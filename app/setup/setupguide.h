// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QWizard>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace ct {

class EventSource;
class RelayConnectionTester;
class SecretStore;
class Settings;

/*!
 * \brief First run: from nothing to the first popup. Choose a relay (URL + token, with "Test
 * connection") or direct with ngrok (port, the ngrok command, the public URL); a strong webhook
 * secret is generated; the exact values for CircleCI's webhook form are shown; and the guide waits
 * for CircleCI's "Test Ping Event", confirming it arrived signed correctly or explaining why not.
 */
class SetupGuide final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupGuide)

public:
    enum PageId { ChoosePage, RelayPage, DirectPage, CircleCiPage };

    SetupGuide(Settings *settings, SecretStore *secrets, QWidget *parent = nullptr);
    ~SetupGuide() override;

    int nextId() const override;
    void initializePage(int id) override;
    void accept() override;

    // For tests and screenshots.
    QString secret() const { return m_secret; }
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

Q_SIGNALS:
    void pingReceived();
    void connectionTested(bool ok);

private:
    void startListening();
    void stopListening();

    Settings *m_settings = nullptr;
    SecretStore *m_secrets = nullptr;
    QString m_secret;
    QRadioButton *m_relayChoice = nullptr;
    QRadioButton *m_directChoice = nullptr;
    QLineEdit *m_relayUrl = nullptr;
    QLineEdit *m_token = nullptr;
    QLabel *m_testResult = nullptr;
    RelayConnectionTester *m_tester = nullptr;
    QSpinBox *m_port = nullptr;
    QLabel *m_ngrokCommand = nullptr;
    QLineEdit *m_publicUrl = nullptr;
    QLabel *m_values = nullptr;
    QLabel *m_status = nullptr;
    QPointer<EventSource> m_source;
    bool m_pingConfirmed = false;
};

} // namespace ct
