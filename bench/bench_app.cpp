// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// circletray-bench-app: the tray app as a user meets it. Needs a desktop (make bench-app runs it in
// scripts/headless-desktop: Xvfb, a session bus, dunst, a tray).
//   history: the history window, from construction to its list first painted, with 1,000 and with
//            100,000 stored workflows (medians); filter-as-you-type at 100,000: from a keystroke to
//            the filtered list painted (that includes the window's 120 ms typing pause);
//   startup: the real circletray process, from start to its tray icon first painted (medians);
//   idle:    the last of those processes, connected to a real circletray-relay, left alone: its CPU
//            time, context switches (every wake-up of every thread) and memory over --idle-seconds.
#include "app/history/historymodel.h"
#include "app/history/historystore.h"
#include "app/history/historywindow.h"
#include "app/setup/settings.h"
#include "benchsupport.h"
#include "historyfixture.h"
#include "relayprocess.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;
using namespace ct;

namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

//! Milliseconds from \a elapsed's start to the next paint of \a widget (-1 on a timeout).
class PaintWatch final : public QObject
{
public:
    explicit PaintWatch(QWidget *widget)
        : m_widget(widget)
    {
        widget->installEventFilter(this);
    }
    void arm(const QElapsedTimer *since)
    {
        m_since = since;
        m_ms = -1;
    }
    double waitMs(int timeoutMs)
    {
        (void)bench::waitUntil([this] { return m_ms >= 0; }, timeoutMs);
        return m_ms;
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_widget && event->type() == QEvent::Paint && m_since && m_ms < 0)
            m_ms = double(m_since->nsecsElapsed()) / 1e6;
        return false;
    }

private:
    QWidget *m_widget;
    const QElapsedTimer *m_since = nullptr;
    double m_ms = -1;
};

//! Construction to first paint of the list, \a runs times; the median.
double historyOpenMs(HistoryStore *store, Settings *settings, int runs)
{
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer t;
        t.start();
        HistoryWindow window(store, settings);
        PaintWatch watch(window.view()->viewport());
        watch.arm(&t);
        window.show();
        times.push_back(watch.waitMs(10000));
        window.hide();
        QCoreApplication::processEvents();
    }
    return median(times);
}

struct ProcessSample
{
    qint64 cpuTicks = 0; // utime + stime, clock ticks
    qint64 switches = 0; // voluntary + involuntary, all threads
    qint64 rssKiB = 0;
    qint64 pssKiB = 0;
    int threads = 0;
};

qint64 field(const QByteArray &text, const QByteArray &key)
{
    const qsizetype at = text.indexOf(QByteArray('\n' + key));
    if (at < 0)
        return 0;
    const qsizetype start = at + 1 + key.size();
    return text.mid(start, text.indexOf('\n', start) - start).trimmed().split(' ').value(0).toLongLong();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? '\n' + f.readAll() : QByteArray();
}

ProcessSample sample(qint64 pid)
{
    ProcessSample s;
    const QString proc = u"/proc/%1"_s.arg(pid);
    const QByteArray stat = readAll(proc + u"/stat"_s);
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    s.cpuTicks = fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime, stime (fields 14, 15)
    const QByteArray status = readAll(proc + u"/status"_s);
    s.rssKiB = field(status, "VmRSS:");
    s.threads = int(field(status, "Threads:"));
    s.pssKiB = field(readAll(proc + u"/smaps_rollup"_s), "Pss:");
    for (const QString &task : QDir(proc + u"/task"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QByteArray ts = readAll(proc + u"/task/"_s + task + u"/status"_s);
        s.switches += field(ts, "voluntary_ctxt_switches:") + field(ts, "nonvoluntary_ctxt_switches:");
    }
    return s;
}

int runHistory(int runs)
{
    QTemporaryDir dir;
    Settings settings(dir.filePath(u"settings.ini"_s));
    std::printf("| history window | stored workflows | median of %d |\n|---|---|---|\n", runs);
    double small = -1, large = -1;
    std::unique_ptr<HistoryStore> largeStore;
    for (const int count : {1000, 100'000}) {
        auto store = std::make_unique<HistoryStore>(dir.filePath(u"history-%1.sqlite"_s.arg(count)));
        QString error;
        if (!store->open(&error) || !test::fillHistory(*store, count)) {
            std::fprintf(stderr, "cannot fill a history of %d: %s\n", count, qPrintable(error));
            return 1;
        }
        (void)historyOpenMs(store.get(), &settings, 1); // warm-up: page cache, fonts, style
        const double ms = historyOpenMs(store.get(), &settings, runs);
        std::printf("| open to list painted | %d | %.1f ms |\n", count, ms);
        (count == 1000 ? small : large) = ms;
        if (count != 1000)
            largeStore = std::move(store);
    }
    std::printf("\nopen time 100k / 1k = %.2fx (target <= 2x)\n\n", large / small);

    // Filter as you type at 100k.
    HistoryWindow window(largeStore.get(), &settings);
    window.show();
    PaintWatch watch(window.view()->viewport());
    (void)bench::waitUntil([&] { return window.isVisible(); }, 5000);
    QCoreApplication::processEvents();
    std::printf("| typed into the search box (100,000 workflows) | matches | keystroke to list painted |\n"
                "|---|---|---|\n");
    std::vector<double> all;
    for (const QString &query : {u"n"_s, u"ne"_s, u"needle"_s, u"commit 9"_s, u"web"_s, u"zzz"_s, u""_s}) {
        bool reset = false;
        const auto c = QObject::connect(window.model(), &QAbstractItemModel::modelReset, [&] { reset = true; });
        QElapsedTimer t;
        t.start();
        watch.arm(&t);
        window.searchBox()->setText(query); // what a keystroke does: textChanged
        (void)bench::waitUntil([&] { return reset; }, 10000);
        const double ms = watch.waitMs(10000);
        QObject::disconnect(c);
        all.push_back(ms);
        std::printf("| \"%s\" | %lld | %.1f ms |\n", qPrintable(query), window.model()->totalCount(), ms);
        QCoreApplication::processEvents();
    }
    std::printf("\nfilter median %.1f ms, of which 120 ms is the window's typing pause\n\n", median(all));
    const bool painted =
        small >= 0 && large >= 0 && std::all_of(all.cbegin(), all.cend(), [](double ms) { return ms >= 0; });
    if (!painted)
        std::fprintf(stderr, "a list was never painted (-1 above)\n");
    return painted ? 0 : 1;
}

int runApp(int runs, int idleSeconds)
{
    test::RelayProcess relay;
    const QByteArray token = relay.addToken(u"bench"_s);
    if (token.isEmpty() || !relay.start()) {
        std::fprintf(stderr, "relay did not start\n");
        return 1;
    }
    QTemporaryDir dir;
    QFile tokenFile(dir.filePath(u"token"_s));
    if (!tokenFile.open(QIODevice::WriteOnly) || tokenFile.write(token + '\n') < 0)
        return 1;
    tokenFile.close();
    for (int i = 0; i < 20; ++i) // something in the history, as after a day of builds
        (void)test::post(relay.port(), test::eventBody(u"app-bench-%1"_s.arg(i), i % 3 ? "success" : "failed"));

    const QStringList args {u"--relay"_s,       u"ws://127.0.0.1:%1"_s.arg(relay.port()),
                            u"--token-file"_s,  tokenFile.fileName(),
                            u"--secret-file"_s, relay.secretFile(),
                            u"--data-dir"_s,    dir.filePath(u"data"_s)};
    std::vector<double> startup;
    std::unique_ptr<QProcess> app;
    for (int r = 0; r <= runs; ++r) { // run 0 warms the page cache and creates the data dir
        app = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"CIRCLETRAY_STARTUP_PROBE"_s, u"1"_s);
        env.insert(u"CIRCLETRAY_SECRET_BACKEND"_s, u"file"_s);
        app->setProcessEnvironment(env);
        app->setProcessChannelMode(QProcess::SeparateChannels);
        QElapsedTimer t;
        t.start();
        app->start(QStringLiteral(CT_APP_PATH), args);
        QByteArray out;
        const bool painted = bench::waitUntil(
            [&] {
                out += app->readAllStandardOutput();
                return out.contains("tray-painted");
            },
            20000);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (!painted) {
            std::fprintf(stderr, "no tray icon painted: %s\n", app->readAllStandardError().constData());
            return 1;
        }
        if (r > 0)
            startup.push_back(ms);
        if (r < runs) {
            app->terminate();
            app->waitForFinished(10000);
        }
    }
    std::printf("| tray app | value |\n|---|---|\n");
    std::printf("| start to tray icon painted (median of %d) | %.0f ms |\n", runs, median(startup));

    // Idle, connected to the relay.
    const bool connected = bench::waitUntil(
        [&] { return bench::relayMetric(relay.port(), "circletray_relay_clients_connected") == 1; }, 20000);
    if (!connected) {
        std::fprintf(stderr, "the app did not connect to the relay\n");
        return 1;
    }
    bench::sleepMs(5000);
    const qint64 pid = app->processId();
    const ProcessSample a = sample(pid);
    bench::sleepMs(idleSeconds * 1000);
    const ProcessSample b = sample(pid);
    const double tick = 1000.0 / double(sysconf(_SC_CLK_TCK));
    std::printf("| CPU over %d s idle, relay connected | %.0f ms |\n", idleSeconds,
                double(b.cpuTicks - a.cpuTicks) * tick);
    std::printf("| context switches over %d s (all threads) | %lld |\n", idleSeconds, b.switches - a.switches);
    std::printf("| RSS / PSS after %d s idle | %.1f MB / %.1f MB, %d threads |\n", idleSeconds + 5,
                double(b.rssKiB) / 1024.0, double(b.pssKiB) / 1024.0, b.threads);
    app->terminate();
    app->waitForFinished(10000);
    relay.terminate();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication qapp(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"History window, start-up and idle cost of the CircleTray app."_s);
    parser.addHelpOption();
    parser.addOption({u"runs"_s, u"repetitions for medians (default 7)"_s, u"n"_s, u"7"_s});
    parser.addOption({u"idle-seconds"_s, u"how long to watch the idle app (default 60)"_s, u"s"_s, u"60"_s});
    parser.addOption({u"only"_s, u"history or app"_s, u"part"_s});
    parser.process(qapp);
    const int runs = std::max(1, parser.value(u"runs"_s).toInt());
    const QString only = parser.value(u"only"_s);
    int rc = 0;
    if (only.isEmpty() || only == u"history")
        rc |= runHistory(runs);
    if (only.isEmpty() || only == u"app")
        rc |= runApp(runs, std::max(1, parser.value(u"idle-seconds"_s).toInt()));
    return rc;
}
