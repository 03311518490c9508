// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace ct {

//! "Start at login": an XDG autostart entry (~/.config/autostart/circletray.desktop), written or removed.
class Autostart
{
public:
    static QString entryPath();
    static bool isEnabled();
    //! \a executable: what the entry runs (default: this program's path).
    static bool setEnabled(bool enabled, const QString &executable = {});
};

} // namespace ct
