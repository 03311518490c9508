// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/applogging.h"

Q_LOGGING_CATEGORY(lcApp, "circletray.app.main", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAppStore, "circletray.app.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAppSource, "circletray.app.source", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAppNotify, "circletray.app.notify", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAppAccount, "circletray.app.account", QtInfoMsg)
