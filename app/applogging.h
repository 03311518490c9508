// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcAppStore)
Q_DECLARE_LOGGING_CATEGORY(lcAppSource)
Q_DECLARE_LOGGING_CATEGORY(lcAppNotify)
Q_DECLARE_LOGGING_CATEGORY(lcAppAccount)
