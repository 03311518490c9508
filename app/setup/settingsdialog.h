// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/circleciclient.h"
#include "core/circleci/webhooksync.h"

#include <QDialog>

#include <functional>
#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;
class QSpinBox;

namespace ct {

class SecretStore;
class Settings;

/*!
 * \brief What the command line set for this run (`make run`, `--relay …`): shown in Settings as in
 * effect, read-only there, and never saved into the user's settings by accident.
 */
struct SettingsOverrides
{
    std::optional<QString> source; //!< "direct" (--port, --secret-file) or "relay" (--relay)
    std::optional<quint16> port;
    std::optional<QString> relayUrl;
    QStringList secretFiles; //!< --secret-file: the secrets in effect come from these
    QList<QByteArray> secrets; //!< …and are these
    QString tokenFile; //!< --token-file
    QByteArray token;
    QString circleCiHost; //!< --circleci-host
    QString circleCiTokenFile; //!< --circleci-token-file
    QByteArray circleCiToken;
    bool any() const
    {
        return source || port || relayUrl || !secretFiles.isEmpty() || !tokenFile.isEmpty() || !circleCiHost.isEmpty()
            || !circleCiTokenFile.isEmpty();
    }
};

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
    //! Shows \a overrides as the values in effect, read-only and marked; accept() keeps the saved ones.
    void setOverrides(const SettingsOverrides &overrides);
    //! What the app's last use of the CircleCI token ran into (a 401), shown on its tab until checked again.
    void setAccountProblem(const QString &problem);

Q_SIGNALS:
    void sourceChanged(); //!< source, port, relay, secrets or token changed: reconnect
    void setupGuideRequested();
    void accountChanged(); //!< the CircleCI token or host changed
    //! Saved with a new webhook URL or secret, and the user wants the watched projects' webhooks to follow.
    void webhooksUpdateRequested();

private:
    QWidget *buildAccountPage();
    void checkAccount();
    void chooseProjects();
    void updateWatchedLabel();
    //! The webhook the current (typed) values make, and what is missing for one.
    WebhookSpec typedWebhookSpec(QString *problem) const;

    Settings *m_settings = nullptr;
    SecretStore *m_secrets = nullptr;
    QRadioButton *m_direct = nullptr;
    QRadioButton *m_relay = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_relayUrl = nullptr;
    QLineEdit *m_token = nullptr;
    void setSecretFields(const QList<QByteArray> &secrets);
    QList<QByteArray> secretFields() const; //!< the current one first, then the previous one

    QLineEdit *m_webhookSecret = nullptr;
    QLineEdit *m_previousSecret = nullptr;
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
    QLineEdit *m_publicUrl = nullptr;
    QLineEdit *m_circleToken = nullptr;
    QLineEdit *m_circleHost = nullptr;
    QLabel *m_accountResult = nullptr;
    QLabel *m_watchedLabel = nullptr;
    QStringList m_watched;
    CircleCiClient m_checkClient; //!< with the typed token and host: Check, Choose projects
    QLabel *m_overrideNote = nullptr;
    SettingsOverrides m_overrides;
};

} // namespace ct
