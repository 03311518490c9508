// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QUrl>

namespace ct {

//! Whether \a url may be opened as a workflow: https:// on app.circleci.com, default port, no user
//! name or password. Everything else (http:, javascript:, file:, another host, a look-alike such
//! as https://app.circleci.com@evil.example/ or https://evil.example/app.circleci.com) is not.
//! (The app has no setting for a self-hosted CircleCI server; with one, its host would go here.)
bool isCircleCiWorkflowUrl(const QUrl &url);

//! Opens \a url in the browser if isCircleCiWorkflowUrl(); else refuses and logs it (quoted). An
//! empty URL (a popup without a workflow) is ignored without a word. Returns whether it opened.
bool openWorkflowUrl(const QUrl &url);

} // namespace ct
