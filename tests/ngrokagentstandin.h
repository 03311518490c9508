// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A stand-in for the local ngrok agent's API (issue 10) on 127.0.0.1, port 0: answers
// GET /api/tunnels with a configurable tunnel list, can be stopped and started again on the same
// port (an agent restarted with a new free URL), can answer slowly, with garbage or with an error
// status, and counts the requests it gets.
//
// The shape follows ngrok's documentation of the agent API, "List Tunnels" (GET /api/tunnels, base
// URL http://127.0.0.1:4040/api, no authentication, application/json; https://ngrok.com/docs/agent/api/
// and the older https://ngrok.com/docs/ngrok-agent/api/):
//   {"tunnels":[{"name":"command_line","uri":"/api/tunnels/command_line",
//                "public_url":"https://d95211d2.ngrok.app","proto":"https",
//                "config":{"addr":"localhost:80","inspect":true},
//                "metrics":{"conns":{"count":0,"gauge":0,"rate1":0,"rate5":0,"rate15":0,"p50":0,"p90":0,"p95":0,"p99":0},
//                           "http":{"count":0,"rate1":0,"rate5":0,"rate15":0,"p50":0,"p90":0,"p95":0,"p99":0}}}],
//    "uri":"/api/tunnels"}
// Real agents add an "ID" per tunnel (a v3 agent's answer quoted in a public setup note:
// {"name":"server","ID":"83ec…","uri":"/api/tunnels/server","public_url":"https://88b2-….ngrok-free.app",
//  "proto":"https","config":{"addr":"http://localhost:3001","inspect":true},…}) and report config.addr
// as given or normalised to "http://localhost:80" (pyngrok's debug logs of the agent's answers). A v2
// agent's `ngrok http 80` runs an https tunnel "command_line" and its http twin "command_line (http)";
// a v3 agent runs https only (ngrok's endpoint URL defaults: scheme https). What the agent answers to
// other paths is not documented; here: 404 with a short JSON error.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>

namespace ct::test {

class NgrokAgentStandIn final : public QObject
{
public:
    struct Tunnel
    {
        QString name;
        QString publicUrl; //!< "https://….ngrok-free.app", "http://…", "tcp://0.tcp.ngrok.io:12345"
        QString proto; //!< "https", "http", "tcp"
        QString addr; //!< config.addr as the agent reports it: "http://localhost:8787", "8787", …
    };
    enum class Fault {
        None,
        Garbage, //!< 200 with a body that is not JSON
        NotTunnels, //!< 200 with JSON that has no "tunnels" list
        ServerError, //!< 500
        Silent, //!< accepts, reads, never answers
    };

    NgrokAgentStandIn() { QObject::connect(&m_server, &QTcpServer::newConnection, this, &NgrokAgentStandIn::accept); }
    ~NgrokAgentStandIn() override { stop(); }

    //! Listens on 127.0.0.1: a new port the first time, the same one after stop() (a restarted agent).
    bool start()
    {
        if (!m_server.listen(QHostAddress::LocalHost, m_port))
            return false;
        m_port = m_server.serverPort();
        return true;
    }
    //! Closes the port and every connection, as a killed agent does.
    void stop()
    {
        m_server.close();
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
            if (socket)
                socket->abort();
        }
        m_sockets.clear();
    }
    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_port; }
    //! What the watcher's setAgentApi() takes.
    QUrl tunnelsUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/api/tunnels").arg(m_port)); }

    void setTunnels(const QList<Tunnel> &tunnels) { m_tunnels = tunnels; }
    void setFault(Fault fault) { m_fault = fault; }
    //! Answers only after \a delay (the connection stays open meanwhile).
    void setDelay(std::chrono::milliseconds delay) { m_delay = delay; }

    int requestCount() const { return m_requests; } //!< every request received, whatever its path
    int tunnelRequestCount() const { return m_tunnelRequests; } //!< GET /api/tunnels only
    void resetCounts() { m_requests = m_tunnelRequests = 0; }

    //! The body of GET /api/tunnels for \a tunnels, in ngrok's shape.
    static QByteArray tunnelList(const QList<Tunnel> &tunnels)
    {
        QJsonArray list;
        int id = 0;
        for (const Tunnel &t : tunnels) {
            const QJsonObject zero {{QStringLiteral("count"), 0}, {QStringLiteral("rate1"), 0},
                                    {QStringLiteral("rate5"), 0}, {QStringLiteral("rate15"), 0},
                                    {QStringLiteral("p50"), 0},   {QStringLiteral("p90"), 0},
                                    {QStringLiteral("p95"), 0},   {QStringLiteral("p99"), 0}};
            QJsonObject conns = zero;
            conns.insert(QStringLiteral("gauge"), 0);
            list.append(QJsonObject {
                {QStringLiteral("name"), t.name},
                {QStringLiteral("ID"), QStringLiteral("%1").arg(++id, 32, 16, QLatin1Char('0'))},
                {QStringLiteral("uri"),
                 QString(QStringLiteral("/api/tunnels/") + QString::fromLatin1(QUrl::toPercentEncoding(t.name)))},
                {QStringLiteral("public_url"), t.publicUrl},
                {QStringLiteral("proto"), t.proto},
                {QStringLiteral("config"),
                 QJsonObject {{QStringLiteral("addr"), t.addr},
                              {QStringLiteral("inspect"), t.proto != QStringLiteral("tcp")}}},
                {QStringLiteral("metrics"),
                 QJsonObject {{QStringLiteral("conns"), conns}, {QStringLiteral("http"), zero}}},
            });
        }
        return QJsonDocument(QJsonObject {{QStringLiteral("tunnels"), list},
                                          {QStringLiteral("uri"), QStringLiteral("/api/tunnels")}})
            .toJson(QJsonDocument::Compact);
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            m_sockets.append(socket);
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QObject::connect(socket, &QObject::destroyed, this, [this, socket] { m_buffers.remove(socket); });
            QObject::connect(socket, &QIODevice::readyRead, this, [this, socket] { read(socket); });
        }
    }

    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return; // GETs only: no body to wait for
        const QList<QByteArray> requestLine = buffer.left(buffer.indexOf("\r\n")).split(' ');
        m_buffers.remove(socket);
        ++m_requests;
        const QByteArray method = requestLine.value(0);
        const QByteArray path = requestLine.value(1).split('?').value(0);
        QByteArray status = "200 OK";
        QByteArray body;
        if (path != "/api/tunnels") {
            status = "404 Not Found";
            body = R"({"error_code":100,"status_code":404,"msg":"Not Found"})";
        } else if (method != "GET") {
            status = "405 Method Not Allowed";
            body = R"({"error_code":101,"status_code":405,"msg":"Method Not Allowed"})";
        } else {
            ++m_tunnelRequests;
            switch (m_fault) {
            case Fault::None:
                body = tunnelList(m_tunnels);
                break;
            case Fault::Garbage:
                body = "<html><body>ngrok?</body></html>\x01\x02";
                break;
            case Fault::NotTunnels:
                body = R"({"uri":"/api/tunnels","endpoints":[]})";
                break;
            case Fault::ServerError:
                status = "500 Internal Server Error";
                body = R"({"error_code":103,"status_code":500,"msg":"internal error"})";
                break;
            case Fault::Silent:
                return;
            }
        }
        const QByteArray answer = "HTTP/1.1 " + status
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        QPointer<QTcpSocket> guard(socket);
        auto send = [guard, answer] {
            if (!guard)
                return;
            guard->write(answer);
            guard->disconnectFromHost();
        };
        if (m_delay.count() > 0)
            QTimer::singleShot(m_delay, socket, send);
        else
            send();
    }

    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Tunnel> m_tunnels;
    Fault m_fault = Fault::None;
    std::chrono::milliseconds m_delay {0};
    quint16 m_port = 0;
    int m_requests = 0;
    int m_tunnelRequests = 0;
};

} // namespace ct::test
