// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/apiobjects.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QJsonValue either(const QJsonObject &o, const QString &snake, const QString &hyphen)
    {
        return o.contains(snake) ? o.value(snake) : o.value(hyphen);
    }

} // namespace

std::optional<CircleCiProject> CircleCiProject::fromJson(const QJsonObject &o)
{
    CircleCiProject p;
    p.id = o.value(u"id"_s).toString();
    p.slug = o.value(u"slug"_s).toString();
    if (p.id.isEmpty() || p.slug.isEmpty())
        return std::nullopt;
    p.name = o.value(u"name"_s).toString();
    p.organizationName = o.value(u"organization_name"_s).toString();
    p.organizationSlug = o.value(u"organization_slug"_s).toString();
    return p;
}

std::optional<CircleCiWebhook> CircleCiWebhook::fromJson(const QJsonObject &o)
{
    CircleCiWebhook w;
    w.id = o.value(u"id"_s).toString();
    if (w.id.isEmpty())
        return std::nullopt;
    w.name = o.value(u"name"_s).toString();
    w.url = o.value(u"url"_s).toString();
    for (const QJsonValue &e : o.value(u"events"_s).toArray())
        w.events.append(e.toString());
    w.verifyTls = either(o, u"verify_tls"_s, u"verify-tls"_s).toBool();
    w.hasSecret = !either(o, u"signing_secret"_s, u"signing-secret"_s).toString().isEmpty();
    w.scopeId = o.value(u"scope"_s).toObject().value(u"id"_s).toString();
    w.createdAt = QDateTime::fromString(either(o, u"created_at"_s, u"created-at"_s).toString(), Qt::ISODateWithMs);
    return w;
}

QJsonObject CircleCiWebhook::toRequest(const QString &name, const QString &url, const QByteArray &secret,
                                       const QStringList &events, const QString &projectId)
{
    QJsonObject o {
        {u"name"_s, name},
        {u"url"_s, url},
        {u"events"_s, QJsonArray::fromStringList(events)},
        {u"verify-tls"_s, true},
        {u"signing-secret"_s, QString::fromUtf8(secret)},
    };
    if (!projectId.isEmpty())
        o.insert(u"scope"_s, QJsonObject {{u"id"_s, projectId}, {u"type"_s, u"project"_s}});
    return o;
}

} // namespace ct
