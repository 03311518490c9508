// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>
#include <QString>

namespace ct {

//! Drawn status icons (readable on light and dark panels: a coloured disc with a dark outline).
class StatusIcons
{
public:
    static QIcon forStatusClass(const QString &statusClass); //!< success, failure, canceled, unknown, "" (running)
    //! worst: "failure", "success" or "" (no data). Disconnected, the last known state stays on the
    //! icon with a "no connection" badge.
    static QIcon tray(bool connected, const QString &worst, bool paused = false);
    static QIcon pausedOver(const QIcon &base); //!< \a base with a "paused" badge
    static QIcon disconnectedWith(const QString &worst);
};

} // namespace ct
