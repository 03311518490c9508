// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A TCP proxy on 127.0.0.1 in front of a local port, whose "network" can fail on purpose:
//   Forward   — bytes flow both ways;
//   Blackhole — bytes vanish and nothing is answered, as when Wi-Fi drops or a laptop leaves a
//               network: no FIN, no RST; new connections are accepted and go nowhere;
//   Refuse    — every connection is closed and new ones are refused.
// Leaving Blackhole cuts the connections it swallowed bytes of (their streams are broken), as a
// NAT that forgot them would.
#pragma once

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>
#include <vector>

namespace ct::test {

class TcpProxy final : public QObject
{
public:
    enum class Mode { Forward, Blackhole, Refuse };

    explicit TcpProxy(quint16 target)
        : m_target(target)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::accept);
    }
    ~TcpProxy() override { cutAll(); }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, m_port) && (m_port = m_server.serverPort()); }
    quint16 port() const { return m_port; }
    int accepted() const { return m_accepted; } //!< connections ever accepted

    void setMode(Mode mode)
    {
        const Mode old = std::exchange(m_mode, mode);
        if (mode == Mode::Refuse) {
            m_server.close();
            cutAll();
        } else if (old == Mode::Refuse) {
            listen();
        } else if (old == Mode::Blackhole && mode == Mode::Forward) {
            cutAll();
        }
    }

private:
    struct Pair
    {
        QPointer<QTcpSocket> client;
        std::unique_ptr<QTcpSocket> upstream;
        QByteArray pending; // from the client before upstream connected
    };

    void accept()
    {
        while (QTcpSocket *client = m_server.nextPendingConnection()) {
            ++m_accepted;
            auto pair = std::make_shared<Pair>();
            pair->client = client;
            m_pairs.push_back(pair);
            QObject::connect(client, &QTcpSocket::readyRead, this, [this, pair] {
                const QByteArray data = pair->client->readAll();
                if (m_mode != Mode::Forward)
                    return; // swallowed
                if (pair->upstream && pair->upstream->state() == QAbstractSocket::ConnectedState)
                    pair->upstream->write(data);
                else
                    pair->pending += data;
            });
            QObject::connect(client, &QTcpSocket::disconnected, this, [this, pair] { drop(pair); });
            if (m_mode != Mode::Forward)
                continue; // held open, going nowhere
            pair->upstream = std::make_unique<QTcpSocket>();
            QTcpSocket *up = pair->upstream.get();
            QObject::connect(up, &QTcpSocket::connected, this,
                             [pair] { pair->upstream->write(std::exchange(pair->pending, {})); });
            QObject::connect(up, &QTcpSocket::readyRead, this, [this, pair] {
                const QByteArray data = pair->upstream->readAll();
                if (m_mode == Mode::Forward && pair->client)
                    pair->client->write(data);
            });
            QObject::connect(up, &QTcpSocket::disconnected, this, [this, pair] {
                if (m_mode == Mode::Forward) // the server closed: pass it on
                    drop(pair);
            });
            up->connectToHost(QHostAddress::LocalHost, m_target);
        }
    }

    void drop(const std::shared_ptr<Pair> &pair)
    {
        std::erase(m_pairs, pair);
        if (pair->upstream)
            pair->upstream->disconnect(this);
        if (pair->client) {
            pair->client->disconnect(this);
            pair->client->abort();
            pair->client->deleteLater();
        }
        if (pair->upstream)
            pair->upstream.release()->deleteLater();
    }

    void cutAll()
    {
        const auto pairs = m_pairs;
        for (const auto &pair : pairs)
            drop(pair);
    }

    quint16 m_target;
    quint16 m_port = 0;
    Mode m_mode = Mode::Forward;
    int m_accepted = 0;
    QTcpServer m_server;
    std::vector<std::shared_ptr<Pair>> m_pairs;
};

} // namespace ct::test
