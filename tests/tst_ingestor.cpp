// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Group commit and storage failures, with an event log that can be told to fail.
#include "core/httpserver.h"
#include "core/webhookreceiver.h"
#include "httptestclient.h"
#include "relay/ingestor.h"
#include "relay/relaymetrics.h"
#include "relayprocess.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct::test;

namespace {

class FakeEventLog final : public ct::EventLog
{
public:
    bool failing = false;
    QStringList storedElsewhere; //!< ids another relay sharing the log stored: append() reports them
    QList<int> batchSizes;
    QList<ct::StoredEvent> stored;

    bool open(QString *) override { return true; }
    void close() override { }
    QString relayId() const override { return u"fake"_s; }
    qint64 headSeq() const override { return stored.size(); }
    qint64 oldestSeq() const override { return 1; }
    bool append(QList<ct::StoredEvent> &events, QString *error) override
    {
        if (failing) {
            *error = u"disk full"_s;
            return false;
        }
        batchSizes.append(int(events.size()));
        for (auto &e : events) {
            e.duplicate = storedElsewhere.contains(e.eventId);
            if (e.duplicate)
                continue;
            e.seq = stored.size() + 1;
            stored.append(e);
        }
        return true;
    }
    QList<ct::StoredEvent> read(qint64, int, qint64, bool *ok) override
    {
        if (ok)
            *ok = true;
        return {};
    }
    QStringList eventIds() override { return {u"known-before-start"_s}; }
    QStringList prune(const QDateTime &, qint64, int) override { return {}; }
    bool isHealthy() override { return !failing; }
    bool addToken(const QString &, const QByteArray &, QString *) override { return false; }
    bool revokeToken(const QString &) override { return false; }
    QList<ct::TokenInfo> tokens() override { return {}; }
    std::optional<QString> tokenName(const QByteArray &) override { return std::nullopt; }
    bool addSession(const ct::WebSession &, QString *) override { return false; }
    std::optional<ct::WebSession> session(const QByteArray &) override { return std::nullopt; }
    void touchSession(const QByteArray &, const QDateTime &) override { }
    void removeSession(const QByteArray &) override { }
    int pruneSessions(const QDateTime &, const QDateTime &) override { return 0; }
};

} // namespace

class TestIngestor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void groupCommit();
    void storageFailureIs503AndNothingIsLost();
    void duplicatesFromBeforeStart();
    void duplicatesFoundByTheLog();

private:
    FakeEventLog m_log;
    ct::RelayMetrics m_metrics;
    std::unique_ptr<ct::HttpServer> m_server;
    std::unique_ptr<ct::WebhookReceiver> m_receiver;
    std::unique_ptr<ct::Ingestor> m_ingestor;
};

void TestIngestor::init()
{
    m_log = FakeEventLog();
    m_metrics = ct::RelayMetrics();
    m_server = std::make_unique<ct::HttpServer>();
    m_receiver = std::make_unique<ct::WebhookReceiver>(m_server.get());
    m_receiver->setSecrets({relaySecret});
    m_ingestor = std::make_unique<ct::Ingestor>(&m_log, &m_metrics);
    m_ingestor->loadKnownIds();
    m_receiver->setHandler([this](const ct::WebhookDelivery &d, ct::HttpResponder r) { m_ingestor->submit(d, r); });
    QVERIFY(m_server->listen());
}

void TestIngestor::cleanup()
{
    m_ingestor.reset();
    m_receiver.reset();
    m_server.reset();
}

void TestIngestor::groupCommit()
{
    // Twenty clients post at once: far fewer transactions than events, every one answered 200.
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(clients.back()->connectTo(m_server->serverPort()));
    }
    for (int i = 0; i < 20; ++i)
        clients[size_t(i)]->send(signedPost(eventBody(u"g-%1"_s.arg(i))));
    for (auto &c : clients) {
        const auto r = c->read();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }
    QCOMPARE(m_log.stored.size(), 20);
    QVERIFY2(m_log.batchSizes.size() < 20, qPrintable(u"%1 transactions"_s.arg(m_log.batchSizes.size())));
}

void TestIngestor::storageFailureIs503AndNothingIsLost()
{
    m_log.failing = true;
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(signedPost(eventBody(u"f-1"_s)));
    auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 503); // CircleCI will retry
    QCOMPARE(m_metrics.storageFailures, 1u);
    QCOMPARE(m_ingestor->knownIds(), 1); // the failed one is not remembered as stored
    m_log.failing = false;
    c.send(signedPost(eventBody(u"f-1"_s))); // the retry
    r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(m_log.stored.size(), 1);
}

void TestIngestor::duplicatesFromBeforeStart()
{
    HttpTestClient c;
    QVERIFY(c.connectTo(m_server->serverPort()));
    c.send(signedPost(eventBody(u"known-before-start"_s)));
    const auto r = c.read();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY(m_log.stored.isEmpty());
    QCOMPARE(m_metrics.duplicate, 1u);
}

void TestIngestor::duplicatesFoundByTheLog()
{
    // A log shared by relays (PostgreSQL) finds what another relay stored: 200, not stored again,
    // not announced as new; the new event of the same batch is.
    m_log.storedElsewhere = {u"from-relay-b"_s};
    QSignalSpy stored(m_ingestor.get(), &ct::Ingestor::eventsStored);
    HttpTestClient dup;
    HttpTestClient fresh;
    QVERIFY(dup.connectTo(m_server->serverPort()));
    QVERIFY(fresh.connectTo(m_server->serverPort()));
    dup.send(signedPost(eventBody(u"from-relay-b"_s)));
    fresh.send(signedPost(eventBody(u"only-here"_s)));
    const auto r1 = dup.read();
    const auto r2 = fresh.read();
    QVERIFY(r1 && r2);
    QCOMPARE(r1->status, 200);
    QCOMPARE(r1->body.trimmed(), "duplicate: already stored"_ba);
    QCOMPARE(r2->status, 200);
    QVERIFY(r2->body.startsWith("stored as "));
    QCOMPARE(m_metrics.duplicate, 1u);
    QCOMPARE(m_metrics.accepted, 1u);
    QCOMPARE(m_log.stored.size(), 1);
    QTRY_COMPARE(stored.size(), 1);
    QList<ct::StoredEvent> announced;
    for (const auto &args : std::as_const(stored))
        announced += args.at(0).value<QList<ct::StoredEvent>>();
    QCOMPARE(announced.size(), 1);
    QCOMPARE(announced[0].eventId, u"only-here"_s);
}

QTEST_GUILESS_MAIN(TestIngestor)
#include "tst_ingestor.moc"
