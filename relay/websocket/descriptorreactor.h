// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>

class QSocketNotifier;

namespace ct {

/*!
 * \brief Readiness of many socket descriptors through one entry in the event loop.
 *
 * Qt's event dispatcher polls every QSocketNotifier on every loop iteration: with 10,000 idle
 * WebSocket clients that is a 10,000-descriptor poll() for each webhook, ping and timer. On Linux
 * the descriptors go into one epoll instance instead, and only its descriptor is in Qt's poll; other
 * systems get one QSocketNotifier per descriptor, as before.
 *
 * Level-triggered, like QSocketNotifier: a handler that leaves bytes unread is called again.
 */
class DescriptorReactor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DescriptorReactor)

public:
    class Handler
    {
    public:
        virtual void readable() = 0;
        virtual void writable() = 0;

    protected:
        ~Handler() = default;
    };

    explicit DescriptorReactor(QObject *parent = nullptr);
    ~DescriptorReactor() override;

    //! Watches \a fd for reading (always) and writing (when asked) on behalf of \a handler.
    bool add(int fd, Handler *handler);
    void setWriteInterest(int fd, bool on);
    //! Stops watching \a fd; safe from inside a handler, also for other descriptors of the same wake-up.
    void remove(int fd);

private:
    void dispatch();

    struct Entry
    {
        Handler *handler = nullptr;
        bool wantWrite = false;
        QSocketNotifier *read = nullptr; //!< without epoll only
        QSocketNotifier *write = nullptr;
    };
    int m_epoll = -1;
    QSocketNotifier *m_notifier = nullptr;
    QHash<int, Entry> m_entries;
    QSet<int> m_removedThisRound; //!< descriptors removed during dispatch(): their pending events are stale
    bool m_dispatching = false;
};

} // namespace ct
