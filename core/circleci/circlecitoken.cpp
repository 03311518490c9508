// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/circlecitoken.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    //! A YAML scalar as the circleci CLI writes it: bare, 'single' or "double" quoted.
    QByteArray unquoted(QByteArray value)
    {
        value = value.trimmed();
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
            return value.mid(1, value.size() - 2);
        if (const qsizetype comment = value.indexOf(" #"); comment >= 0)
            value.truncate(comment);
        return value.trimmed();
    }

} // namespace

CircleCiToken CircleCiToken::fromCliConfig(const QString &path)
{
    CircleCiToken out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        if (raw.startsWith(' ') || raw.startsWith('\t'))
            continue; // nested keys (e.g. under "tls:") are not ours
        const QByteArray line = raw.trimmed();
        if (line.startsWith("token:"))
            out.token = unquoted(line.mid(6));
        else if (line.startsWith("host:"))
            out.host = QUrl(QString::fromUtf8(unquoted(line.mid(5))));
    }
    out.origin = QDir::toNativeSeparators(path);
    if (out.token.isEmpty())
        out.host = QUrl();
    return out;
}

CircleCiToken CircleCiToken::find(const QString &tokenFile, QString *error, const QString &cliConfigDir)
{
    CircleCiToken out;
    if (!tokenFile.isEmpty()) {
        QFile f(tokenFile);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = u"cannot read --token-file %1: %2"_s.arg(tokenFile, f.errorString());
            return out;
        }
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.trimmed().isEmpty() && !line.trimmed().startsWith('#')) {
                out.token = line.trimmed();
                break;
            }
        }
        if (out.token.isEmpty())
            *error = u"--token-file %1 holds no token"_s.arg(tokenFile);
        out.origin = u"--token-file "_s + tokenFile;
        return out;
    }
    for (const char *name : {"CIRCLECI_TOKEN", "CIRCLECI_CLI_TOKEN"}) {
        if (const QByteArray value = qgetenv(name).trimmed(); !value.isEmpty()) {
            out.token = value;
            out.origin = QString::fromLatin1(name);
            return out;
        }
    }
    const QString dir = !cliConfigDir.isEmpty() ? cliConfigDir : QDir::home().filePath(u".circleci"_s);
    return fromCliConfig(QDir(dir).filePath(u"cli.yml"_s));
}

} // namespace ct
