// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A raw HTTP/1.1 client for tests: writes bytes as given, reads responses one by one.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpSocket>
#include <QTest>

#include <optional>

namespace ct::test {

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
};

class HttpTestClient
{
public:
    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(5000);
    }
    QTcpSocket &socket() { return m_socket; }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    //! The next complete response, or nullopt if none arrived within \a timeoutMs (runs the event loop).
    std::optional<RawResponse> read(int timeoutMs = 5000)
    {
        std::optional<RawResponse> r;
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                r = take();
                return r.has_value() || m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
        if (!r) {
            m_buffer += m_socket.readAll();
            r = take();
        }
        return r;
    }

    //! Waits until the server closes the connection (runs the event loop).
    bool waitForClose(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

private:
    std::optional<RawResponse> take()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        RawResponse r;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        r.status = lines.value(0).split(' ').value(1).toInt();
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            r.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
            if (r.headers.last().first == "content-length")
                length = r.headers.last().second.toLongLong();
        }
        if (m_buffer.size() < end + 4 + length)
            return std::nullopt;
        r.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return r;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace ct::test
