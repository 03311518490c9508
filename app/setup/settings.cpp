// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/settings.h"

#include <QMetaEnum>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    struct Entry
    {
        Settings::Key key;
        const char *name;
        QVariant defaultValue;
    };

    const Entry &entry(Settings::Key key)
    {
        // clang-format off
    static const Entry table[] = {
        { Settings::Key::Source,            "source/kind",            u"direct"_s },
        { Settings::Key::DirectPort,        "source/direct_port",     8787 },
        { Settings::Key::RelayUrl,          "source/relay_url",       QString() },
        { Settings::Key::NotifyKinds,       "notify/kinds",           QStringList { u"broken"_s, u"fixed"_s, u"still-failing"_s } },
        { Settings::Key::NotifyJobFailures, "notify/job_failures",    false },
        { Settings::Key::IncludeProjects,   "filter/include_projects", QStringList() },
        { Settings::Key::ExcludeProjects,   "filter/exclude_projects", QStringList() },
        { Settings::Key::BranchPatterns,    "filter/branches",        QStringList() },
        { Settings::Key::OnlyMyCommits,     "filter/only_mine",       false },
        { Settings::Key::MyEmails,          "filter/my_emails",       QStringList() },
        { Settings::Key::PausedUntil,       "notify/paused_until",    QDateTime() },
        { Settings::Key::RetentionDays,     "history/retention_days", 90 },
        { Settings::Key::HistoryGeometry,   "window/history_geometry", QByteArray() },
        { Settings::Key::HistoryColumns,    "window/history_columns", QByteArray() },
        { Settings::Key::SetupCompletedAt,  "source/setup_completed_at", QDateTime() },
        { Settings::Key::CircleCiHost,      "circleci/host",          u"https://circleci.com"_s },
        { Settings::Key::PublicUrl,         "source/public_url",      QString() },
        { Settings::Key::WatchedProjects,   "circleci/watched_projects", QStringList() },
        { Settings::Key::NgrokApi,          "circleci/ngrok_api",     u"http://127.0.0.1:4040/api/tunnels"_s },
    };
        // clang-format on
        for (const Entry &e : table) {
            if (e.key == key)
                return e;
        }
        Q_UNREACHABLE();
    }

} // namespace

Settings::Settings(const QString &fileName, QObject *parent)
    : QObject(parent)
    , m_settings(fileName.isEmpty() ? std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope,
                                                                  u"CircleTray"_s, u"circletray"_s)
                                    : std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{ }

QVariant Settings::value(Key key) const
{
    const Entry &e = entry(key);
    const QVariant v = m_settings->value(QString::fromLatin1(e.name), e.defaultValue);
    // INI keeps a one-element list as a plain string: give list keys back as lists.
    if (e.defaultValue.typeId() == QMetaType::QStringList && v.typeId() == QMetaType::QString)
        return v.toString().isEmpty() ? QStringList() : QStringList {v.toString()};
    return v;
}

void Settings::setValue(Key key, const QVariant &value)
{
    const Entry &e = entry(key);
    const QString name = QString::fromLatin1(e.name);
    const QVariant before = this->value(key);
    if (m_settings->contains(name) && before == value)
        return;
    m_settings->setValue(name, value); // written even when it equals the default: the choice was made
    if (before != value)
        Q_EMIT changed(key);
}

bool Settings::isConfigured() const
{
    return m_settings->contains(QString::fromLatin1(entry(Key::Source).name));
}

} // namespace ct
