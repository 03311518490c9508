// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// circletray-bench-delivery: what an app waits for, end to end, through a real circletray-relay.
//   1. latency: signed POSTs at a steady rate on one keep-alive connection; for each event, the time
//      from writing the request to a WebSocket client receiving it (p50/p99/max);
//   2. memory: the relay's RSS before and after N idle WebSocket clients connect (per client);
//   3. fan-out: one event at a time to those N clients; each client's receipt time (p50/p99/max).
// Every client lives in this one thread, so fan-out times include this process reading N frames one
// after another: an upper bound for what the relay itself takes. Run it on the other core than the
// relay (make bench-delivery does: relay on core 0, this on core 1).
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
#include <chrono>
#include <cstdio>
#include <memory>
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
    parser.addOption({u"relay-cpu"_s, u"core to pin the relay to with taskset (default: none)"_s, u"n"_s});
    parser.process(app);
    const int events = parser.value(u"events"_s).toInt();
    const int rate = std::max(1, parser.value(u"rate"_s).toInt());
    const int clients = parser.value(u"clients"_s).toInt();
    const int fanoutEvents = parser.value(u"fanout-events"_s).toInt();
    ct::raiseOpenFileLimit();

    test::RelayProcess relay;
    const QByteArray token = relay.addToken(u"bench"_s);
    // Every client here is one token from one address (127.0.0.1): lift the caps meant for the
    // internet (16 sessions per token, 256 sockets per address) so the fan-out can reach 1000.
    if (token.isEmpty()
        || !relay.start({u"--durability"_s, u"normal"_s, u"--max-sessions-per-token"_s, u"100000"_s,
                         u"--max-connections-per-address"_s, u"0"_s})) {
        std::fprintf(stderr, "relay did not start: %s\n", relay.errors().constData());
        return 1;
    }
    if (parser.isSet(u"relay-cpu"_s)) {
        QProcess::execute(u"taskset"_s,
                          {u"-a"_s, u"-p"_s, u"-c"_s, parser.value(u"relay-cpu"_s), QString::number(relay.pid())});
    }

    // Pre-signed requests: signing is not part of what is measured.
    const int total = events + fanoutEvents + 50;
    std::vector<QByteArray> requests;
    requests.reserve(size_t(total));
    for (int i = 0; i < total; ++i)
        requests.push_back(test::signedPost(test::eventBody(u"bench-%1"_s.arg(i))));

    QTcpSocket poster;
    poster.connectToHost(QHostAddress::LocalHost, relay.port());
    if (!poster.waitForConnected(5000)) {
        std::fprintf(stderr, "cannot connect to the relay\n");
        return 1;
    }
    poster.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    int answered = 0, non200 = 0;
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
            ++answered;
            responses.remove(0, end + 4 + bodyLength);
        }
    });

    std::vector<qint64> sentNs(size_t(total), 0);

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
            if (i >= 0 && i < events && sentNs[size_t(i)] > 0)
                latency.push_back(double(t - sentNs[size_t(i)]) / 1e6);
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
    const double relayInternalMs = relayMeanLatencyMs(relay.port());

    // 2. Memory per idle client.
    bench::sleepMs(500);
    const qint64 rssBefore = test::rssKiB(relay.pid());
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    std::vector<std::vector<qint64>> received(size_t(fanoutEvents), std::vector<qint64>(size_t(clients), 0));
    int live = 0;
    QElapsedTimer connectTimer;
    connectTimer.start();
    for (int c = 0; c < clients; ++c) {
        auto socket = std::make_unique<QWebSocket>();
        QObject::connect(socket.get(), &QWebSocket::textMessageReceived, [&, c](const QString &m) {
            const qint64 t = nowNs();
            if (m.contains(u"\"type\":\"live\""_s)) {
                ++live;
                return;
            }
            const RelayMessage msg = decodeRelayMessage(m.toUtf8());
            const qint64 i = msg.type == RelayMessage::Type::Event ? benchIndex(msg.body) - events : -1;
            if (i >= 0 && i < fanoutEvents)
                received[size_t(i)][size_t(c)] = t;
        });
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/events?since=%2"_s.arg(relay.port()).arg(events)));
        request.setRawHeader("Authorization", "Bearer " + token);
        socket->open(request);
        sockets.push_back(std::move(socket));
        if (c % 100 == 99) // a hundred handshakes at a time
            (void)bench::waitUntil([&] { return live > c - 50; }, 10000);
    }
    const bool allLive = bench::waitUntil([&] { return live >= clients; }, 60000);
    const double connectS = double(connectTimer.elapsed()) / 1000.0;
    bench::sleepMs(2000); // idle: pings and buffers settle
    const qint64 rssAfter = test::rssKiB(relay.pid());

    // 3. Fan-out of one event at a time.
    std::vector<double> fanout;
    std::vector<double> lastClient;
    for (int e = 0; e < fanoutEvents && allLive; ++e) {
        const size_t i = size_t(events + e);
        sentNs[i] = nowNs();
        poster.write(requests[i]);
        poster.flush();
        (void)bench::waitUntil(
            [&] {
                return std::all_of(received[size_t(e)].cbegin(), received[size_t(e)].cend(),
                                   [](qint64 t) { return t > 0; });
            },
            10000);
        qint64 last = 0;
        for (qint64 t : received[size_t(e)]) {
            if (t > 0) {
                fanout.push_back(double(t - sentNs[i]) / 1e6);
                last = std::max(last, t);
            }
        }
        if (last > 0)
            lastClient.push_back(double(last - sentNs[i]) / 1e6);
        bench::sleepMs(200);
    }
    (void)bench::waitUntil([&] { return answered >= events + fanoutEvents; }, 10000);

    std::printf("| measure | n | p50 | p99 | max | target |\n|---|---|---|---|---|---|\n");
    printRow("POST -> WebSocket client, latency run", stats(latency), "p50 <= 0.3 ms, p99 <= 2 ms");
    printRow("POST -> each of the clients, fan-out", stats(fanout), "p99 <= 50 ms");
    printRow("POST -> last of the clients, per event", stats(lastClient), "-");
    std::printf("\nlatency run: %d events at %d/s; %d answered, %d not 200; inside the relay (arrival to frame "
                "queued, from its /metrics): mean %.3f ms\n",
                events, rate, answered, non200, relayInternalMs);
    std::printf("fan-out: %d of %d clients live (connected in %.1f s); %d events\n", live, clients, connectS,
                fanoutEvents);
    std::printf("relay RSS: %lld KiB before the clients, %lld KiB with %d idle clients: %.1f KiB per client\n",
                rssBefore, rssAfter, clients, clients > 0 ? double(rssAfter - rssBefore) / clients : 0.0);
    const bool complete =
        int(latency.size()) >= events && allLive && int(fanout.size()) == clients * fanoutEvents && non200 == 0;
    if (!complete)
        std::fprintf(stderr, "incomplete run: %zu of %d latency samples, %zu of %d fan-out receipts\n", latency.size(),
                     events, fanout.size(), clients * fanoutEvents);
    for (auto &s : sockets)
        s->abort();
    relay.terminate();
    return complete ? 0 : 1;
}
