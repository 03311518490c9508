// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The real circletray-relay as a child process on 127.0.0.1 (port 0, read back from its output),
// plus a WebSocket client that records what the relay says.
#pragma once

#include "core/webhookverifier.h"
#include "httptestclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

namespace ct::test {

inline const QByteArray relaySecret = QByteArrayLiteral("relay-test-secret");

class RelayProcess
{
public:
    explicit RelayProcess(QString dataDir = {})
        : m_dataDir(dataDir.isEmpty() ? m_tmp.filePath(QStringLiteral("data")) : dataDir)
    {
        QFile secret(m_tmp.filePath(QStringLiteral("secret")));
        if (secret.open(QIODevice::WriteOnly))
            secret.write("# test secret\n" + relaySecret + '\n');
    }
    ~RelayProcess() { kill(); }

    QString dataDir() const { return m_dataDir; }
    //! Another circletray-relay binary than the one built with the tests (a benchmark's baseline).
    void setProgram(const QString &program) { m_program = program; }
    QString secretFile() const { return m_tmp.filePath(QStringLiteral("secret")); }

    //! Starts `serve` and waits for "listening on …"; false (with the output) if it did not come up.
    bool start(const QStringList &extra = {})
    {
        m_process.setProgram(m_program);
        m_process.setArguments(QStringList {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                                            QStringLiteral("--secret-file"), secretFile(), QStringLiteral("--data-dir"),
                                            m_dataDir}
                               + extra);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return false;
        const bool up = QTest::qWaitFor(
            [this] {
                m_out += m_process.readAllStandardOutput();
                return (m_out.contains("listening on ") && m_out.endsWith('\n'))
                    || m_process.state() == QProcess::NotRunning;
            },
            15000);
        const QByteArray line = m_out.mid(m_out.indexOf("listening on "));
        m_port =
            quint16(line.mid(line.lastIndexOf(':', line.indexOf('\n')) + 1).trimmed().split('\n').value(0).toUInt());
        if (!up || m_port == 0)
            qWarning("relay did not start: %s %s", m_out.constData(), errors().constData());
        return up && m_port != 0;
    }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path); }
    QByteArray output() { return m_out += m_process.readAllStandardOutput(); }
    QByteArray errors() { return m_err += m_process.readAllStandardError(); }

    //! SIGTERM and wait: the graceful path. Returns the exit code (-1 on a crash or timeout).
    int terminate()
    {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitCode();
        ::kill(pid_t(m_process.processId()), SIGTERM);
        const bool done = QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, 15000);
        errors();
        return done && m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    bool signal(int signo) { return ::kill(pid_t(m_process.processId()), signo) == 0; }
    //! SIGKILL: nothing gets to finish.
    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        ::kill(pid_t(m_process.processId()), SIGKILL);
        m_process.waitForFinished(10000);
    }

    //! Runs `circletray-relay token …` against this data dir.
    static QByteArray tokenCommand(const QString &dataDir, const QStringList &args, int *exitCode = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral(CT_RELAY_PATH),
                QStringList {QStringLiteral("token")} + args + QStringList {QStringLiteral("--data-dir"), dataDir});
        p.waitForFinished(15000);
        if (exitCode)
            *exitCode = p.exitCode();
        return p.readAllStandardOutput().trimmed();
    }
    QByteArray addToken(const QString &name) { return tokenCommand(m_dataDir, {QStringLiteral("add"), name}); }

private:
    QTemporaryDir m_tmp;
    QString m_dataDir;
    QString m_program = QStringLiteral(CT_RELAY_PATH);
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
    quint16 m_port = 0;
};

//! A signed POST as CircleCI sends it.
inline QByteArray signedPost(const QByteArray &body, const QByteArray &secret = relaySecret,
                             const QByteArray &type = "workflow-completed", const QByteArray &path = "/webhook")
{
    return "POST " + path
        + " HTTP/1.1\r\nHost: relay\r\nUser-Agent: CircleCI-Webhook/1.0\r\n"
          "Content-Type: application/json\r\ncircleci-event-type: "
        + type + "\r\ncircleci-signature: v1=" + WebhookVerifier::sign(body, secret)
        + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

//! Posts \a body signed to the relay; the HTTP status (0 when no answer came).
inline int post(quint16 port, const QByteArray &body, const QByteArray &secret = relaySecret)
{
    HttpTestClient c;
    if (!c.connectTo(port))
        return 0;
    c.send(signedPost(body, secret));
    const auto r = c.read(10000);
    return r ? r->status : 0;
}

//! A minimal valid workflow-completed body with the given event id, that happened \a happenedAt
//! (default: now; the relay stores nothing older than its retention window).
inline QByteArray eventBody(const QString &id, const QByteArray &status = "success", QDateTime happenedAt = {})
{
    if (!happenedAt.isValid())
        happenedAt = QDateTime::currentDateTimeUtc();
    return R"({"type":"workflow-completed","id":")" + id.toUtf8() + R"(","happened_at":")"
        + happenedAt.toUTC().toString(Qt::ISODateWithMs).toLatin1()
        + R"(","webhook":{"id":"w1","name":"relay"},)"
          R"("project":{"id":"p1","name":"api","slug":"github/org/api"},"organization":{"id":"o1","name":"org"},)"
          R"("workflow":{"id":"wf-)"
        + id.toUtf8() + R"(","name":"build","status":")" + status
        + R"(","url":"https://app.circleci.com/x","created_at":"2026-03-14T09:21:05.112Z"},)"
          R"("pipeline":{"id":"pl1","number":1,"created_at":"2026-03-14T09:21:04.980Z","trigger":{"type":"webhook"},)"
          R"("vcs":{"branch":"main","revision":"abc","commit":{"subject":"Ünïcode ✓","author":{"name":"Zoë","email":"z@e"}}}}})";
}

//! CT_SOAK_SCALE (make soak) multiplies the rounds of fault and abuse tests (10: ten times over).
inline int soakScale()
{
    return std::max(1, qEnvironmentVariableIntValue("CT_SOAK_SCALE"));
}

//! One value from the relay's /metrics ("0" when the series is absent, empty when no answer).
inline QByteArray metric(quint16 port, const QByteArray &name)
{
    HttpTestClient c;
    if (!c.connectTo(port))
        return {};
    c.send("GET /metrics HTTP/1.1\r\n\r\n");
    const auto r = c.read();
    if (!r)
        return {};
    for (const QByteArray &line : r->body.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1);
    }
    return "0";
}

//! The port of a relay started with --metrics-listen 127.0.0.1:0 (0 when it did not say).
inline quint16 metricsPortOf(RelayProcess &relay)
{
    if (!QTest::qWaitFor([&] { return relay.output().contains("metrics listening on 127.0.0.1:"); }, 10000))
        return 0;
    const QByteArray out = relay.output();
    const QByteArray line = out.mid(out.indexOf("metrics listening on "));
    return quint16(line.mid(line.lastIndexOf(':', line.indexOf('\n')) + 1).split('\n').value(0).trimmed().toUInt());
}

//! A WebSocket client of GET /events that records every message as JSON.
class RelayClient
{
public:
    RelayClient()
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived,
                         [this](const QString &m) { messages.append(QJsonDocument::fromJson(m.toUtf8()).object()); });
        QObject::connect(&m_socket, &QWebSocket::disconnected, [this] {
            closeCode = int(m_socket.closeCode()); // as int: 4001 and 4008 are not CloseCode enumerators
            disconnected = true;
        });
    }
    QWebSocket &socket() { return m_socket; }

    //! Opens ws[s]://127.0.0.1:port/events?since=N with \a token; true once connected.
    bool open(quint16 port, const QByteArray &token, qint64 since = 0, bool tls = false)
    {
        QNetworkRequest request(QUrl(QStringLiteral("%1://127.0.0.1:%2/events?since=%3")
                                         .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                                         .arg(port)
                                         .arg(since)));
        if (!token.isNull())
            request.setRawHeader("Authorization", "Bearer " + token);
        QSignalSpy connected(&m_socket, &QWebSocket::connected);
        m_socket.open(request);
        return connected.wait(10000);
    }
    //! Waits until a message of \a type arrived; its index, or -1.
    int waitFor(const QString &type, int timeoutMs = 10000, int from = 0)
    {
        int found = -1;
        [[maybe_unused]] const bool ok = QTest::qWaitFor(
            [&] {
                for (int i = from; i < messages.size(); ++i) {
                    if (messages[i].value(QStringLiteral("type")).toString() == type) {
                        found = i;
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return found;
    }
    QList<QJsonObject> ofType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages) {
            if (m.value(QStringLiteral("type")).toString() == type)
                out.append(m);
        }
        return out;
    }

    QList<QJsonObject> messages;
    bool disconnected = false;
    int closeCode = QWebSocketProtocol::CloseCodeNormal;

private:
    QWebSocket m_socket;
};

} // namespace ct::test
