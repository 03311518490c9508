// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/relaymessage.h"
#include "fixtures.h"

#include <QTest>

using namespace Qt::StringLiterals;
using ct::RelayMessage;

Q_DECLARE_METATYPE(ct::RelayMessage::Type)

class TestRelayMessage final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void invalid_data();
    void invalid();
};

void TestRelayMessage::roundTrip()
{
    const QByteArray body = ct::test::fixture(u"github-oauth-unicode-failed.json"); // pretty-printed, non-ASCII
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(1'773'480'461'508, Qt::UTC);
    const RelayMessage e = ct::decodeRelayMessage(RelayMessage::event(7, at, "workflow-completed", "v1=ab", body));
    QCOMPARE(e.type, RelayMessage::Type::Event);
    QCOMPARE(e.seq, 7);
    QCOMPARE(e.body, body); // byte for byte
    QCOMPARE(e.signature, "v1=ab"_ba);
    QCOMPARE(e.eventType, "workflow-completed"_ba);
    QCOMPARE(e.receivedAt, at);
    const RelayMessage h = ct::decodeRelayMessage(RelayMessage::hello(u"log-1"_s, 9, 3));
    QCOMPARE(h.type, RelayMessage::Type::Hello);
    QCOMPARE(h.relayId, u"log-1"_s);
    QCOMPARE(h.headSeq, 9);
    QCOMPARE(h.oldestSeq, 3);
    const RelayMessage g = ct::decodeRelayMessage(RelayMessage::gap(2, 5));
    QCOMPARE(g.type, RelayMessage::Type::Gap);
    QCOMPARE(g.from, 2);
    QCOMPARE(g.to, 5);
    QCOMPARE(ct::decodeRelayMessage(RelayMessage::live()).type, RelayMessage::Type::Live);
    const RelayMessage r = ct::decodeRelayMessage(RelayMessage::rejected(at, u"signature mismatch"_s, {}));
    QCOMPARE(r.type, RelayMessage::Type::Rejected);
    QCOMPARE(r.reason, u"signature mismatch"_s);
    QVERIFY(r.eventType.isEmpty());
    QCOMPARE(r.count, 1);
    const RelayMessage many = ct::decodeRelayMessage(RelayMessage::rejected(at, u"x"_s, "ping", 49));
    QCOMPARE(many.count, 49); // coalesced: how many since the previous notice
    // From a relay that sent one notice per delivery (no count): one.
    QCOMPARE(ct::decodeRelayMessage(R"({"type":"rejected","at":"2026-01-01T00:00:00.000Z","reason":"r"})").count, 1);
}

void TestRelayMessage::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not json") << "hello"_ba;
    QTest::newRow("array") << "[1]"_ba;
    QTest::newRow("unknown type") << R"({"type":"surprise"})"_ba;
    QTest::newRow("rejected, count 0") << R"({"type":"rejected","reason":"r","count":0})"_ba;
    QTest::newRow("rejected, count text") << R"({"type":"rejected","reason":"r","count":"9"})"_ba;
    QTest::newRow("event without body") << R"({"type":"event","seq":1})"_ba;
    QTest::newRow("event seq 0") << R"({"type":"event","seq":0,"body":"{}"})"_ba;
    QTest::newRow("event seq negative") << R"({"type":"event","seq":-4,"body":"{}"})"_ba;
    QTest::newRow("event seq fraction") << R"({"type":"event","seq":1.5,"body":"{}"})"_ba;
    QTest::newRow("event seq string") << R"({"type":"event","seq":"3","body":"{}"})"_ba;
    QTest::newRow("hello without id") << R"({"type":"hello","head_seq":1,"oldest_seq":1})"_ba;
    QTest::newRow("gap backwards") << R"({"type":"gap","from":5,"to":2})"_ba;
}

void TestRelayMessage::invalid()
{
    QFETCH(QByteArray, json);
    const RelayMessage m = ct::decodeRelayMessage(json);
    QCOMPARE(m.type, RelayMessage::Type::Invalid);
    QVERIFY(!m.error.isEmpty());
}

QTEST_GUILESS_MAIN(TestRelayMessage)
#include "tst_relaymessage.moc"
