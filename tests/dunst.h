// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The headless desktop's notification daemon (dunst, see scripts/headless-desktop), seen from a test.
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

#include <utility>

namespace ct::test {

//! Runs `dunstctl ARGS…`, its output trimmed.
inline QByteArray dunstctl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("dunstctl"), args);
    p.waitForFinished(5000);
    return p.readAllStandardOutput().trimmed();
}

//! Popups on screen now.
inline int displayed()
{
    return dunstctl({QStringLiteral("count"), QStringLiteral("displayed")}).toInt();
}

//! Closed notifications, newest first: summary and body.
inline QList<std::pair<QString, QString>> dunstHistory()
{
    QList<std::pair<QString, QString>> out;
    const QJsonArray all = QJsonDocument::fromJson(dunstctl({QStringLiteral("history")}))
                               .object()[QStringLiteral("data")]
                               .toArray()
                               .at(0)
                               .toArray();
    for (const QJsonValue &n : all)
        out.append({n[QStringLiteral("summary")][QStringLiteral("data")].toString(),
                    n[QStringLiteral("body")][QStringLiteral("data")].toString()});
    return out;
}

} // namespace ct::test
