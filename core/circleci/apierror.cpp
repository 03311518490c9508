// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/apierror.h"

using namespace Qt::StringLiterals;

namespace ct {

QString ApiError::text() const
{
    const QString where = host.isEmpty() ? u"CircleCI"_s : host;
    const QString said = message.trimmed().isEmpty() ? QString() : u" (“%1”)"_s.arg(message.trimmed().left(200));
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::TokenRejected:
        return u"CircleCI token rejected (401): it is wrong, revoked or expired. Create a personal API token in "
               "CircleCI → User Settings → Personal API Tokens."_s;
    case Kind::NotAllowed:
        return u"CircleCI refused this (403)%1: the token must be a personal API token (not a project token) of a "
               "user allowed to do it."_s.arg(said);
    case Kind::NotFound:
        return u"Not found on CircleCI (404)%1: it does not exist, or this token's user cannot see it."_s.arg(said);
    case Kind::WebhookLimit:
        return u"The project already has the most webhooks CircleCI allows (5)%1: remove one in Project Settings → "
               "Webhooks."_s.arg(said);
    case Kind::BadRequest:
        return u"CircleCI refused the request (%1)%2."_s.arg(httpStatus).arg(said);
    case Kind::RateLimited:
        return retryAfterSeconds > 0
            ? u"CircleCI is rate limiting this token (429): try again in %1 s."_s.arg(retryAfterSeconds)
            : u"CircleCI is rate limiting this token (429): try again in a minute."_s;
    case Kind::Server:
        return u"CircleCI had an internal error (%1): try again later."_s.arg(httpStatus);
    case Kind::Network:
        return u"Cannot reach %1: %2. Check the network connection and the CircleCI host."_s.arg(where, message);
    case Kind::Tls:
        return u"The TLS connection to %1 failed: %2."_s.arg(where, message);
    case Kind::Timeout:
        return u"%1 did not answer in time: try again later."_s.arg(where);
    case Kind::BadResponse:
        return u"%1 answered something the CircleCI API does not: %2."_s.arg(where, message);
    case Kind::InsecureHost:
        return u"Refusing to send the token to %1 over plain http: use https://."_s.arg(where);
    }
    return message;
}

} // namespace ct
