// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

namespace ct {

/*!
 * \brief Prints one line to stdout when the tray icon is first painted (for benchmarks).
 *
 * Installed only when CIRCLETRAY_STARTUP_PROBE is set: watches paint events application-wide until
 * the first one of Qt's tray icon widget (XEmbed), writes "tray-painted" and removes itself. The
 * benchmark measures from starting the process to that line, as the desktop-testing baseline of
 * a minimal Qt tray app does.
 */
class StartupProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartupProbe)

public:
    static void installIfRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    using QObject::QObject;
};

} // namespace ct
