// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace ct {

//! A project as `GET /project/{slug}` describes it; `id` is what a webhook's scope needs.
struct CircleCiProject
{
    QString id;
    QString slug; //!< as the API reports it (`gh/acme/api`, `circleci/<org>/<project>`): opaque
    QString name;
    QString organizationName;
    QString organizationSlug;

    static std::optional<CircleCiProject> fromJson(const QJsonObject &o);
};

/*!
 * \brief An outbound webhook as CircleCI answers it. Responses use snake_case (`verify_tls`,
 * `signing_secret` masked as "****", absent or "" when unset), the published reference hyphens:
 * both are read. Requests must use hyphens (toRequest()): snake_case keys are silently ignored.
 */
struct CircleCiWebhook
{
    QString id;
    QString name;
    QString url;
    QStringList events;
    bool verifyTls = false;
    bool hasSecret = false;
    QString scopeId;
    QDateTime createdAt;

    static std::optional<CircleCiWebhook> fromJson(const QJsonObject &o);
    //! The whole desired state (a PUT replaces: a missing `signing-secret` wipes the secret).
    static QJsonObject toRequest(const QString &name, const QString &url, const QByteArray &secret,
                                 const QStringList &events, const QString &projectId = {});
};

} // namespace ct
