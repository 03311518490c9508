// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/websocket/descriptorreactor.h"

#include "relay/relaylogging.h"

#include <QSocketNotifier>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <unistd.h>
#endif

namespace ct {

namespace {

    constexpr int kEventsPerWait = 256;
    constexpr int kRoundsPerWake = 8; // then back to the event loop, which wakes us again (level-triggered)

} // namespace

DescriptorReactor::DescriptorReactor(QObject *parent)
    : QObject(parent)
{
#ifdef Q_OS_LINUX
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        qCWarning(lcRelayDelivery) << "epoll_create1 failed:" << std::strerror(errno)
                                   << "- watching each socket on its own";
        return;
    }
    m_notifier = new QSocketNotifier(qintptr(m_epoll), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &DescriptorReactor::dispatch);
#endif
}

DescriptorReactor::~DescriptorReactor()
{
#ifdef Q_OS_LINUX
    delete m_notifier; // before the descriptor it watches
    m_notifier = nullptr;
    if (m_epoll >= 0)
        ::close(m_epoll);
#endif
}

bool DescriptorReactor::add(int fd, Handler *handler)
{
    Entry &e = m_entries[fd];
    e.handler = handler;
    e.wantWrite = false;
    m_removedThisRound.remove(fd); // a descriptor number reused within one round
#ifdef Q_OS_LINUX
    if (m_epoll >= 0) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) == 0)
            return true;
        qCWarning(lcRelayDelivery) << "epoll_ctl(ADD) failed:" << std::strerror(errno);
        m_entries.remove(fd);
        return false;
    }
#endif
    e.read = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(e.read, &QSocketNotifier::activated, this, [handler] { handler->readable(); });
    return true;
}

void DescriptorReactor::setWriteInterest(int fd, bool on)
{
    const auto it = m_entries.find(fd);
    if (it == m_entries.end() || it->wantWrite == on)
        return;
    it->wantWrite = on;
#ifdef Q_OS_LINUX
    if (m_epoll >= 0) {
        epoll_event ev {};
        ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
        ev.data.fd = fd;
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        return;
    }
#endif
    if (!it->write) {
        Handler *handler = it->handler;
        it->write = new QSocketNotifier(qintptr(fd), QSocketNotifier::Write, this);
        connect(it->write, &QSocketNotifier::activated, this, [handler] { handler->writable(); });
    }
    it->write->setEnabled(on);
}

void DescriptorReactor::remove(int fd)
{
    const auto it = m_entries.find(fd);
    if (it == m_entries.end())
        return;
#ifdef Q_OS_LINUX
    if (m_epoll >= 0)
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
#endif
    // Later: this may run inside one of their activated() signals.
    for (QSocketNotifier *n : {it->read, it->write}) {
        if (n) {
            n->setEnabled(false);
            n->deleteLater();
        }
    }
    m_entries.erase(it);
    if (m_dispatching)
        m_removedThisRound.insert(fd);
}

void DescriptorReactor::dispatch()
{
#ifdef Q_OS_LINUX
    epoll_event events[kEventsPerWait];
    for (int round = 0; round < kRoundsPerWake; ++round) {
        const int n = ::epoll_wait(m_epoll, events, kEventsPerWait, 0);
        if (n <= 0)
            return;
        m_dispatching = true;
        m_removedThisRound.clear();
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            const auto ready = events[i].events;
            if (ready & (EPOLLOUT)) {
                if (m_removedThisRound.contains(fd))
                    continue;
                if (const auto it = m_entries.constFind(fd); it != m_entries.cend())
                    it->handler->writable();
            }
            // Errors and hang-ups are read as such (recv() tells which).
            if (ready & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
                if (m_removedThisRound.contains(fd))
                    continue;
                if (const auto it = m_entries.constFind(fd); it != m_entries.cend())
                    it->handler->readable();
            }
        }
        m_dispatching = false;
        m_removedThisRound.clear();
        if (n < kEventsPerWait)
            return;
    }
#endif
}

} // namespace ct
