// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace ct {

//! `circletray-relay token add NAME | list | revoke NAME`; returns the exit code.
int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &env);

//! A new device token: "ctr_" and 43 characters of base64url (256 random bits).
QByteArray generateToken();

} // namespace ct
