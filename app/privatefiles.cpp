// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/privatefiles.h"

#include "app/applogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    constexpr QFileDevice::Permissions ownerFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    constexpr QFileDevice::Permissions ownerFolder = ownerFile | QFileDevice::ExeOwner;
    constexpr QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

    //! "0644" for a log line.
    QString octal(QFileDevice::Permissions p)
    {
        const auto digit = [p](QFileDevice::Permission r, QFileDevice::Permission w, QFileDevice::Permission x) {
            return QString::number((p.testFlag(r) ? 4 : 0) + (p.testFlag(w) ? 2 : 0) + (p.testFlag(x) ? 1 : 0));
        };
        return u'0' + digit(QFileDevice::ReadOwner, QFileDevice::WriteOwner, QFileDevice::ExeOwner)
            + digit(QFileDevice::ReadGroup, QFileDevice::WriteGroup, QFileDevice::ExeGroup)
            + digit(QFileDevice::ReadOther, QFileDevice::WriteOther, QFileDevice::ExeOther);
    }

    //! Takes every group and other bit off \a path, leaving \a owner.
    bool tighten(const QString &path, QFileDevice::Permissions owner)
    {
        const QFileDevice::Permissions current = QFileInfo(path).permissions();
        if (!(current & others))
            return true;
        if (!QFile::setPermissions(path, owner)) {
            qCWarning(lcApp).noquote() << u"%1 can be read by other users (%2) and could not be made owner-only"_s.arg(
                path, octal(current));
            return false;
        }
        qCWarning(lcApp).noquote() << u"%1 could be read by other users (%2): made it owner-only (%3)"_s.arg(
            path, octal(current), octal(owner));
        return true;
    }

} // namespace

bool makePrivateFolder(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        // mkdir() gets 0700 (the umask can only take bits away): nobody else can ever get in.
        if (!QDir().mkpath(info.absolutePath()) || !(QDir().mkdir(path, ownerFolder) || QFileInfo(path).isDir())) {
            qCWarning(lcApp).noquote() << "cannot create the folder" << path;
            return false;
        }
        return true;
    }
    return tighten(path, ownerFolder);
}

bool makePrivateFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.exists()) {
        // NewOnly: created here, with 0600 from the start; if another process won the race, it is
        // an existing file and gets tightened below like any other.
        if (file.open(QIODevice::WriteOnly | QIODevice::NewOnly, ownerFile)) {
            file.close();
            return true;
        }
        if (!file.exists()) {
            *error = u"cannot create %1: %2"_s.arg(path, file.errorString());
            return false;
        }
    }
    if (!tighten(path, ownerFile)) {
        *error = u"%1 can be read by other users and its permissions cannot be changed"_s.arg(path);
        return false;
    }
    return true;
}

bool tightenPrivateFile(const QString &path)
{
    return !QFileInfo::exists(path) || tighten(path, ownerFile);
}

} // namespace ct
