// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/filelimit.h"

namespace ct {

long raiseOpenFileLimit()
{
    return -1;
}

} // namespace ct
