// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// circletray-bench-delivery: what an app waits for, end to end, through a real circletray-relay.
//   1. latency: signed POSTs at a steady rate on one keep-alive connection; for each event, the time
//      from writing the request to a WebSocket client receiving it (p50/p99/max);
//   2. memory: the relay's RSS before and after N idle WebSocket clients connect (per client);
//   3. fan-out: one event at a time to those N clients; each client's receipt time (p50/p99/max).
// The N clients live in client processes (this program re-executed with --worker, 2500 clients
// each by default, --client-processes to choose), each reading its share one frame after another in
// one thread with one epoll instance (Linux): fan-out times include that, an upper bound for what
// the relay itself takes. The relay
// and the clients time-stamp with the same monotonic clock. Run it on the other core than the relay
// (make bench-delivery does: relay on core 0, this and its client processes on core 1).
// --clients 10000 is the size a team relay must carry (issue 13).
// --database postgresql://… keeps the relay's log in PostgreSQL; with --second-relay a second relay
// shares that database and every client (latency, fan-out, memory) is on it while the POSTs go to
// the first: relay A commits, pg_notify wakes relay B's listener, B's tailer reads and sends
// (issue 13's "POST on relay A → WebSocket client on relay B").
#include "benchsupport.h"
#include "core/relaymessage.h"
#include "processstats.h"
#include "relay/filelimit.h"
#include "relayprocess.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;
using namespace ct;

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Stats
{
    double p50 = 0, p99 = 0, max = 0;
    size_t n = 0;
};

Stats stats(std::vector<double> v)
{
    Stats s;
    s.n = v.size();
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    const auto at = [&v](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))]; };
    s.p50 = at(0.50);
    s.p99 = at(0.99);
    s.max = v.back();
    return s;
}

//! The event id ct::test::eventBody() put first in the body.
qint64 benchIndex(const QByteArray &body)
{
    const qsizetype at = body.indexOf("\"id\":\"bench-");
    if (at < 0)
        return -1;
    const qsizetype start = at + 12;
    return body.mid(start, body.indexOf('"', start) - start).toLongLong();
}

//! CPU time (user + system) of process \a pid so far, in milliseconds; -1 when it cannot be read.
double cpuMs(qint64 pid)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const QByteArrayList fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

//! The relay's own view: mean milliseconds from a request's arrival to its event queued for clients.
double relayMeanLatencyMs(quint16 port)
{
    const double sum = bench::relayMetric(port, "circletray_relay_delivery_latency_seconds_sum");
    const double count = bench::relayMetric(port, "circletray_relay_delivery_latency_seconds_count");
    return count > 0 ? sum / count * 1000.0 : -1;
}

void printRow(const char *what, const Stats &s, const char *target)
{
    std::printf("| %s | %zu | %.3f ms | %.3f ms | %.3f ms | %s |\n", what, s.n, s.p50, s.p99, s.max, target);
}

//! A client process as the parent sees it: the lines it prints.
struct Worker
{
    QProcess process;
    int live = -1; //!< -1 until it says how many of its clients went live
    int complete = 0; //!< fan-out events all its clients have
    std::vector<std::pair<int, qint64>> receipts; //!< (fan-out event, steady-clock ns)
    QByteArray buffer;

    void read()
    {
        buffer += process.readAllStandardOutput();
        qsizetype from = 0, nl;
        while ((nl = buffer.indexOf('\n', from)) >= 0) {
            const QByteArrayList f = buffer.mid(from, nl - from).split(' ');
            from = nl + 1;
            if (f.value(0) == "r" && f.size() == 3)
                receipts.emplace_back(f[1].toInt(), f[2].toLongLong());
            else if (f.value(0) == "got" && f.size() == 2)
                complete = std::max(complete, f[1].toInt() + 1);
            else if (f.value(0) == "live" && f.size() == 2)
                live = f[1].toInt();
        }
        buffer.remove(0, from);
    }
};

/*!
 * One client of a worker process: a plain TCP socket that did the WebSocket handshake, then reads
 * the relay's frames itself (unmasked, RFC 6455). Decoding with QWebSocket, one QObject and a
 * QSocketNotifier each, made the client processes the bottleneck of a 10,000-client fan-out:
 * their poll() over 2,500 sockets per wake-up cost more than the relay's sends.
 */
struct RawClient
{
    int fd = -1;
    bool upgraded = false;
    bool live = false;
    QByteArray in;
};

//! Masked frame from a client (zero mask: the bytes stay readable, the relay requires the bit).
QByteArray clientPong(const QByteArray &payload)
{
    QByteArray f;
    f.append(char(0x8A));
    f.append(char(0x80 | payload.size()));
    f.append(QByteArray(4, '\0'));
    f.append(payload);
    return f;
}

/*!
 * --worker: \a clients idle WebSocket clients, from after the latency run's \a events; prints "live N" once they are
 * (or gave up), "got E" when every one of them has fan-out event E, and, when its input closes, one "r E NS" line per
 * receipt (steady clock: CLOCK_MONOTONIC, the same in every process here). One epoll instance, one thread.
 */
int runWorker(quint16 port, const QByteArray &token, int clients, int events, int fanoutEvents)
{
    ct::raiseOpenFileLimit();
    std::vector<std::vector<qint64>> received(size_t(fanoutEvents), std::vector<qint64>(size_t(clients), 0));
    std::vector<int> count(size_t(fanoutEvents), 0);
    std::vector<RawClient> cs(static_cast<size_t>(clients));
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    int live = 0;
    bool inputClosed = false;
    {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.u64 = quint64(clients); // stdin
        ::epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    }
    const QByteArray request = "GET /events?since=" + QByteArray::number(events)
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
        + token + "\r\n\r\n";

    const auto frameDone = [&](int c, quint8 opcode, QByteArrayView payload, qint64 t) {
        if (opcode == 0x9 || opcode == 0x8) { // the relay's keepalive, or its close: answered (masked)
            QByteArray reply =
                clientPong(opcode == 0x8 ? payload.first(std::min<qsizetype>(2, payload.size())).toByteArray()
                                         : payload.toByteArray());
            reply[0] = char(0x80 | opcode);
            (void)::send(cs[size_t(c)].fd, reply.constData(), size_t(reply.size()), MSG_NOSIGNAL);
            return;
        }
        if (opcode != 0x1)
            return;
        if (!cs[size_t(c)].live && payload.size() < 64 && payload.contains("\"type\":\"live\"")) {
            cs[size_t(c)].live = true;
            ++live;
            return;
        }
        const qsizetype at = payload.indexOf("\"type\":\"event\"") >= 0 ? payload.indexOf("bench-") : -1;
        if (at < 0)
            return;
        qint64 index = 0;
        for (qsizetype k = at + 6; k < payload.size() && payload[k] >= '0' && payload[k] <= '9'; ++k)
            index = index * 10 + (payload[k] - '0');
        const qint64 i = index - events;
        if (i < 0 || i >= fanoutEvents || received[size_t(i)][size_t(c)] != 0)
            return;
        received[size_t(i)][size_t(c)] = t;
        if (++count[size_t(i)] == clients) {
            std::printf("got %lld\n", i);
            std::fflush(stdout);
        }
    };

    const auto readClient = [&](int c) {
        RawClient &rc = cs[size_t(c)];
        if (rc.fd < 0)
            return;
        char buf[16384];
        bool gone = false;
        for (;;) {
            const ssize_t n = ::recv(rc.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                gone = true; // closed by the relay: out of the epoll set, or it reports EOF forever
                break;
            }
            if (n < 0)
                break;
            rc.in.append(buf, n);
            if (n < ssize_t(sizeof buf))
                break;
        }
        if (gone) {
            ::epoll_ctl(ep, EPOLL_CTL_DEL, rc.fd, nullptr);
            ::close(rc.fd);
            rc.fd = -1;
            std::fprintf(stderr, "client %d was closed by the relay\n", c);
            return;
        }
        const qint64 t = nowNs();
        if (!rc.upgraded) {
            const qsizetype end = rc.in.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            if (!rc.in.startsWith("HTTP/1.1 101")) {
                std::fprintf(stderr, "client %d refused: %s\n", c, rc.in.left(80).constData());
                rc.in.clear();
                return;
            }
            rc.upgraded = true;
            rc.in.remove(0, end + 4);
        }
        qsizetype pos = 0;
        while (rc.in.size() - pos >= 2) {
            const auto *p = reinterpret_cast<const uchar *>(rc.in.constData()) + pos;
            quint64 len = p[1] & 0x7F;
            qsizetype header = 2;
            if (len == 126) {
                if (rc.in.size() - pos < 4)
                    break;
                len = (quint64(p[2]) << 8) | p[3];
                header = 4;
            } else if (len == 127) {
                if (rc.in.size() - pos < 10)
                    break;
                len = 0;
                for (int k = 0; k < 8; ++k)
                    len = (len << 8) | p[2 + k];
                header = 10;
            }
            if (quint64(rc.in.size() - pos - header) < len)
                break;
            frameDone(c, p[0] & 0x0F, QByteArrayView(rc.in).sliced(pos + header, qsizetype(len)), t);
            pos += header + qsizetype(len);
        }
        rc.in.remove(0, pos);
    };

    epoll_event ready[512];
    const auto pollOnce = [&](int timeoutMs) {
        const int n = ::epoll_wait(ep, ready, 512, timeoutMs);
        if (n <= 0)
            return false;
        for (int k = 0; k < n; ++k) {
            const int c = int(ready[k].data.u64);
            if (c == clients) {
                char b[256];
                if (::read(0, b, sizeof b) <= 0)
                    inputClosed = true;
                continue;
            }
            readClient(c);
        }
        return true;
    };

    QElapsedTimer timer;
    timer.start();
    for (int c = 0; c < clients; ++c) {
        RawClient &rc = cs[size_t(c)];
        rc.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (rc.fd < 0 || ::connect(rc.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            std::fprintf(stderr, "client %d cannot connect: %s\n", c, std::strerror(errno));
            break;
        }
        (void)::send(rc.fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL);
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.u64 = quint64(c);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, rc.fd, &ev);
        if (c % 100 == 99) { // a hundred handshakes at a time
            QElapsedTimer batch;
            batch.start();
            while (live <= c - 50 && batch.elapsed() < 10000)
                pollOnce(100);
        }
    }
    while (live < clients && timer.elapsed() < 60000)
        pollOnce(100);
    std::printf("live %d\n", live);
    std::fflush(stdout);

    // Until the parent closes our input. Once a fan-out has begun, poll without sleeping for a few
    // milliseconds: 10,000 clients on one machine would otherwise make the relay wake a sleeping
    // client process with nearly every send (in a VM, an inter-processor interrupt each), a cost
    // that clients on their own machines never put on a relay.
    QElapsedTimer sinceData;
    sinceData.start();
    while (!inputClosed) {
        const bool spinning = sinceData.elapsed() < 5;
        if (pollOnce(spinning ? 0 : 1000))
            sinceData.restart();
    }
    for (int e = 0; e < fanoutEvents; ++e) {
        for (qint64 t : received[size_t(e)]) {
            if (t > 0)
                std::printf("r %d %lld\n", e, t);
        }
    }
    std::fflush(stdout);
    for (RawClient &rc : cs) {
        if (rc.fd >= 0)
            ::close(rc.fd);
    }
    ::close(ep);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Delivery latency, fan-out and memory per client of circletray-relay."_s);
    parser.addHelpOption();
    parser.addOption({u"events"_s, u"events for the latency run (default 3000)"_s, u"n"_s, u"3000"_s});
    parser.addOption({u"rate"_s, u"events per second in the latency run (default 500)"_s, u"n"_s, u"500"_s});
    parser.addOption({u"clients"_s, u"WebSocket clients for fan-out and memory (default 1000)"_s, u"n"_s, u"1000"_s});
    parser.addOption({u"fanout-events"_s, u"events sent to all clients (default 20)"_s, u"n"_s, u"20"_s});
    parser.addOption(
        {u"client-processes"_s, u"processes the clients are spread over (default: one per 2500)"_s, u"n"_s});
    parser.addOption({u"relay-cpu"_s, u"core to pin the relay to with taskset (default: none)"_s, u"n"_s});
    parser.addOption({u"relay"_s, u"the circletray-relay binary (default: the one built with this)"_s, u"path"_s});
    parser.addOption({u"database"_s, u"the relays' PostgreSQL log, postgresql://… (default: SQLite)"_s, u"url"_s});
    parser.addOption({u"second-relay"_s,
                      u"start a second relay on the same --database: POST to the first, clients on the second"_s});
    // A client process started by this program itself.
    parser.addOption({u"worker"_s, u"(internal) be a client process"_s});
    parser.addOption({u"port"_s, u"(internal) the relay's port"_s, u"n"_s});
    parser.addOption({u"token"_s, u"(internal) the device token"_s, u"token"_s});
    parser.process(app);
    const int events = parser.value(u"events"_s).toInt();
    const int rate = std::max(1, parser.value(u"rate"_s).toInt());
    const int clients = parser.value(u"clients"_s).toInt();
    const int fanoutEvents = parser.value(u"fanout-events"_s).toInt();
    if (parser.isSet(u"worker"_s))
        return runWorker(quint16(parser.value(u"port"_s).toUInt()), parser.value(u"token"_s).toLatin1(), clients,
                         events, fanoutEvents);
    const int processes = std::clamp(parser.isSet(u"client-processes"_s) ? parser.value(u"client-processes"_s).toInt()
                                                                         : (clients + 2499) / 2500,
                                     1, std::max(1, clients));
    ct::raiseOpenFileLimit();

    const QString database = parser.value(u"database"_s);
    const bool twoRelays = parser.isSet(u"second-relay"_s);
    if (twoRelays && database.isEmpty()) {
        std::fprintf(stderr, "--second-relay needs --database: relays share a PostgreSQL log only\n");
        return 2;
    }
    // `ingest` takes the POSTs; `relay` has the clients (the same one unless --second-relay).
    test::RelayProcess ingest;
    std::unique_ptr<test::RelayProcess> second;
    if (twoRelays)
        second = std::make_unique<test::RelayProcess>();
    test::RelayProcess &relay = twoRelays ? *second : ingest;
    QStringList relayArgs;
    if (!database.isEmpty())
        relayArgs << u"--database"_s << database;
    const QByteArray token = database.isEmpty()
        ? ingest.addToken(u"bench"_s)
        : test::RelayProcess::tokenCommand(ingest.dataDir(), QStringList {u"add"_s, u"bench"_s} + relayArgs);
    // Every client here is one token from one address (127.0.0.1): lift the caps meant for the
    // internet (16 sessions per token, 256 sockets per address), and make room for the poster and
    // /metrics beside the clients (10,000 sockets by default).
    relayArgs << u"--durability"_s << u"normal"_s << u"--max-sessions-per-token"_s << u"100000"_s
              << u"--max-connections-per-address"_s << u"0"_s << u"--max-connections"_s
              << QString::number(std::max(10000, clients + 64));
    for (test::RelayProcess *r : {&ingest, second.get()}) {
        if (!r)
            continue;
        if (parser.isSet(u"relay"_s))
            r->setProgram(parser.value(u"relay"_s));
        if (token.isEmpty() || !r->start(relayArgs)) {
            std::fprintf(stderr, "relay did not start: %s\n", r->errors().constData());
            return 1;
        }
        if (parser.isSet(u"relay-cpu"_s)) {
            QProcess::execute(u"taskset"_s,
                              {u"-a"_s, u"-p"_s, u"-c"_s, parser.value(u"relay-cpu"_s), QString::number(r->pid())});
        }
    }

    // Pre-signed requests: signing is not part of what is measured.
    const int total = events + fanoutEvents + 50;
    std::vector<QByteArray> requests;
    requests.reserve(size_t(total));
    for (int i = 0; i < total; ++i)
        requests.push_back(test::signedPost(test::eventBody(u"bench-%1"_s.arg(i))));

    QTcpSocket poster;
    poster.connectToHost(QHostAddress::LocalHost, ingest.port());
    if (!poster.waitForConnected(5000)) {
        std::fprintf(stderr, "cannot connect to the relay\n");
        return 1;
    }
    poster.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    int answered = 0, non200 = 0;
    // One keep-alive connection, answered in order: the i-th answer is the i-th request's.
    std::vector<qint64> sentNs(size_t(total), 0);
    std::vector<double> stored; // POST -> 200 of the latency run: the commit the client then waits for
    std::vector<qint64> answeredNs(size_t(total), 0);
    std::vector<qint64> receivedNs(size_t(total), 0);
    QByteArray responses;
    QObject::connect(&poster, &QTcpSocket::readyRead, [&] {
        responses += poster.readAll();
        // Answers are small and never chunked: count status lines, drop what is complete.
        qsizetype at;
        while ((at = responses.indexOf("HTTP/1.1 ")) >= 0 && responses.indexOf("\r\n\r\n", at) >= 0) {
            const qsizetype end = responses.indexOf("\r\n\r\n", at);
            const qsizetype lengthAt = responses.indexOf("Content-Length: ", at);
            qsizetype bodyLength = 0;
            if (lengthAt >= 0 && lengthAt < end)
                bodyLength =
                    responses.mid(lengthAt + 16, responses.indexOf("\r\n", lengthAt) - lengthAt - 16).toLongLong();
            if (responses.size() < end + 4 + bodyLength)
                break;
            if (responses.mid(at + 9, 3) != "200")
                ++non200;
            if (answered < events && sentNs[size_t(answered)] > 0) {
                answeredNs[size_t(answered)] = nowNs();
                stored.push_back(double(answeredNs[size_t(answered)] - sentNs[size_t(answered)]) / 1e6);
            }
            ++answered;
            responses.remove(0, end + 4 + bodyLength);
        }
    });

    // 1. Latency through one live client.
    std::vector<double> latency;
    {
        test::RelayClient client;
        if (!client.open(relay.port(), token) || client.waitFor(u"live"_s) < 0) {
            std::fprintf(stderr, "WebSocket client did not go live\n");
            return 1;
        }
        QObject::connect(&client.socket(), &QWebSocket::textMessageReceived, [&](const QString &m) {
            const qint64 t = nowNs();
            const RelayMessage msg = decodeRelayMessage(m.toUtf8());
            const qint64 i = msg.type == RelayMessage::Type::Event ? benchIndex(msg.body) : -1;
            if (i >= 0 && i < events && sentNs[size_t(i)] > 0) {
                latency.push_back(double(t - sentNs[size_t(i)]) / 1e6);
                receivedNs[size_t(i)] = t;
            }
        });
        QTimer pacer;
        pacer.setTimerType(Qt::PreciseTimer);
        int next = 0;
        const qint64 periodNs = 1'000'000'000LL / rate;
        const qint64 start = nowNs();
        QObject::connect(&pacer, &QTimer::timeout, [&] {
            // Catch up on the schedule rather than drift: a steady rate on average.
            while (next < events && nowNs() - start >= next * periodNs) {
                sentNs[size_t(next)] = nowNs();
                poster.write(requests[size_t(next)]);
                poster.flush();
                ++next;
            }
            if (next >= events)
                pacer.stop();
        });
        pacer.start(std::max<qint64>(1, periodNs / 1'000'000));
        (void)bench::waitUntil([&] { return int(latency.size()) >= events; }, 60000 + events * 1000 / rate);
        client.socket().close();
    }
    const double relayInternalMs = relayMeanLatencyMs(ingest.port());

    // 2. Memory per idle client: the clients live in worker processes (this program again, with
    // --worker), a share each, so that one process does not have to hold and read 10,000 sockets.
    bench::sleepMs(500);
    const qint64 rssBefore = test::rssKiB(relay.pid());
    std::vector<std::unique_ptr<Worker>> workers;
    QElapsedTimer connectTimer;
    connectTimer.start();
    for (int w = 0; w < processes; ++w) {
        const int share = clients / processes + (w < clients % processes ? 1 : 0);
        auto worker = std::make_unique<Worker>();
        worker->process.setProgram(QCoreApplication::applicationFilePath());
        worker->process.setArguments({u"--worker"_s, u"--port"_s, QString::number(relay.port()), u"--token"_s,
                                      QString::fromLatin1(token), u"--clients"_s, QString::number(share), u"--events"_s,
                                      QString::number(events), u"--fanout-events"_s, QString::number(fanoutEvents)});
        worker->process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        Worker *raw = worker.get();
        QObject::connect(&raw->process, &QProcess::readyReadStandardOutput, [raw] { raw->read(); });
        QObject::connect(&raw->process, &QProcess::finished, [raw] {
            raw->read();
            raw->live = std::max(raw->live, 0); // gone without a word: none of its clients count
        });
        worker->process.start();
        workers.push_back(std::move(worker));
    }
    const auto liveTotal = [&] {
        int n = 0;
        for (const auto &w : workers)
            n += w->live;
        return n;
    };
    const auto allReported = [&] {
        return std::all_of(workers.cbegin(), workers.cend(), [](const auto &w) { return w->live >= 0; });
    };
    (void)bench::waitUntil(allReported, 120000 + clients * 20);
    const int live = liveTotal();
    const bool allLive = live >= clients;
    const double connectS = double(connectTimer.elapsed()) / 1000.0;
    bench::sleepMs(2000); // idle: pings and buffers settle
    const qint64 rssAfter = test::rssKiB(relay.pid());

    // 3. Fan-out of one event at a time; each worker says when all its clients have it.
    const double cpuBefore = cpuMs(relay.pid());
    for (int e = 0; e < fanoutEvents && allLive; ++e) {
        const size_t i = size_t(events + e);
        sentNs[i] = nowNs();
        poster.write(requests[i]);
        poster.flush();
        (void)bench::waitUntil(
            [&] {
                return std::all_of(workers.cbegin(), workers.cend(), [e](const auto &w) { return w->complete > e; });
            },
            10000);
        bench::sleepMs(200);
    }
    const double relayCpuPerEvent = (cpuMs(relay.pid()) - cpuBefore) / std::max(1, fanoutEvents);
    (void)bench::waitUntil([&] { return answered >= events + fanoutEvents; }, 10000);
    // Closing their input tells the workers to report every receipt time and exit.
    std::vector<double> fanout;
    std::vector<double> lastClient;
    std::vector<qint64> last(size_t(fanoutEvents), 0);
    for (auto &w : workers)
        w->process.closeWriteChannel();
    for (auto &w : workers) {
        if (!w->process.waitForFinished(30000))
            w->process.kill();
        w->read();
        for (const auto &[e, t] : w->receipts) {
            if (e < 0 || e >= fanoutEvents)
                continue;
            fanout.push_back(double(t - sentNs[size_t(events + e)]) / 1e6);
            last[size_t(e)] = std::max(last[size_t(e)], t);
        }
    }
    for (int e = 0; e < fanoutEvents; ++e) {
        if (last[size_t(e)] > 0)
            lastClient.push_back(double(last[size_t(e)] - sentNs[size_t(events + e)]) / 1e6);
    }

    std::printf("| measure | n | p50 | p99 | max | target |\n|---|---|---|---|---|---|\n");
    printRow(twoRelays ? "POST on relay A -> WebSocket client on relay B, latency run"
                       : "POST -> WebSocket client, latency run",
             stats(latency), twoRelays ? "-" : "p50 <= 0.3 ms, p99 <= 2 ms");
    printRow("POST -> 200 (stored), latency run", stats(stored), "-");
    // What the client waits for beyond the commit (with two relays: pg_notify, B's listener, B's
    // read and send), per event and so without the commit's own noise; below 0 when the client
    // had it before the poster had its 200.
    std::vector<double> afterCommit;
    for (int i = 0; i < events; ++i) {
        if (answeredNs[size_t(i)] > 0 && receivedNs[size_t(i)] > 0)
            afterCommit.push_back(double(receivedNs[size_t(i)] - answeredNs[size_t(i)]) / 1e6);
    }
    printRow("200 -> WebSocket client, per event of the latency run", stats(afterCommit), "-");
    printRow("POST -> each of the clients, fan-out", stats(fanout),
             clients >= 10000 ? "p99 <= 150 ms (10,000 clients)" : "p99 <= 50 ms (1,000 clients)");
    printRow("POST -> last of the clients, per event", stats(lastClient), "-");
    std::printf("\nlog: %s\n",
                database.isEmpty() ? "SQLite"
                    : twoRelays    ? "PostgreSQL, two relays (POST to A, clients on B)"
                                   : "PostgreSQL, one relay");
    if (twoRelays) {
        // Relay A queues nothing for clients (they are on B), so its own arrival-to-queued has no samples.
        std::printf("latency run: %d events at %d/s; %d answered, %d not 200\n", events, rate, answered, non200);
    } else {
        std::printf("latency run: %d events at %d/s; %d answered, %d not 200; inside the relay (arrival to frame "
                    "queued, from its /metrics): mean %.3f ms\n",
                    events, rate, answered, non200, relayInternalMs);
    }
    std::printf("fan-out: %d of %d clients live in %d client processes (connected in %.1f s); %d events\n", live,
                clients, processes, connectS, fanoutEvents);
    std::printf("relay CPU per fan-out event (user + system, with the 200 ms pause after each): %.1f ms\n",
                relayCpuPerEvent);
    std::printf("relay RSS: %lld KiB before the clients, %lld KiB with %d idle clients: %.1f KiB per client\n",
                rssBefore, rssAfter, clients, clients > 0 ? double(rssAfter - rssBefore) / clients : 0.0);
    const bool complete =
        int(latency.size()) >= events && allLive && int(fanout.size()) == clients * fanoutEvents && non200 == 0;
    if (!complete)
        std::fprintf(stderr, "incomplete run: %zu of %d latency samples, %zu of %d fan-out receipts\n", latency.size(),
                     events, fanout.size(), clients * fanoutEvents);
    relay.terminate();
    ingest.terminate();
    return complete ? 0 : 1;
}
