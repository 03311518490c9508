// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace ct {

/*!
 * \brief What went wrong with a CircleCI API call, as a value: a kind the code can act on, and
 * words a user can act on (text()). Never holds the token.
 */
struct ApiError
{
    enum class Kind {
        None,
        TokenRejected, //!< 401: wrong, revoked or expired token (or none)
        NotAllowed, //!< 403: a project token, or the user lacks the permission
        NotFound, //!< 404: unknown, or not visible to the token's user
        WebhookLimit, //!< the project has CircleCI's maximum number of webhooks
        BadRequest, //!< another 4xx: the server's message says what
        RateLimited, //!< 429, still after the retries the budget allowed
        Server, //!< 5xx
        Network, //!< no connection: DNS, refused, unreachable, offline
        Tls, //!< the certificate is not trusted, or the TLS handshake failed
        Timeout,
        BadResponse, //!< an answer that is not what the API documents
        InsecureHost, //!< a plain-http host that is not this computer: the token would travel in clear
    };

    Kind kind = Kind::None;
    int httpStatus = 0;
    QString message; //!< the server's {"message"} or the network's reason, for text()
    int retryAfterSeconds = -1; //!< RateLimited: when CircleCI said to try again, if it did
    QString host; //!< which CircleCI (circleci.com, or a server's host), for text()

    bool ok() const { return kind == Kind::None; }
    explicit operator bool() const { return !ok(); } //!< true when there is an error
    //! One sentence for a user: what happened and what to do about it.
    QString text() const;
};

} // namespace ct
