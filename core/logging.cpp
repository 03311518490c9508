// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/logging.h"

Q_LOGGING_CATEGORY(lcVerifier, "circletray.core.verifier", QtInfoMsg)
Q_LOGGING_CATEGORY(lcParser, "circletray.core.parser", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "circletray.core.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcReceiver, "circletray.core.receiver", QtInfoMsg)
