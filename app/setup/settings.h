// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QObject>
#include <QSettings>
#include <QStringList>

#include <memory>

namespace ct {

/*!
 * \brief The app's settings: one table of keys and defaults, typed accessors, a changed() signal.
 *
 * Stored with QSettings in INI form so the file stays hand-editable; enums are strings. Secrets are
 * not here (SecretStore keeps them).
 */
class Settings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Settings)

public:
    enum class Key {
        Source, //!< "direct" or "relay"
        DirectPort,
        RelayUrl,
        NotifyKinds, //!< transitions worth a popup: broken, fixed, still-failing, passed, canceled
        NotifyJobFailures, //!< a popup as soon as a job fails, before its workflow completes
        IncludeProjects,
        ExcludeProjects,
        BranchPatterns,
        OnlyMyCommits,
        MyEmails,
        PausedUntil,
        RetentionDays,
        HistoryGeometry,
        HistoryColumns,
        SetupCompletedAt, //!< when the setup guide was finished: what a relay kept from before is not news
        CircleCiHost, //!< https://circleci.com, or a CircleCI server's https://<host>
        PublicUrl, //!< direct mode: the tunnel's public https:// URL CircleCI posts to (ngrok's)
        WatchedProjects, //!< slugs of the projects with CircleTray's webhook (made through the token)
        NgrokApi, //!< the local ngrok agent's API, to follow a changing tunnel URL
    };
    Q_ENUM(Key)

    //! \a fileName empty: the platform's usual place (QSettings, organisation "CircleTray").
    explicit Settings(const QString &fileName = {}, QObject *parent = nullptr);

    QString fileName() const { return m_settings->fileName(); }
    QVariant value(Key key) const;
    void setValue(Key key, const QVariant &value);

    QString source() const { return value(Key::Source).toString(); }
    quint16 directPort() const { return quint16(value(Key::DirectPort).toUInt()); }
    QString relayUrl() const { return value(Key::RelayUrl).toString(); }
    QStringList notifyKinds() const { return value(Key::NotifyKinds).toStringList(); }
    bool notifyJobFailures() const { return value(Key::NotifyJobFailures).toBool(); }
    QStringList includeProjects() const { return value(Key::IncludeProjects).toStringList(); }
    QStringList excludeProjects() const { return value(Key::ExcludeProjects).toStringList(); }
    QStringList branchPatterns() const { return value(Key::BranchPatterns).toStringList(); }
    bool onlyMyCommits() const { return value(Key::OnlyMyCommits).toBool(); }
    QStringList myEmails() const { return value(Key::MyEmails).toStringList(); }
    QDateTime pausedUntil() const { return value(Key::PausedUntil).toDateTime(); }
    int retentionDays() const { return value(Key::RetentionDays).toInt(); }
    QDateTime setupCompletedAt() const { return value(Key::SetupCompletedAt).toDateTime(); }
    QString circleCiHost() const { return value(Key::CircleCiHost).toString(); }
    QString publicUrl() const { return value(Key::PublicUrl).toString(); }
    QStringList watchedProjects() const { return value(Key::WatchedProjects).toStringList(); }
    bool isConfigured() const; //!< a source has been chosen (false on first run)
    void sync() { m_settings->sync(); }

Q_SIGNALS:
    void changed(ct::Settings::Key key);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace ct
