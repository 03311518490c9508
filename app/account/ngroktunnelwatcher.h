// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <chrono>

class QNetworkReply;

namespace ct {

/*!
 * \brief Finds the public https URL of the local ngrok agent's tunnel to the app's receiver port
 * (direct mode, issue 10), and says when it differs from the one the webhooks point at.
 *
 * Reads the agent API's tunnel list (GET http://127.0.0.1:4040/api/tunnels, ngrok v2 and v3
 * agents): on start(), on checkNow() (resume, network change) and every interval (default 5 min).
 * One request at a time, 2 s per request, never retried on its own: the next check is the next
 * trigger. No proxy, ever: the agent is on this computer.
 */
class NgrokTunnelWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NgrokTunnelWatcher)

public:
    explicit NgrokTunnelWatcher(QObject *parent = nullptr);
    ~NgrokTunnelWatcher() override;

    void setAgentApi(const QUrl &url); //!< default http://127.0.0.1:4040/api/tunnels
    void setLocalPort(quint16 port); //!< the app's receiver port the tunnel must forward to
    void setInterval(std::chrono::milliseconds every); //!< default 5 min; the periodic check
    void setKnownUrl(const QString &url); //!< what the webhooks point at now (no signal for it)
    void start(); //!< checks now, then every interval
    void stop();
    void checkNow(); //!< on resume, network change (coalesced: a check already running is not doubled)
    //! the https URL the last check found forwarding to the port, or empty (none found, or no check yet)
    QString publicUrl() const { return m_publicUrl; }

    static constexpr std::chrono::milliseconds defaultInterval = std::chrono::minutes(5);
    static constexpr std::chrono::milliseconds requestTimeout = std::chrono::seconds(2);

Q_SIGNALS:
    void publicUrlChanged(const QString &url); //!< a different https URL than the known one forwards to the port
    void agentUnavailable(const QString &reason); //!< once per outage (again only if its kind changes)
    void agentAvailable(); //!< after an outage, when a tunnel to the port is found again

private:
    //! Why a check found no tunnel; a new kind during an outage is said again.
    enum class Problem { None, NotRunning, NoAnswer, BadAnswer, NoTunnel };
    enum class Abort { None, Timeout, TooLarge };

    void handleFinished(QNetworkReply *reply);
    void handleDeadline();
    void succeed(const QString &url);
    void fail(Problem problem, const QString &reason);
    QString agentAddress() const;

    QNetworkAccessManager m_network {this}; //!< a child too: tests wait on its finished() for silent checks
    QTimer m_timer; //!< the periodic check; active only between start() and stop()
    QTimer m_deadline; //!< single shot, running only while a request is
    QNetworkReply *m_reply = nullptr;
    Abort m_abort = Abort::None;
    QUrl m_agentApi {QStringLiteral("http://127.0.0.1:4040/api/tunnels")};
    quint16 m_port = 0;
    QString m_knownUrl;
    QString m_publicUrl;
    Problem m_problem = Problem::None; //!< the outage going on, if any
};

} // namespace ct
