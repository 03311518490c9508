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
    static QIcon tray(bool connected, const QString &worst); //!< worst: "failure", "success" or "" (no data)
};

} // namespace ct
