// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QUrl>

namespace ct {

//! Whether \a url may be opened as a workflow: https:// on app.circleci.com, default port, no user
//! name or password. Everything else (http:, javascript:, file:, another host, a look-alike such
//! as https://app.circleci.com@evil.example/ or https://evil.example/app.circleci.com) is not.
//! With a CircleCI server configured (setCircleCiServer()), its web app `app.<host>` is allowed too.
bool isCircleCiWorkflowUrl(const QUrl &url);
//! The CircleCI API host in effect (Settings → CircleCI account): a server's `https://<host>` adds
//! `app.<host>` to the pages that may be opened; circleci.com (or empty) adds nothing.
void setCircleCiServer(const QUrl &apiHost);

//! Opens \a url in the browser if isCircleCiWorkflowUrl(); else refuses and logs it (quoted). An
//! empty URL (a popup without a workflow) is ignored without a word. Returns whether it opened.
bool openWorkflowUrl(const QUrl &url);

} // namespace ct
