// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/signalwatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace ct {

namespace {
    int signalPipe[2] = {-1, -1};

    extern "C" void writeSignal(int signo)
    {
        const char c = char(signo);
        [[maybe_unused]] const auto n = ::write(signalPipe[1], &c, 1); // async-signal-safe
    }
} // namespace

struct SignalWatcher::Private
{
    QSocketNotifier *notifier = nullptr;
};

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
    , d(new Private)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    d->notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, this);
    connect(d->notifier, &QSocketNotifier::activated, this, [this] {
        char c = 0;
        if (::read(signalPipe[0], &c, 1) != 1)
            return;
        if (c == SIGHUP)
            Q_EMIT reloadRequested();
        else
            Q_EMIT terminateRequested();
    });
    struct sigaction sa = {};
    sa.sa_handler = writeSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int signo : {SIGTERM, SIGINT, SIGHUP})
        ::sigaction(signo, &sa, nullptr);
}

SignalWatcher::~SignalWatcher()
{
    for (int signo : {SIGTERM, SIGINT, SIGHUP})
        std::signal(signo, SIG_DFL);
    delete d;
}

} // namespace ct
