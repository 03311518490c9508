// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// NgrokTunnelWatcher against a stand-in of the ngrok agent's API on loopback (issue 10).
#include "app/account/ngroktunnelwatcher.h"
#include "ngrokagentstandin.h"

#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using ct::NgrokTunnelWatcher;
using ct::test::NgrokAgentStandIn;
using Tunnels = QList<NgrokAgentStandIn::Tunnel>;

Q_DECLARE_METATYPE(Tunnels)
Q_DECLARE_METATYPE(NgrokAgentStandIn::Fault)

namespace {

constexpr quint16 receiverPort = 8787; // only compared with config.addr; nothing listens on it

NgrokAgentStandIn::Tunnel https(const QString &host, const QString &addr, const QString &name = u"command_line"_s)
{
    return {name, u"https://"_s + host, u"https"_s, addr};
}

NgrokAgentStandIn::Tunnel http(const QString &host, const QString &addr, const QString &name = u"command_line (http)"_s)
{
    return {name, u"http://"_s + host, u"http"_s, addr};
}

//! A watcher pointed at \a agent, for the receiver port 8787.
std::unique_ptr<NgrokTunnelWatcher> watcherFor(const NgrokAgentStandIn &agent)
{
    auto watcher = std::make_unique<NgrokTunnelWatcher>();
    watcher->setAgentApi(agent.tunnelsUrl());
    watcher->setLocalPort(receiverPort);
    return watcher;
}

//! Runs one check and waits for it to end, signal or not (a repeated failure is silent by design).
bool checkAndWait(NgrokTunnelWatcher &watcher)
{
    auto *network = watcher.findChild<QNetworkAccessManager *>();
    if (!network)
        return false;
    QSignalSpy done(network, &QNetworkAccessManager::finished);
    watcher.checkNow();
    return done.wait(5000);
}

} // namespace

class TestNgrokTunnelWatcher final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Whatever a user's environment says, these tests use no proxy of their own.
        QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    }

    void addrForms_data()
    {
        QTest::addColumn<QString>("addr");
        QTest::addColumn<bool>("forwardsToReceiver");
        // clang-format off
        QTest::newRow("v3 normalised: http://localhost:8787") << u"http://localhost:8787"_s << true;
        QTest::newRow("docs example: localhost:8787")        << u"localhost:8787"_s        << true;
        QTest::newRow("127.0.0.1:8787")                      << u"127.0.0.1:8787"_s        << true;
        QTest::newRow("http://127.0.0.1:8787")               << u"http://127.0.0.1:8787"_s << true;
        QTest::newRow("bare port 8787")                      << u"8787"_s                  << true;
        QTest::newRow("IPv6 loopback [::1]:8787")            << u"[::1]:8787"_s            << true;
        QTest::newRow("http://[::1]:8787")                   << u"http://[::1]:8787"_s     << true;
        QTest::newRow("https upstream https://localhost:8787") << u"https://localhost:8787"_s << true;
        QTest::newRow("trailing slash")                      << u"http://localhost:8787/"_s << true;
        QTest::newRow("upper case LOCALHOST")                << u"http://LOCALHOST:8787"_s << true;
        QTest::newRow("other port 8788")                     << u"http://localhost:8788"_s << false;
        QTest::newRow("port 87870")                          << u"87870"_s                 << false;
        QTest::newRow("port 878")                            << u"localhost:878"_s         << false;
        QTest::newRow("another machine 192.0.2.10:8787")     << u"192.0.2.10:8787"_s       << false;
        QTest::newRow("another machine foo.local:8787")      << u"http://foo.local:8787"_s << false;
        QTest::newRow("no port: http://localhost is 80")     << u"http://localhost"_s      << false;
        QTest::newRow("ngrok's file server")                 << u"file:///srv/8787"_s      << false;
        QTest::newRow("unbracketed IPv6 ::1:8787")           << u"::1:8787"_s              << false;
        QTest::newRow("empty")                               << QString()                  << false;
        // clang-format on
    }
    void addrForms()
    {
        QFETCH(QString, addr);
        QFETCH(bool, forwardsToReceiver);
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, addr)});
        auto watcher = watcherFor(agent);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QVERIFY(checkAndWait(*watcher));
        if (forwardsToReceiver) {
            QCOMPARE(changed.count(), 1);
            QCOMPARE(changed.at(0).at(0).toString(), u"https://abc.ngrok-free.app"_s);
            QCOMPARE(watcher->publicUrl(), u"https://abc.ngrok-free.app"_s);
            QCOMPARE(unavailable.count(), 0);
        } else {
            QCOMPARE(changed.count(), 0);
            QCOMPARE(watcher->publicUrl(), QString());
            QCOMPARE(unavailable.count(), 1);
            QCOMPARE(unavailable.at(0).at(0).toString(),
                     u"no ngrok tunnel forwards to port 8787 (start one with: ngrok http 8787)"_s);
        }
    }

    void tunnelChoice_data()
    {
        QTest::addColumn<Tunnels>("tunnels");
        QTest::addColumn<QString>("known");
        QTest::addColumn<QString>("expected"); // empty: none found
        QTest::addColumn<QString>("reasonPart");
        const QString local = u"http://localhost:8787"_s;
        QTest::newRow("v2 pair: https and its http twin")
            << Tunnels {https(u"a.ngrok.io"_s, local), http(u"a.ngrok.io"_s, local)} << QString()
            << u"https://a.ngrok.io"_s << QString();
        QTest::newRow("v2 pair, http twin listed first")
            << Tunnels {http(u"a.ngrok.io"_s, local), https(u"a.ngrok.io"_s, local)} << QString()
            << u"https://a.ngrok.io"_s << QString();
        QTest::newRow("http only: ignored")
            << Tunnels {http(u"a.ngrok.io"_s, local)} << QString() << QString() << u"over https (only http://"_s;
        QTest::newRow("https to another port: ignored")
            << Tunnels {https(u"a.ngrok-free.app"_s, u"http://localhost:3000"_s)} << QString() << QString()
            << u"no ngrok tunnel forwards to port 8787"_s;
        QTest::newRow("several tunnels: the https one to our port")
            << Tunnels {https(u"web.ngrok-free.app"_s, u"http://localhost:3000"_s, u"web"_s),
                        http(u"hook.ngrok-free.app"_s, local, u"hook-http"_s),
                        {u"ssh"_s, u"tcp://0.tcp.ngrok.io:12345"_s, u"tcp"_s, u"localhost:8787"_s},
                        https(u"hook.ngrok-free.app"_s, local, u"hook"_s)}
            << QString() << u"https://hook.ngrok-free.app"_s << QString();
        QTest::newRow("a tcp tunnel to our port is not https")
            << Tunnels {{u"raw"_s, u"tcp://0.tcp.ngrok.io:12345"_s, u"tcp"_s, u"localhost:8787"_s}} << QString()
            << QString() << u"no ngrok tunnel forwards to port 8787"_s;
        QTest::newRow("two https tunnels to our port: the known one stays")
            << Tunnels {https(u"one.ngrok-free.app"_s, local, u"one"_s),
                        https(u"two.ngrok-free.app"_s, local, u"two"_s)}
            << u"https://two.ngrok-free.app/webhook"_s << u"https://two.ngrok-free.app"_s << QString();
        QTest::newRow("no tunnels at all")
            << Tunnels {} << QString() << QString() << u"no ngrok tunnel forwards to port 8787"_s;
    }
    void tunnelChoice()
    {
        QFETCH(Tunnels, tunnels);
        QFETCH(QString, known);
        QFETCH(QString, expected);
        QFETCH(QString, reasonPart);
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels(tunnels);
        auto watcher = watcherFor(agent);
        watcher->setKnownUrl(known);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(watcher->publicUrl(), expected);
        if (expected.isEmpty()) {
            QCOMPARE(unavailable.count(), 1);
            QVERIFY2(unavailable.at(0).at(0).toString().contains(reasonPart),
                     qPrintable(unavailable.at(0).at(0).toString()));
        } else {
            QCOMPARE(unavailable.count(), 0);
            // A known URL that is still served is no change; the webhooks need no update.
            QCOMPARE(changed.count(), known.isEmpty() ? 1 : 0);
        }
    }

    void changeIsSaidOnce_data()
    {
        QTest::addColumn<QString>("known");
        QTest::addColumn<int>("firstSignals");
        QTest::newRow("nothing known yet") << QString() << 1;
        QTest::newRow("an old URL") << u"https://old.ngrok-free.app"_s << 1;
        QTest::newRow("the same URL") << u"https://new.ngrok-free.app"_s << 0;
        QTest::newRow("the same URL with a trailing slash") << u"https://new.ngrok-free.app/"_s << 0;
        QTest::newRow("a webhook URL on the same tunnel") << u"https://new.ngrok-free.app/webhook"_s << 0;
        QTest::newRow("http:// of the same host") << u"http://new.ngrok-free.app"_s << 1;
    }
    void changeIsSaidOnce()
    {
        QFETCH(QString, known);
        QFETCH(int, firstSignals);
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"new.ngrok-free.app"_s, u"http://localhost:8787"_s)});
        auto watcher = watcherFor(agent);
        watcher->setKnownUrl(known);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(changed.count(), firstSignals);
        if (firstSignals)
            QCOMPARE(changed.at(0).at(0).toString(), u"https://new.ngrok-free.app"_s);
        // The next checks see the same URL: nothing more to say.
        QVERIFY(checkAndWait(*watcher));
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(changed.count(), firstSignals);
        // Told the URL it already has: still silent.
        watcher->setKnownUrl(u"https://new.ngrok-free.app"_s);
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(changed.count(), firstSignals);
        QCOMPARE(agent.tunnelRequestCount(), 4);
    }

    //! ngrok killed, then started again on the same API port with a new free URL.
    void agentRestartedWithNewUrl()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"first.ngrok-free.app"_s, u"http://localhost:8787"_s)});
        auto watcher = watcherFor(agent);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QSignalSpy available(watcher.get(), &NgrokTunnelWatcher::agentAvailable);
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(available.count(), 0); // no outage before: nothing to recover from

        agent.stop();
        for (int i = 0; i < 4; ++i)
            QVERIFY(checkAndWait(*watcher));
        QCOMPARE(unavailable.count(), 1);
        QCOMPARE(unavailable.at(0).at(0).toString(),
                 u"ngrok is not running (nothing on 127.0.0.1:%1)"_s.arg(agent.port()));
        QCOMPARE(watcher->publicUrl(), QString());
        QCOMPARE(available.count(), 0);

        agent.setTunnels({https(u"second.ngrok-free.app"_s, u"http://localhost:8787"_s)});
        QVERIFY(agent.start());
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(available.count(), 1);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(changed.at(1).at(0).toString(), u"https://second.ngrok-free.app"_s);
        QCOMPARE(watcher->publicUrl(), u"https://second.ngrok-free.app"_s);
        QCOMPARE(unavailable.count(), 1);

        // And the next check is quiet.
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(available.count(), 1);
        QCOMPARE(changed.count(), 2);
    }

    //! An outage whose cause changes is said again (ngrok started, but without our tunnel yet).
    void outageCauseChanges()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.stop();
        auto watcher = watcherFor(agent);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QSignalSpy available(watcher.get(), &NgrokTunnelWatcher::agentAvailable);
        QVERIFY(checkAndWait(*watcher));
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(unavailable.count(), 1);
        QVERIFY(agent.start());
        agent.setTunnels({https(u"web.ngrok-free.app"_s, u"localhost:3000"_s)});
        QVERIFY(checkAndWait(*watcher));
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(unavailable.count(), 2);
        QVERIFY(unavailable.at(1).at(0).toString().startsWith(u"no ngrok tunnel forwards to port 8787"_s));
        QCOMPARE(available.count(), 0);
    }

    void faults_data()
    {
        QTest::addColumn<NgrokAgentStandIn::Fault>("fault");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reasonPart");
        using F = NgrokAgentStandIn::Fault;
        QTest::newRow("garbage") << F::Garbage << u"/api/tunnels"_s << u"is not its tunnel list"_s;
        QTest::newRow("JSON without tunnels") << F::NotTunnels << u"/api/tunnels"_s << u"no \"tunnels\" list"_s;
        QTest::newRow("500") << F::ServerError << u"/api/tunnels"_s << u"ngrok's API answered HTTP 500"_s;
        QTest::newRow("404: another web server on the port")
            << F::None << u"/not/ngrok"_s << u"ngrok's API answered HTTP 404 for /not/ngrok"_s;
    }
    void faults()
    {
        QFETCH(NgrokAgentStandIn::Fault, fault);
        QFETCH(QString, path);
        QFETCH(QString, reasonPart);
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        agent.setFault(fault);
        auto watcher = watcherFor(agent);
        QUrl api = agent.tunnelsUrl();
        api.setPath(path);
        watcher->setAgentApi(api);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QVERIFY(checkAndWait(*watcher));
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(unavailable.count(), 1);
        QVERIFY2(unavailable.at(0).at(0).toString().contains(reasonPart),
                 qPrintable(unavailable.at(0).at(0).toString()));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(agent.requestCount(), 2); // no retries of its own
    }

    //! Longer than the 2 s timeout: given up, said, and nothing blocks meanwhile.
    void slowAgent_data()
    {
        QTest::addColumn<bool>("silent");
        QTest::newRow("answers after 3 s") << false;
        QTest::newRow("never answers") << true;
    }
    void slowAgent()
    {
        QFETCH(bool, silent);
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        if (silent)
            agent.setFault(NgrokAgentStandIn::Fault::Silent);
        else
            agent.setDelay(3s);
        auto watcher = watcherFor(agent);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        watcher->checkNow();
        QCOMPARE(unavailable.count(), 0); // checkNow() returned before any answer: it does not wait
        QVERIFY(unavailable.wait(5000));
        QCOMPARE(unavailable.at(0).at(0).toString(),
                 u"ngrok's API on 127.0.0.1:%1 did not answer within 2 s"_s.arg(agent.port()));
        QTRY_COMPARE(agent.tunnelRequestCount(), 1);
        // The late answer, if any, changes nothing.
        QTest::qWait(1500);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(unavailable.count(), 1);
        QCOMPARE(agent.tunnelRequestCount(), 1);

        // Quick again: found, and the outage is over.
        agent.setFault(NgrokAgentStandIn::Fault::None);
        agent.setDelay(0ms);
        QSignalSpy available(watcher.get(), &NgrokTunnelWatcher::agentAvailable);
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(available.count(), 1);
        QCOMPARE(changed.count(), 1);
    }

    void checkNowIsCoalesced()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        agent.setDelay(300ms);
        auto watcher = watcherFor(agent);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        watcher->checkNow();
        watcher->checkNow(); // resume and a network change at once
        watcher->checkNow();
        QVERIFY(changed.wait(5000));
        QCOMPARE(agent.tunnelRequestCount(), 1);
        QCOMPARE(changed.count(), 1);
        // Once it is over, a new check runs.
        QVERIFY(checkAndWait(*watcher));
        QCOMPARE(agent.tunnelRequestCount(), 2);
    }

    void stopDuringACheckSaysNothing()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        agent.setDelay(300ms);
        auto watcher = watcherFor(agent);
        watcher->setInterval(100ms);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QSignalSpy unavailable(watcher.get(), &NgrokTunnelWatcher::agentUnavailable);
        watcher->start();
        QTRY_COMPARE(agent.tunnelRequestCount(), 1);
        watcher->stop();
        QTest::qWait(800);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(unavailable.count(), 0);
        QCOMPARE(agent.tunnelRequestCount(), 1); // and no timer after stop()
    }

    //! 200 ms over 1 s: about five checks (one at start, then one per interval), never a storm.
    void intervalPacesTheChecks()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        auto watcher = watcherFor(agent);
        watcher->setInterval(200ms);
        watcher->start();
        QTest::qWait(1000);
        watcher->stop();
        const int requests = agent.tunnelRequestCount();
        QVERIFY2(requests >= 3 && requests <= 7, qPrintable(QString::number(requests)));
    }

    //! Outages do not make it poll faster either.
    void intervalHoldsDuringAnOutage()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setFault(NgrokAgentStandIn::Fault::ServerError);
        auto watcher = watcherFor(agent);
        watcher->setInterval(200ms);
        watcher->start();
        QTest::qWait(1000);
        watcher->stop();
        const int requests = agent.requestCount();
        QVERIFY2(requests >= 3 && requests <= 7, qPrintable(QString::number(requests)));
    }

    void defaultIntervalIsQuiet()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        auto watcher = watcherFor(agent);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        watcher->start();
        QVERIFY(changed.wait(5000));
        QTest::qWait(2000);
        QCOMPARE(agent.requestCount(), 1);
        QCOMPARE(changed.count(), 1);
    }

    //! The agent is on this computer: an application-wide (corporate) proxy never sees the check.
    //! Qt itself skips proxies for "localhost" and loopback addresses, not for other names of this
    //! computer (web_addr may name it), so the second row is the one that needs the watcher's NoProxy.
    void noProxyForLocalTraffic_data()
    {
        QTest::addColumn<QString>("agentHost");
        QTest::newRow("127.0.0.1") << u"127.0.0.1"_s;
        QTest::newRow("this computer's name") << QHostInfo::localHostName();
    }
    void noProxyForLocalTraffic()
    {
        QFETCH(QString, agentHost);
        if (agentHost != u"127.0.0.1") {
            const QList<QHostAddress> addresses = QHostInfo::fromName(agentHost).addresses();
            if (!addresses.contains(QHostAddress(QHostAddress::LocalHost)))
                QSKIP("this computer's name does not resolve to 127.0.0.1 here");
        }
        QTcpServer proxy;
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
        int proxied = 0;
        connect(&proxy, &QTcpServer::newConnection, this, [&proxy, &proxied] {
            while (QTcpSocket *socket = proxy.nextPendingConnection()) {
                ++proxied;
                socket->abort();
            }
        });
        QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::HttpProxy, u"127.0.0.1"_s, proxy.serverPort()));
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        agent.setTunnels({https(u"abc.ngrok-free.app"_s, u"8787"_s)});
        auto watcher = watcherFor(agent);
        QUrl api = agent.tunnelsUrl();
        api.setHost(agentHost);
        watcher->setAgentApi(api);
        QSignalSpy changed(watcher.get(), &NgrokTunnelWatcher::publicUrlChanged);
        QVERIFY(checkAndWait(*watcher));
        QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        QCOMPARE(proxied, 0);
        QCOMPARE(agent.tunnelRequestCount(), 1);
        QCOMPARE(changed.count(), 1);
    }

    void noPortNoRequest()
    {
        NgrokAgentStandIn agent;
        QVERIFY(agent.start());
        NgrokTunnelWatcher watcher;
        watcher.setAgentApi(agent.tunnelsUrl());
        watcher.checkNow();
        QTest::qWait(200);
        QCOMPARE(agent.requestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNgrokTunnelWatcher)
#include "tst_ngroktunnelwatcher.moc"
