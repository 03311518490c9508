// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QJsonObject>

namespace ct {

/*!
 * \brief The normalised form of an event, as `circletray-hook parse` prints it (keys documented in README).
 *
 * For workflow and job events every key is present and what the event lacks is null; a ping has
 * only type, id, happened_at and webhook. Timestamps are UTC ISO 8601 with milliseconds.
 */
QJsonObject eventToJson(const WebhookEvent &event);

} // namespace ct
