// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRelay)
Q_DECLARE_LOGGING_CATEGORY(lcRelayStore)
Q_DECLARE_LOGGING_CATEGORY(lcRelayIngest)
Q_DECLARE_LOGGING_CATEGORY(lcRelayDelivery)
Q_DECLARE_LOGGING_CATEGORY(lcRelayDashboard)
