// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/relaylogging.h"

Q_LOGGING_CATEGORY(lcRelay, "circletray.relay.main", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRelayStore, "circletray.relay.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRelayIngest, "circletray.relay.ingest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRelayDelivery, "circletray.relay.delivery", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRelayDashboard, "circletray.relay.dashboard", QtInfoMsg)
