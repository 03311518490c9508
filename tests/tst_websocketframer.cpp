// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The relay's own WebSocket framing and handshake (RFC 6455): what clients may send, what it sends.
#include "relay/websocket/websocketframer.h"
#include "relay/websocket/websockethandshake.h"
#include "websocketclientframe.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace ct;

using ct::test::clientFrame;

namespace {

QStringList describe(const QList<WebSocketFramer::Message> &messages)
{
    QStringList out;
    for (const auto &m : messages)
        out.append(QString::number(int(m.opcode)) + u':' + QString::fromLatin1(m.payload.toHex()));
    return out;
}

QString msg(int opcode, const QByteArray &payload)
{
    return QString::number(opcode) + u':' + QString::fromLatin1(payload.toHex());
}

} // namespace

class TestWebSocketFramer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void read_data();
    void read();
    void frameHeaders_data();
    void frameHeaders();
    void closeReasonIsCutWhole();
    void handshake_data();
    void handshake();
};

void TestWebSocketFramer::read_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("messages"); // what is read before any error
    QTest::addColumn<int>("error"); // the close code to answer; 0: none

    const QByteArray close1000 = "\x03\xe8"_ba;
    QTest::newRow("text") << clientFrame(0x81, "hello") << QStringList {msg(1, "hello")} << 0;
    QTest::newRow("empty ping") << clientFrame(0x89, {}) << QStringList {msg(9, {})} << 0;
    QTest::newRow("pong") << clientFrame(0x8A, "p") << QStringList {msg(10, "p")} << 0;
    QTest::newRow("close") << clientFrame(0x88, close1000 + "bye") << QStringList {msg(8, close1000 + "bye")} << 0;
    QTest::newRow("close without a code") << clientFrame(0x88, {}) << QStringList {msg(8, {})} << 0;
    QTest::newRow("two frames at once") << clientFrame(0x81, "a") + clientFrame(0x82, "b")
                                        << QStringList {msg(1, "a"), msg(2, "b")} << 0;
    QTest::newRow("fragmented") << clientFrame(0x01, "hel") + clientFrame(0x00, "l") + clientFrame(0x80, "o")
                                << QStringList {msg(1, "hello")} << 0;
    QTest::newRow("ping between fragments") << clientFrame(0x01, "a") + clientFrame(0x89, "p") + clientFrame(0x80, "b")
                                            << QStringList {msg(9, "p"), msg(1, "ab")} << 0;
    QTest::newRow("16-bit length") << clientFrame(0x82, QByteArray(300, 'x'))
                                   << QStringList {msg(2, QByteArray(300, 'x'))} << 0;
    QTest::newRow("UTF-8 text") << clientFrame(0x81, "caf\xc3\xa9") << QStringList {msg(1, "caf\xc3\xa9")} << 0;
    QTest::newRow("UTF-8 split across fragments")
        << clientFrame(0x01, "caf\xc3") + clientFrame(0x80, "\xa9") << QStringList {msg(1, "caf\xc3\xa9")} << 0;

    QTest::newRow("unmasked") << clientFrame(0x81, "hello", false) << QStringList {} << 1002;
    QTest::newRow("reserved bit") << clientFrame(0xC1, "x") << QStringList {} << 1002;
    QTest::newRow("reserved opcode") << clientFrame(0x83, "x") << QStringList {} << 1002;
    QTest::newRow("reserved control opcode") << clientFrame(0x8B, "x") << QStringList {} << 1002;
    QTest::newRow("fragmented ping") << clientFrame(0x09, "x") << QStringList {} << 1002;
    QTest::newRow("ping over 125 bytes") << clientFrame(0x89, QByteArray(126, 'p')) << QStringList {} << 1002;
    QTest::newRow("continuation first") << clientFrame(0x80, "x") << QStringList {} << 1002;
    QTest::newRow("new message inside one")
        << clientFrame(0x01, "a") + clientFrame(0x81, "b") << QStringList {} << 1002;
    QTest::newRow("64-bit length, huge") << clientFrame(0x82, {}, true, qint64(1) << 62) << QStringList {} << 1009;
    // Told from the header: the payload is never waited for, let alone buffered.
    QTest::newRow("frame over the limit, header only")
        << clientFrame(0x82, {}, true, 1 << 20).first(14) << QStringList {} << 1009;
    QTest::newRow("message over the limit in fragments")
        << clientFrame(0x02, QByteArray(3000, 'a')) + clientFrame(0x80, QByteArray(3000, 'b')) << QStringList {}
        << 1009;
    QTest::newRow("frames before the bad one")
        << clientFrame(0x89, "1") + clientFrame(0x81, "x", false) << QStringList {msg(9, "1")} << 1002;
    QTest::newRow("text not UTF-8") << clientFrame(0x81, "\xff\xfe") << QStringList {} << 1007;
    QTest::newRow("close, one byte") << clientFrame(0x88, "\x03") << QStringList {} << 1002;
    QTest::newRow("close 1005") << clientFrame(0x88, "\x03\xed") << QStringList {} << 1002;
    QTest::newRow("close 999") << clientFrame(0x88, "\x03\xe7") << QStringList {} << 1002;
    QTest::newRow("close reason not UTF-8") << clientFrame(0x88, close1000 + "\xff") << QStringList {} << 1007;
    QTest::newRow("junk after a handshake") << "\xff\xff junk"_ba << QStringList {} << 1002;
}

void TestWebSocketFramer::read()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, messages);
    QFETCH(int, error);

    // All at once, and one byte at a time (frames split anywhere by TCP).
    for (const bool byteWise : {false, true}) {
        WebSocketFramer framer(4096);
        QList<WebSocketFramer::Message> out;
        bool ok = true;
        if (byteWise) {
            for (qsizetype i = 0; i < input.size() && ok; ++i)
                ok = framer.feed(input.sliced(i, 1), out);
        } else {
            ok = framer.feed(input, out);
        }
        QCOMPARE(describe(out), messages);
        QCOMPARE(ok, error == 0);
        QCOMPARE(int(framer.errorCode()), error);
        if (ok)
            QCOMPARE(framer.buffered(), 0); // whole frames leave nothing behind
        QVERIFY(framer.buffered() <= 4096 + 14);
    }
}

void TestWebSocketFramer::frameHeaders_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("header");

    QTest::newRow("empty") << 0 << "\x81\x00"_ba;
    QTest::newRow("125") << 125 << "\x81\x7d"_ba;
    QTest::newRow("126") << 126 << "\x81\x7e\x00\x7e"_ba;
    QTest::newRow("65535") << 65535 << "\x81\x7e\xff\xff"_ba;
    QTest::newRow("65536") << 65536 << "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"_ba;
}

void TestWebSocketFramer::frameHeaders()
{
    QFETCH(int, size);
    QFETCH(QByteArray, header);
    const QByteArray payload(size, 'x');
    const QByteArray f = WebSocketFramer::frame(WebSocketFramer::Opcode::Text, payload);
    QCOMPARE(f.first(header.size()), header); // final, unmasked
    QCOMPARE(f.size(), header.size() + size);
    QCOMPARE(f.sliced(header.size()), payload);
}

void TestWebSocketFramer::closeReasonIsCutWhole()
{
    const QByteArray f =
        WebSocketFramer::closeFrame(4008, QByteArray(QByteArray(122, 'a') + "\xc3\xa9\xc3\xa9")); // é é
    QCOMPARE(f.first(2), "\x88\x7c"_ba); // 124 bytes: the code and 122 + nothing of the cut "é"
    QCOMPARE(f.sliced(2, 2), "\x0f\xa8"_ba);
    QVERIFY(QByteArrayView(f).sliced(4).isValidUtf8());
    QCOMPARE(WebSocketFramer::closeCode(f.sliced(2)), quint16(4008));
    QCOMPARE(WebSocketFramer::closeCode({}), quint16(1005));
}

void TestWebSocketFramer::handshake_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status"); // 101, or the refusal
    QTest::addColumn<QByteArray>("expected"); // Sec-WebSocket-Accept, or a header of the refusal

    // RFC 6455 §1.3's example.
    QTest::newRow("RFC example") << "13"_ba
                                 << "dGhlIHNhbXBsZSBub25jZQ=="_ba << 101
                                 << "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="_ba;
    QTest::newRow("old version") << "8"_ba
                                 << "dGhlIHNhbXBsZSBub25jZQ=="_ba << 426 << "13"_ba;
    QTest::newRow("no version") << QByteArray() << "dGhlIHNhbXBsZSBub25jZQ=="_ba << 426 << "13"_ba;
    QTest::newRow("no key") << "13"_ba << QByteArray() << 400 << QByteArray();
    QTest::newRow("key not base64") << "13"_ba
                                    << "not base64!!"_ba << 400 << QByteArray();
    QTest::newRow("key of 15 bytes") << "13"_ba << QByteArray(15, 'k').toBase64() << 400 << QByteArray();
}

void TestWebSocketFramer::handshake()
{
    QFETCH(QByteArray, version);
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);

    HttpRequest request;
    request.method = "GET";
    request.path = "/events";
    request.upgrade = true;
    request.headers.append({"upgrade"_ba, "websocket"_ba});
    if (!version.isNull())
        request.headers.append({"sec-websocket-version"_ba, version});
    if (!key.isNull())
        request.headers.append({"sec-websocket-key"_ba, key});
    QVERIFY(WebSocketHandshake::isUpgrade(request));
    const auto answer = WebSocketHandshake::answer(request);
    if (status == 101) {
        const auto *bytes = std::get_if<QByteArray>(&answer);
        QVERIFY(bytes);
        QVERIFY(bytes->startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        QVERIFY(bytes->contains(QByteArray("\r\n" + expected + "\r\n")));
        QVERIFY(bytes->endsWith("\r\n\r\n"));
        return;
    }
    const auto *refusal = std::get_if<HttpResponse>(&answer);
    QVERIFY(refusal);
    QCOMPARE(refusal->status, status);
    if (!expected.isEmpty()) {
        bool found = false;
        for (const auto &[name, value] : refusal->headers)
            found = found || (name == "Sec-WebSocket-Version" && value == expected);
        QVERIFY(found);
    }
}

QTEST_GUILESS_MAIN(TestWebSocketFramer)
#include "tst_websocketframer.moc"
