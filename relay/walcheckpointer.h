// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>

namespace ct {

/*!
 * \brief Checkpoints an SQLite WAL from its own thread and connection.
 *
 * The writer turns SQLite's automatic checkpoints off (they would run inside a commit on the event
 * loop, stalling it for tens of milliseconds); this object, living on a worker thread, runs a
 * PASSIVE checkpoint at most once a second while writes happen, and none while idle.
 */
class WalCheckpointer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WalCheckpointer)

public:
    explicit WalCheckpointer(const QString &path, QObject *parent = nullptr);
    ~WalCheckpointer() override;

    //! From any thread, after a commit: cheap when a checkpoint is already due (no cross-thread
    //! wake-up per commit, which under load cost a context switch per transaction).
    void noteWrite();
    void finish(); //!< a last checkpoint that truncates the WAL; closes the connection

private:
    void checkpoint(const char *mode);
    void schedule();

    QString m_path;
    QString m_connectionName;
    QTimer m_timer;
    std::atomic<bool> m_due {false};
};

} // namespace ct
