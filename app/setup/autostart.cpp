// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace ct {

QString Autostart::entryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/autostart/circletray.desktop"_s;
}

bool Autostart::isEnabled()
{
    return QFile::exists(entryPath());
}

bool Autostart::setEnabled(bool enabled, const QString &executable)
{
    const QString path = entryPath();
    if (!enabled)
        return !QFile::exists(path) || QFile::remove(path);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QString exec = executable.isEmpty() ? QCoreApplication::applicationFilePath() : executable;
    if (exec.contains(u' '))
        exec = u'"' + exec + u'"';
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write("[Desktop Entry]\nType=Application\nName=CircleTray\n"
            "Comment=Know the second a CircleCI build breaks, is fixed or still fails\n"
            "Exec="
            + exec.toUtf8() + "\nIcon=circletray\nTerminal=false\nX-GNOME-Autostart-enabled=true\n");
    return f.flush();
}

} // namespace ct
