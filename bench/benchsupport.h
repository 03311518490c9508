// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// What the end-to-end benchmarks share: waiting in the event loop without QTest's 10 ms naps, and
// reading the relay's /metrics.
#pragma once

#include "httptestclient.h"

#include <QEventLoop>
#include <QTimer>

namespace ct::bench {

//! Runs the event loop until \a done or \a timeoutMs. Unlike QTest::qWaitFor, which sleeps 10 ms
//! between rounds of events (and so put a 10 ms floor under every receipt time measured here), the
//! loop blocks in poll(): a frame is handled, and time-stamped, when it arrives.
template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs)
{
    QEventLoop loop;
    QTimer check;
    check.setTimerType(Qt::PreciseTimer);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    check.start(1);
    if (!done())
        loop.exec();
    return done();
}

inline void sleepMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

//! The value of metric \a name in the relay's /metrics (NaN when it could not be read).
inline double relayMetric(quint16 port, const QByteArray &name)
{
    test::HttpTestClient c;
    if (!c.connectTo(port))
        return qQNaN();
    c.send("GET /metrics HTTP/1.1\r\nHost: relay\r\n\r\n");
    const auto r = c.read(5000);
    for (const QByteArray &line : r ? r->body.split('\n') : QByteArrayList {}) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toDouble();
    }
    return qQNaN();
}

} // namespace ct::bench
