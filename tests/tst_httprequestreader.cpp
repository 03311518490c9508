// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httprequestreader.h"

#include <QTest>

using namespace Qt::StringLiterals;
using ct::ParseStatus;

Q_DECLARE_METATYPE(ct::ParseStatus)

namespace {

const QByteArray postCl = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "circleci-signature: v1=abc\r\nContent-Length: 11\r\n\r\nhello world"_ba;
const QByteArray postChunked = "POST /webhook?x=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: t\r\n\r\n"_ba;
const QByteArray get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"_ba;

//! Feeds \a pieces one after the other, collecting every request (stops at the first error).
QList<ct::HttpRequest> readAll(ct::HttpRequestReader &reader, const QList<QByteArray> &pieces,
                               ct::ParseResult *last = nullptr)
{
    QList<ct::HttpRequest> out;
    for (const QByteArray &piece : pieces) {
        reader.append(piece);
        while (true) {
            ct::ParseResult r = reader.next();
            if (r.status == ParseStatus::Ok) {
                out.append(r.request);
                continue;
            }
            if (last)
                *last = r;
            if (r.status != ParseStatus::Incomplete)
                return out;
            break;
        }
    }
    return out;
}

QList<ct::HttpRequest> readAll(ct::HttpRequestReader &reader, const QByteArray &data)
{
    return readAll(reader, QList<QByteArray> {data});
}

} // namespace

class TestHttpRequestReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contentLengthBody();
    void chunkedBody();
    void splitAtEveryByte_data();
    void splitAtEveryByte();
    void pipelined();
    void keepAlive_data();
    void keepAlive();
    void errors_data();
    void errors();
    void errorsAreFinal();
    void headerLimitByteByByte();
    void bodyLimitBeforeBodyArrives();
    void expectContinue();
    void upgradeStopsParsing();
    void upgradeWithBodyIsReadAsHttp_data();
    void upgradeWithBodyIsReadAsHttp();
    void headChecksResetPerRequest();
    void progressFlags();
    void issue2_trailersAreNotHeaders();
    void issue2_headBytesCountedOncePerByte();
};

void TestHttpRequestReader::contentLengthBody()
{
    ct::HttpRequestReader reader;
    const auto requests = readAll(reader, postCl);
    QCOMPARE(requests.size(), 1);
    const ct::HttpRequest &r = requests.first();
    QCOMPARE(r.method, "POST"_ba);
    QCOMPARE(r.path, "/webhook"_ba);
    QCOMPARE(r.body, "hello world"_ba);
    QCOMPARE(r.header("content-type").value_or(""), "application/json");
    QCOMPARE(r.header("circleci-signature").value_or(""), "v1=abc"); // sent mixed case, looked up lower
    QVERIFY(!r.header("circleci-event-type"));
    QVERIFY(r.keepAlive);
    QCOMPARE(reader.consumedBytes(), postCl.size());
}

void TestHttpRequestReader::chunkedBody()
{
    ct::HttpRequestReader reader;
    const auto requests = readAll(reader, postChunked);
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().body, "hello world"_ba);
    QCOMPARE(requests.first().path, "/webhook"_ba);
    QCOMPARE(requests.first().query, "x=1"_ba);
    QCOMPARE(requests.first().target, "/webhook?x=1"_ba);
}

void TestHttpRequestReader::splitAtEveryByte_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("count");
    QTest::newRow("content-length") << postCl << 1;
    QTest::newRow("chunked") << postChunked << 1;
    QTest::newRow("pipelined mix") << get + postCl + postChunked + get << 4;
}

void TestHttpRequestReader::splitAtEveryByte()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, count);
    ct::HttpRequestReader whole;
    const auto expected = readAll(whole, stream);
    QCOMPARE(expected.size(), count);
    // Two pieces, split at every position.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        ct::HttpRequestReader reader;
        const auto got = readAll(reader, {stream.left(cut), stream.mid(cut)});
        QCOMPARE(got.size(), count);
        for (int i = 0; i < count; ++i) {
            QCOMPARE(got[i].method, expected[i].method);
            QCOMPARE(got[i].target, expected[i].target);
            QCOMPARE(got[i].headers, expected[i].headers);
            QCOMPARE(got[i].body, expected[i].body);
        }
    }
    // One byte at a time.
    QList<QByteArray> bytes;
    for (char c : stream)
        bytes.append(QByteArray(1, c));
    ct::HttpRequestReader reader;
    const auto got = readAll(reader, bytes);
    QCOMPARE(got.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(got[i].body, expected[i].body);
    QCOMPARE(reader.consumedBytes(), stream.size());
}

void TestHttpRequestReader::pipelined()
{
    ct::HttpRequestReader reader;
    reader.append(QByteArray(get + postCl + get));
    ct::ParseResult r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QCOMPARE(r.request.path, "/healthz"_ba);
    QCOMPARE(reader.consumedBytes(), get.size());
    r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QCOMPARE(r.request.body, "hello world"_ba);
    QCOMPARE(reader.consumedBytes(), get.size() + postCl.size());
    r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QCOMPARE(r.request.method, "GET"_ba);
    QVERIFY(r.request.body.isEmpty()); // nothing leaks from the previous request
    QCOMPARE(reader.next().status, ParseStatus::Incomplete);
    QVERIFY(!reader.inRequest());
}

void TestHttpRequestReader::keepAlive_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("keepAlive");
    QTest::newRow("1.1 default") << "GET / HTTP/1.1\r\n\r\n"_ba << true;
    QTest::newRow("1.1 close") << "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"_ba << false;
    QTest::newRow("1.1 CLOSE, odd case") << "GET / HTTP/1.1\r\nconnection: Close\r\n\r\n"_ba << false;
    QTest::newRow("1.0 default") << "GET / HTTP/1.0\r\n\r\n"_ba << false;
    QTest::newRow("1.0 keep-alive") << "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"_ba << true;
}

void TestHttpRequestReader::keepAlive()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, keepAlive);
    ct::HttpRequestReader reader;
    const auto got = readAll(reader, request);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.first().keepAlive, keepAlive);
}

void TestHttpRequestReader::errors_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<ParseStatus>("status");
    QTest::addColumn<int>("httpStatus");
    const QByteArray bigHeader = "GET / HTTP/1.1\r\nX-Big: " + QByteArray(17 * 1024, 'a') + "\r\n\r\n";
    QByteArray manyHeaders = "GET / HTTP/1.1\r\n"_ba;
    for (int i = 0; i < 1000; ++i)
        manyHeaders += "X-H" + QByteArray::number(i) + ": 1234567890\r\n";
    manyHeaders += "\r\n";
    // clang-format off
    QTest::newRow("header block > 16 KiB")    << bigHeader                                              << ParseStatus::HeadersTooLarge << 431;
    QTest::newRow("many headers > 16 KiB")    << manyHeaders                                            << ParseStatus::HeadersTooLarge << 431;
    QTest::newRow("long URL")                 << "GET /" + QByteArray(17000, 'u') + " HTTP/1.1\r\n\r\n" << ParseStatus::HeadersTooLarge << 431;
    QTest::newRow("endless blank lines")      << QByteArray(20000, '\n')                                << ParseStatus::HeadersTooLarge << 431;
    QTest::newRow("content-length > 1 MiB")   << "POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n"_ba << ParseStatus::BodyTooLarge << 413;
    QTest::newRow("CL and TE")                << "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("TE and CL")                << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("two content-lengths")      << "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("bad content-length")       << "POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\nhello"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("bad chunk size")           << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("garbage request line")     << "HELLO\r\n\r\n"_ba                                      << ParseStatus::Malformed << 400;
    QTest::newRow("bad version")              << "GET / HTTP/9\r\n\r\n"_ba                               << ParseStatus::Malformed << 400;
    QTest::newRow("space in header name")     << "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"_ba           << ParseStatus::Malformed << 400;
    QTest::newRow("NUL in URL")               << QByteArray("GET /a\0b HTTP/1.1\r\n\r\n", 22)           << ParseStatus::Malformed << 400;
    // Issue 14 (10): lenient framing that http_parser, built non-strict, lets through.
    QTest::newRow("HTTP/9.9")                 << "GET / HTTP/9.9\r\nHost: x\r\n\r\n"_ba                  << ParseStatus::Malformed << 400;
    QTest::newRow("HTTP/2.0")                 << "GET / HTTP/2.0\r\nHost: x\r\n\r\n"_ba                  << ParseStatus::Malformed << 400;
    QTest::newRow("HTTP/1.2")                 << "GET / HTTP/1.2\r\nHost: x\r\n\r\n"_ba                  << ParseStatus::Malformed << 400;
    QTest::newRow("obs-fold Content-Length")  << "POST / HTTP/1.1\r\nContent-Length:\r\n 5\r\n\r\nhello"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("obs-fold T-E")             << "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\tchunked\r\n\r\n0\r\n\r\n"_ba << ParseStatus::Malformed << 400;
    QTest::newRow("obs-fold other header")    << "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"_ba               << ParseStatus::Malformed << 400;
    QTest::newRow("bare LF request line")     << "GET / HTTP/1.1\nHost: x\r\n\r\n"_ba                    << ParseStatus::Malformed << 400;
    QTest::newRow("bare LF header")           << "GET / HTTP/1.1\r\nHost: x\n\r\n"_ba                    << ParseStatus::Malformed << 400;
    QTest::newRow("bare LF end of head")      << "GET / HTTP/1.1\r\nHost: x\r\n\n"_ba                    << ParseStatus::Malformed << 400;
    QTest::newRow("all bare LF")              << "POST / HTTP/1.1\nContent-Length: 2\n\nhi"_ba            << ParseStatus::Malformed << 400;
    QTest::newRow("bare CR")                  << "GET / HTTP/1.1\rHost: x\r\n\r\n"_ba                    << ParseStatus::Malformed << 400;
    QTest::newRow("TLS handshake bytes")      << QByteArray::fromHex("16030100a5010000a10303")            << ParseStatus::Malformed << 400;
    // clang-format on
}

void TestHttpRequestReader::errors()
{
    QFETCH(QByteArray, stream);
    QFETCH(ParseStatus, status);
    QFETCH(int, httpStatus);
    ct::HttpRequestReader reader;
    ct::ParseResult last;
    const auto got = readAll(reader, {stream}, &last);
    QVERIFY(got.isEmpty());
    QCOMPARE(last.status, status);
    QCOMPARE(ct::httpStatusFor(last.status), httpStatus);
    QVERIFY(!last.reason.isEmpty());
}

void TestHttpRequestReader::errorsAreFinal()
{
    ct::HttpRequestReader reader;
    reader.append("GARBAGE\r\n\r\n");
    QCOMPARE(reader.next().status, ParseStatus::Malformed);
    reader.append(get);
    QCOMPARE(reader.next().status, ParseStatus::Malformed);
}

void TestHttpRequestReader::headerLimitByteByByte()
{
    // A slow client sending an endless header one byte at a time is cut off at the limit, not later.
    ct::HttpReaderLimits limits;
    limits.maxHeaderBytes = 1024;
    ct::HttpRequestReader reader(limits);
    const QByteArray stream = "GET / HTTP/1.1\r\nX-Slow: " + QByteArray(4096, 'z');
    qsizetype fed = 0;
    ParseStatus status = ParseStatus::Incomplete;
    while (status == ParseStatus::Incomplete && fed < stream.size()) {
        reader.append(stream.mid(fed++, 1));
        status = reader.next().status;
    }
    QCOMPARE(status, ParseStatus::HeadersTooLarge);
    QVERIFY2(fed <= 1024 + 8, qPrintable(QString::number(fed)));
}

void TestHttpRequestReader::bodyLimitBeforeBodyArrives()
{
    ct::HttpReaderLimits limits;
    limits.maxBodyBytes = 100;
    {
        ct::HttpRequestReader reader(limits);
        reader.append("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n");
        QCOMPARE(reader.next().status, ParseStatus::BodyTooLarge);
    }
    {
        ct::HttpRequestReader reader(limits);
        reader.append(QByteArray("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + QByteArray(100, 'b')));
        const ct::ParseResult r = reader.next();
        QCOMPARE(r.status, ParseStatus::Ok);
        QCOMPARE(r.request.body.size(), 100);
    }
    {
        // Chunked: no length up front, so the limit applies as the chunks arrive.
        ct::HttpRequestReader reader(limits);
        reader.append("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        QCOMPARE(reader.next().status, ParseStatus::Incomplete);
        reader.append(QByteArray("64\r\n" + QByteArray(100, 'c') + "\r\n"));
        QCOMPARE(reader.next().status, ParseStatus::Incomplete);
        reader.append("1\r\nd\r\n");
        QCOMPARE(reader.next().status, ParseStatus::BodyTooLarge);
    }
}

void TestHttpRequestReader::expectContinue()
{
    ct::HttpRequestReader reader;
    reader.append("POST /webhook HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QCOMPARE(reader.next().status, ParseStatus::Incomplete);
    QVERIFY(reader.takeExpectContinue());
    QVERIFY(!reader.takeExpectContinue()); // once
    reader.append("hello");
    QCOMPARE(reader.next().request.body, "hello"_ba);
    // Too large: refused instead of continued.
    ct::HttpRequestReader big;
    big.append("POST /webhook HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n");
    QCOMPARE(big.next().status, ParseStatus::BodyTooLarge);
    QVERIFY(!big.takeExpectContinue());
}

void TestHttpRequestReader::upgradeStopsParsing()
{
    const QByteArray head = "GET /events?since=4 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"_ba;
    ct::HttpRequestReader reader;
    reader.append(QByteArray(head + "\x81\x05hello"_ba)); // a WebSocket frame right behind the handshake
    const ct::ParseResult r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QVERIFY(r.request.upgrade);
    QVERIFY(!r.request.keepAlive || r.request.upgrade);
    QCOMPARE(r.request.query, "since=4"_ba);
    QCOMPARE(reader.consumedBytes(), head.size());
    QCOMPARE(reader.next().status, ParseStatus::Malformed); // the rest is not HTTP
}

void TestHttpRequestReader::upgradeWithBodyIsReadAsHttp_data()
{
    QTest::addColumn<QByteArray>("head");
    const QByteArray upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\n"_ba;
    QTest::newRow("POST, Content-Length")
        << "POST /webhook HTTP/1.1\r\nHost: x\r\n" + upgrade + "Content-Length: 70000\r\n\r\n";
    QTest::newRow("POST, chunked") << "POST /webhook HTTP/1.1\r\nHost: x\r\n" + upgrade
            + "Transfer-Encoding: chunked\r\n\r\n11170\r\n";
    QTest::newRow("GET with a body") << "GET /events HTTP/1.1\r\nHost: x\r\n" + upgrade
            + "Content-Length: 70000\r\n\r\n";
}

void TestHttpRequestReader::upgradeWithBodyIsReadAsHttp()
{
    // Issue 14 (14): a request with a body that asks for an upgrade stayed in the socket unread (an
    // upgrade is handed over whole) until the body timeout. It is now read as HTTP, body and all.
    QFETCH(QByteArray, head);
    const bool chunked = head.contains("chunked");
    QByteArray stream = head + QByteArray(70000, 'b');
    if (chunked)
        stream += "\r\n0\r\n\r\n";
    ct::HttpRequestReader reader;
    reader.append(head);
    QCOMPARE(reader.next().status, ParseStatus::Incomplete);
    QVERIFY(reader.headersComplete());
    QVERIFY(!reader.upgradeRequested()); // the connection may stream the body through
    reader.append(stream.mid(head.size()));
    const ct::ParseResult r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QVERIFY(!r.request.upgrade);
    QVERIFY(!r.request.keepAlive); // answered, then closed
    QCOMPARE(r.request.body.size(), 70000);
}

void TestHttpRequestReader::headChecksResetPerRequest()
{
    // Pipelined requests are each checked from their own first byte; a body may hold any bytes.
    ct::HttpRequestReader reader;
    const QByteArray body = "a\nb\r c\r\n d"_ba;
    const QByteArray first =
        "POST / HTTP/1.1\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const auto got = readAll(reader, first + get + get);
    QCOMPARE(got.size(), 3);
    QCOMPARE(got.first().body, body);
    ct::HttpRequestReader second;
    ct::ParseResult last;
    QCOMPARE(readAll(second, {get + "GET / HTTP/1.1\r\nX: 1\n\r\n"_ba}, &last).size(), 1);
    QCOMPARE(last.status, ParseStatus::Malformed);
}

void TestHttpRequestReader::progressFlags()
{
    ct::HttpRequestReader reader;
    QVERIFY(!reader.inRequest());
    reader.append("POST /webhook HTTP/1.1\r\nContent-Le");
    QCOMPARE(reader.next().status, ParseStatus::Incomplete);
    QVERIFY(reader.inRequest());
    QVERIFY(!reader.headersComplete());
    reader.append("ngth: 4\r\n\r\nab");
    QCOMPARE(reader.next().status, ParseStatus::Incomplete);
    QVERIFY(reader.headersComplete());
    reader.append("cd");
    QCOMPARE(reader.next().status, ParseStatus::Ok);
    QVERIFY(!reader.inRequest());
    QVERIFY(!reader.headersComplete());
}

void TestHttpRequestReader::issue2_trailersAreNotHeaders()
{
    // Found by fuzz_httprequestreader: chunked trailers were appended to the headers un-normalised,
    // so a trailer could pose as (or hide behind) a real header such as circleci-signature.
    ct::HttpRequestReader reader;
    reader.append("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
                  "Circleci-Signature: v1=forged\r\nT: t\r\n\r\n");
    const ct::ParseResult r = reader.next();
    QCOMPARE(r.status, ParseStatus::Ok);
    QCOMPARE(r.request.body, "x"_ba);
    QCOMPARE(r.request.headers.size(), 1);
    QVERIFY(!r.request.header("circleci-signature"));
}

void TestHttpRequestReader::issue2_headBytesCountedOncePerByte()
{
    // A long URL or header arriving one byte at a time must count each byte once, not once per
    // callback plus overhead: 12 KiB of head is within the 16 KiB limit however it is split.
    const QByteArray stream =
        "GET /" + QByteArray(6000, 'u') + " HTTP/1.1\r\nX-Long: " + QByteArray(6000, 'v') + "\r\n\r\n";
    QList<QByteArray> bytes;
    for (char c : stream)
        bytes.append(QByteArray(1, c));
    ct::HttpRequestReader reader;
    ct::ParseResult last;
    const auto got = readAll(reader, bytes, &last);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.first().path.size(), 6001);
}

QTEST_GUILESS_MAIN(TestHttpRequestReader)
#include "tst_httprequestreader.moc"
