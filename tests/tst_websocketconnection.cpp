// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// One server-side WebSocket on a real loopback socket: pings, both close handshakes, protocol
// errors, what the kernel refuses queued and delivered intact, a peer that resets mid-write.
#include "relay/websocket/descriptorreactor.h"
#include "relay/websocket/websocketconnection.h"
#include "relay/websocket/websocketframer.h"
#include "websocketclientframe.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace ct;
using ct::test::clientFrame;

namespace {

const QByteArray handshakeAnswer = "HTTP/1.1 101 Switching Protocols\r\n\r\n"_ba;

// The relay's frames as the client reads them: (opcode, payload).
QList<QPair<int, QByteArray>> serverFrames(QByteArray &in)
{
    QList<QPair<int, QByteArray>> out;
    for (;;) {
        if (in.size() < 2)
            break;
        const auto *p = reinterpret_cast<const uchar *>(in.constData());
        qsizetype header = 2;
        quint64 n = p[1] & 0x7F;
        if (n == 126) {
            if (in.size() < 4)
                break;
            n = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (n == 127) {
            if (in.size() < 10)
                break;
            n = 0;
            for (int k = 0; k < 8; ++k)
                n = (n << 8) | p[2 + k];
            header = 10;
        }
        if (quint64(in.size() - header) < n)
            break;
        out.append({p[0] & 0x0F, in.mid(header, qsizetype(n))});
        in.remove(0, header + qsizetype(n));
    }
    return out;
}

} // namespace

class TestWebSocketConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void pingIsAnswered();
    void peerClosesFirst();
    void relayClosesFirst();
    void protocolErrorIsClosed_data();
    void protocolErrorIsClosed();
    void whatTheKernelRefusesIsQueued();
    void peerResetDuringWritesIsOneDisconnect();

private:
    //! Connects a client, hands the server's socket to a WebSocketConnection after \a firstFrames
    //! arrived with the request head.
    bool open(const QByteArray &firstFrames = {}, int clientReceiveBuffer = 0);
    QByteArray readClient(int atLeast, int timeoutMs = 5000);

    QTcpServer m_server;
    DescriptorReactor m_reactor;
    std::unique_ptr<QTcpSocket> m_client;
    WebSocketConnection *m_conn = nullptr;
    std::unique_ptr<QSignalSpy> m_disconnected;
    QByteArray m_fromServer;
};

void TestWebSocketConnection::init()
{
    QVERIFY(m_server.isListening() || m_server.listen(QHostAddress::LocalHost));
    m_fromServer.clear();
}

void TestWebSocketConnection::cleanup()
{
    m_disconnected.reset();
    delete m_conn;
    m_conn = nullptr;
    m_client.reset();
}

bool TestWebSocketConnection::open(const QByteArray &firstFrames, int clientReceiveBuffer)
{
    m_client = std::make_unique<QTcpSocket>();
    if (clientReceiveBuffer > 0)
        m_client->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, clientReceiveBuffer);
    m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
    if (!m_client->waitForConnected(5000) || !m_server.waitForNewConnection(5000))
        return false;
    QTcpSocket *serverSide = m_server.nextPendingConnection();
    const QByteArray head = "GET /events HTTP/1.1\r\nHost: relay\r\n\r\n"_ba;
    m_client->write(head + firstFrames);
    if (!QTest::qWaitFor([&] { return serverSide->bytesAvailable() >= head.size() + firstFrames.size(); }, 5000))
        return false;
    m_conn = new WebSocketConnection(4096, &m_reactor);
    m_disconnected = std::make_unique<QSignalSpy>(m_conn, &WebSocketConnection::disconnected);
    m_conn->start(serverSide, handshakeAnswer);
    return true;
}

QByteArray TestWebSocketConnection::readClient(int atLeast, int timeoutMs)
{
    (void)QTest::qWaitFor(
        [&] {
            m_fromServer += m_client->readAll();
            return m_fromServer.size() >= atLeast;
        },
        timeoutMs);
    return m_fromServer;
}

void TestWebSocketConnection::pingIsAnswered()
{
    QVERIFY(open(clientFrame(0x89, "in-the-upgrade-packet")));
    QSignalSpy received(m_conn, &WebSocketConnection::received);
    m_client->write(clientFrame(0x89, "later"));
    QVERIFY(readClient(handshakeAnswer.size() + 2 + 21 + 2 + 5).startsWith(handshakeAnswer));
    m_fromServer.remove(0, handshakeAnswer.size());
    const auto frames = serverFrames(m_fromServer);
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames[0], qMakePair(0xA, "in-the-upgrade-packet"_ba)); // pongs, in order, same payload
    QCOMPARE(frames[1], qMakePair(0xA, "later"_ba));
    QVERIFY(received.count() >= 1);
    QCOMPARE(m_disconnected->count(), 0);
}

void TestWebSocketConnection::peerClosesFirst()
{
    QVERIFY(open());
    m_client->write(clientFrame(0x88, "\x0f\xa0"_ba + "bye")); // 4000
    QVERIFY(QTest::qWaitFor(
        [&] {
            m_fromServer += m_client->readAll();
            return m_client->state() == QAbstractSocket::UnconnectedState; // the relay answered and closed
        },
        5000));
    m_fromServer += m_client->readAll();
    m_fromServer.remove(0, handshakeAnswer.size());
    const auto frames = serverFrames(m_fromServer);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0], qMakePair(0x8, "\x0f\xa0"_ba)); // the code echoed
    QTRY_COMPARE(m_disconnected->count(), 1);
    QTest::qWait(100);
    QCOMPARE(m_disconnected->count(), 1); // once
    QVERIFY(!m_conn->isConnected());
}

void TestWebSocketConnection::relayClosesFirst()
{
    QVERIFY(open());
    m_conn->sendText("before");
    m_conn->close(4001, "token revoked");
    m_conn->sendText("after"); // nothing after the close frame
    readClient(handshakeAnswer.size() + 8 + 17);
    m_fromServer.remove(0, handshakeAnswer.size());
    auto frames = serverFrames(m_fromServer);
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames[0], qMakePair(0x1, "before"_ba));
    QCOMPARE(frames[1], qMakePair(0x8, "\x0f\xa1token revoked"_ba));
    QCOMPARE(m_disconnected->count(), 0); // waits for the peer's answer
    m_client->write(clientFrame(0x88, "\x0f\xa1"_ba));
    QTRY_COMPARE(m_disconnected->count(), 1);
    QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState); // the relay closed its side
}

void TestWebSocketConnection::protocolErrorIsClosed_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::newRow("unmasked") << clientFrame(0x81, "x", false) << 1002;
    QTest::newRow("text not UTF-8") << clientFrame(0x81, "\xff") << 1007;
    QTest::newRow("over the limit") << "\x82\xfe\x10\x01\x00\x00\x00\x00"_ba << 1009; // 4097 bytes announced
}

void TestWebSocketConnection::protocolErrorIsClosed()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    QVERIFY(open());
    m_client->write(frame);
    // The close frame, then the relay's half-close: the client sees the end without answering.
    QVERIFY(QTest::qWaitFor(
        [&] {
            m_fromServer += m_client->readAll();
            return m_fromServer.size() > handshakeAnswer.size() + 4;
        },
        5000));
    m_fromServer.remove(0, handshakeAnswer.size());
    const auto frames = serverFrames(m_fromServer);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].first, 0x8);
    QCOMPARE(WebSocketFramer::closeCode(frames[0].second), quint16(code));
    m_client->disconnectFromHost();
    QTRY_COMPARE(m_disconnected->count(), 1);
}

void TestWebSocketConnection::whatTheKernelRefusesIsQueued()
{
    QVERIFY(open({}, 4096));
    m_client->setReadBufferSize(1); // reads (almost) nothing: the window closes
    QSignalSpy written(m_conn, &WebSocketConnection::bytesWritten);
    const QByteArray payload(60'000, 'p');
    QByteArray expected;
    for (int i = 0; i < 100; ++i) {
        QByteArray p = payload;
        p.replace(0, 8, QByteArray::number(10'000'000 + i));
        const QByteArray f = WebSocketFramer::frame(WebSocketFramer::Opcode::Text, p);
        m_conn->sendFrame(f);
        expected += f;
    }
    QVERIFY(m_conn->bytesToWrite() > 0); // 6 MB do not fit in the kernel's buffers
    m_client->setReadBufferSize(0);
    readClient(handshakeAnswer.size() + expected.size(), 20000);
    QCOMPARE(m_fromServer.size(), handshakeAnswer.size() + expected.size());
    QVERIFY(m_fromServer.sliced(handshakeAnswer.size()) == expected); // whole, in order
    QTRY_COMPARE(m_conn->bytesToWrite(), 0);
    QVERIFY(written.count() > 0);
    QCOMPARE(m_disconnected->count(), 0);
}

void TestWebSocketConnection::peerResetDuringWritesIsOneDisconnect()
{
    QVERIFY(open({}, 4096));
    m_client->setReadBufferSize(1);
    const QByteArray f = WebSocketFramer::frame(WebSocketFramer::Opcode::Text, QByteArray(50'000, 'x'));
    for (int i = 0; i < 20; ++i)
        m_conn->sendFrame(f);
    m_client->abort(); // unread bytes: the kernel answers with a reset
    for (int i = 0; i < 200 && m_disconnected->count() == 0; ++i) {
        m_conn->sendFrame(f); // from inside a "broadcast": no signal emitted here
        QCOMPARE(m_disconnected->count(), 0);
        QTest::qWait(5);
    }
    QTRY_COMPARE(m_disconnected->count(), 1);
    QTest::qWait(100);
    QCOMPARE(m_disconnected->count(), 1);
    QCOMPARE(m_conn->bytesToWrite(), 0); // the queue went with the connection
}

QTEST_GUILESS_MAIN(TestWebSocketConnection)
#include "tst_websocketconnection.moc"
