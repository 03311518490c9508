// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Verify + parse one CircleCI delivery, against the floor of one-shot OpenSSL HMAC() over the same body.
// Target (issue 2): verify+parse <= 2x the floor. The ratio is printed at the end, measured in one run.
#include "core/eventparser.h"
#include "core/webhookverifier.h"

#include <QFile>

#include <benchmark/benchmark.h>
#include <cstdio>
#include <map>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <set>
#include <unistd.h>

namespace {

const QByteArray secret = QByteArrayLiteral("bench-secret-0123456789");

const QByteArray &payload()
{
    static const QByteArray body = [] {
        QFile f(QStringLiteral(CT_BENCH_PAYLOAD));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", CT_BENCH_PAYLOAD);
        return f.readAll();
    }();
    return body;
}

const QByteArray &header()
{
    static const QByteArray h = "v1=" + ct::WebhookVerifier::sign(payload(), secret);
    return h;
}

void BM_OneShotHmac(benchmark::State &state)
{
    const QByteArray &body = payload();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (auto _ : state) {
        HMAC(EVP_sha256(), secret.constData(), int(secret.size()),
             reinterpret_cast<const unsigned char *>(body.constData()), size_t(body.size()), mac, &len);
        benchmark::DoNotOptimize(mac);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * body.size());
}

void BM_Verify(benchmark::State &state)
{
    const ct::WebhookVerifier verifier({secret});
    for (auto _ : state) {
        const ct::VerifyResult r = verifier.verify(payload(), QByteArrayView(header()));
        if (r != ct::VerifyResult::Valid)
            state.SkipWithError("verification failed");
        benchmark::DoNotOptimize(r);
    }
}

void BM_Parse(benchmark::State &state)
{
    ct::EventParser parser;
    for (auto _ : state) {
        ct::EventParseResult r = parser.parse(payload());
        if (!r.ok())
            state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(r);
    }
}

void BM_VerifyAndParse(benchmark::State &state)
{
    const ct::WebhookVerifier verifier({secret});
    ct::EventParser parser;
    for (auto _ : state) {
        if (verifier.verify(payload(), QByteArrayView(header())) != ct::VerifyResult::Valid)
            state.SkipWithError("verification failed");
        ct::EventParseResult r = parser.parse(payload());
        if (!r.ok())
            state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * payload().size());
}

BENCHMARK(BM_OneShotHmac);
BENCHMARK(BM_Verify);
BENCHMARK(BM_Parse);
BENCHMARK(BM_VerifyAndParse);

//! Prints as usual and remembers each benchmark's time per iteration, for the ratio.
class RatioReporter final : public benchmark::ConsoleReporter
{
public:
    using ConsoleReporter::ConsoleReporter;
    std::map<std::string, double> nsPerIteration;
    std::set<std::string> medians;
    void ReportRuns(const std::vector<Run> &runs) override
    {
        // With --benchmark_repetitions the median wins; otherwise the single run.
        for (const Run &r : runs) {
            if (r.run_type == Run::RT_Iteration && r.iterations > 0 && !medians.count(r.run_name.function_name))
                nsPerIteration[r.run_name.function_name] = r.GetAdjustedRealTime();
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") {
                medians.insert(r.run_name.function_name);
                nsPerIteration[r.run_name.function_name] = r.GetAdjustedRealTime();
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    std::printf("payload: %lld bytes (%s), one secret\n", static_cast<long long>(payload().size()), CT_BENCH_PAYLOAD);
    // Colours only on a terminal, so logs (CI, RESULTS.md) stay readable.
    RatioReporter reporter(isatty(fileno(stdout)) ? benchmark::ConsoleReporter::OO_Defaults
                                                  : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const auto floor = reporter.nsPerIteration.find("BM_OneShotHmac");
    const auto ours = reporter.nsPerIteration.find("BM_VerifyAndParse");
    if (floor != reporter.nsPerIteration.end() && ours != reporter.nsPerIteration.end() && floor->second > 0) {
        const double ratio = ours->second / floor->second;
        std::printf("verify+parse = %.2fx one-shot HMAC() in this run (target <= 2x): %s\n", ratio,
                    ratio <= 2.0 ? "met" : "MISSED");
    }
    benchmark::Shutdown();
    return 0;
}
