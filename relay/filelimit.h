// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

namespace ct {

//! Raises the open-file limit to what the system allows (every client is a socket; the default
//! soft limit of 1024 is too low for a relay). Returns the limit now in force, or -1 if unknown.
long raiseOpenFileLimit();

} // namespace ct
