// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;
class QSpinBox;

namespace ct {

class SecretStore;
class Settings;

//! Source (direct port, or relay URL + token), webhook secret(s), and the notification rules.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    SettingsDialog(Settings *settings, SecretStore *secrets, QWidget *parent = nullptr);
    void accept() override;
    //! How many workflows keeping \a days of history would delete now: lowering "Keep history"
    //! asks first when that is more than none.
    void setPruneCounter(std::function<qint64(int days)> counter) { m_pruneCounter = std::move(counter); }

Q_SIGNALS:
    void sourceChanged(); //!< source, port, relay, secrets or token changed: reconnect
    void setupGuideRequested();

private:
    Settings *m_settings = nullptr;
    SecretStore *m_secrets = nullptr;
    QRadioButton *m_direct = nullptr;
    QRadioButton *m_relay = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_relayUrl = nullptr;
    QLineEdit *m_token = nullptr;
    QPlainTextEdit *m_webhookSecrets = nullptr;
    QList<QCheckBox *> m_kinds;
    QCheckBox *m_jobFailures = nullptr;
    QLineEdit *m_include = nullptr;
    QLineEdit *m_exclude = nullptr;
    QLineEdit *m_branches = nullptr;
    QCheckBox *m_onlyMine = nullptr;
    QLineEdit *m_emails = nullptr;
    QSpinBox *m_retention = nullptr;
    std::function<qint64(int)> m_pruneCounter;
    QCheckBox *m_autostart = nullptr;
    QLabel *m_testResult = nullptr;
};

} // namespace ct
