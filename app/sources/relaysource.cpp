// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/sources/relaysource.h"

#include "app/applogging.h"
#include "core/relaymessage.h"

#include <QLocale>
#include <QNetworkInformation>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace ct {

RelaySource::RelaySource(const QUrl &relayUrl, const QByteArray &token, const QList<QByteArray> &secrets,
                         QObject *parent)
    : EventSource(parent)
    , m_url(relayUrl)
    , m_token(token)
    , m_verifier(secrets)
{
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RelaySource::connectNow);
    m_deadLink.setSingleShot(true);
    connect(&m_deadLink, &QTimer::timeout, this, [this] {
        qCInfo(lcAppSource) << "no traffic from the relay for" << m_deadLink.interval() / 1000.0 << "s: reconnecting";
        m_socket.abort(); // → disconnected: handleDisconnected() stops the timers and schedules a retry
    });
    connect(&m_keepalive, &QTimer::timeout, this, [this] { m_socket.ping(); });
    setDeadLinkTimeout(75s);
    m_connectTimeout.setSingleShot(true);
    m_connectTimeout.setInterval(20s);
    connect(&m_connectTimeout, &QTimer::timeout, this, [this] {
        qCInfo(lcAppSource) << "the relay connection did not open within" << m_connectTimeout.interval() / 1000.0
                            << "s: trying again";
        m_socket.abort();
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            handleDisconnected(); // an attempt that never connected emits no disconnected()
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        qCInfo(lcAppSource) << "connected to the relay";
        m_connectTimeout.stop();
        m_deadLink.start();
        m_keepalive.start();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, &RelaySource::handleDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &RelaySource::handleMessage);
    connect(&m_socket, &QWebSocket::pong, this, [this] { m_deadLink.start(); });
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                // Qt reports a refused handshake only in its text ("… Unhandled http status code: 401 …").
                static const QRegularExpression statusCode(u"status code: (\\d{3})"_s);
                const QRegularExpressionMatch http = statusCode.match(m_socket.errorString());
                m_handshakeStatus = http.hasMatch() ? http.captured(1).toInt() : 0;
                if (m_handshakeStatus == 401)
                    m_lastError = u"the relay refused this device's token"_s;
                else if (m_handshakeStatus == 429)
                    m_lastError = u"the relay is refusing this address for a while (too many failed tokens)"_s;
                else if (m_handshakeStatus != 0)
                    m_lastError = u"the relay answered HTTP %1"_s.arg(m_handshakeStatus);
                else
                    m_lastError = m_socket.errorString();
                qCInfo(lcAppSource).noquote() << "relay connection failed:" << m_lastError;
                if (m_socket.state() == QAbstractSocket::UnconnectedState)
                    handleDisconnected();
            });
    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance()) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (m_running && !m_connected && r == QNetworkInformation::Reachability::Online) {
                        m_failures = 0;
                        connectNow();
                    }
                });
    }
}

RelaySource::~RelaySource()
{
    m_running = false;
    disconnect(&m_socket, nullptr, this, nullptr);
    m_socket.abort();
}

QUrl RelaySource::eventsUrl(const QString &typed)
{
    QString text = typed.trimmed();
    if (!text.contains(u"://"_s))
        text = u"wss://"_s + text;
    QUrl url(text);
    if (url.scheme() == u"https")
        url.setScheme(u"wss"_s);
    else if (url.scheme() == u"http")
        url.setScheme(u"ws"_s);
    if (url.path().isEmpty() || url.path() == u"/")
        url.setPath(u"/events"_s);
    url.setQuery(QString());
    return url;
}

void RelaySource::setPosition(const QString &relayId, qint64 lastSeq)
{
    m_relayId = relayId;
    m_lastSeq = lastSeq;
}

void RelaySource::start()
{
    m_running = true;
    m_failures = 0;
    connectNow();
}

void RelaySource::reconnectNow()
{
    if (!m_running)
        return;
    m_failures = 0;
    m_reconnect.stop();
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        connectNow();
    else
        m_socket.abort(); // → disconnected → reconnect (the link is probably dead after a suspend)
}

void RelaySource::setDeadLinkTimeout(std::chrono::milliseconds t)
{
    m_deadLink.setInterval(t);
    m_keepalive.setInterval(t / 4);
}

void RelaySource::stop()
{
    m_running = false;
    m_reconnect.stop();
    m_deadLink.stop();
    m_keepalive.stop();
    m_connectTimeout.stop();
    m_socket.close();
}

QString RelaySource::describe() const
{
    const QString relay = u"relay "_s + m_url.host();
    if (m_connected || m_lastError.isEmpty())
        return relay;
    // Why, since when, and when it tries again.
    const QLocale locale;
    QString text = relay + u" — "_s + m_lastError;
    if (m_disconnectedSince.isValid())
        text += u", since "_s + locale.toString(m_disconnectedSince.toLocalTime().time(), QLocale::ShortFormat);
    if (m_reconnect.isActive())
        text += u"; next try at "_s
            + locale.toString(QDateTime::currentDateTime().addMSecs(m_reconnect.remainingTime()).time(),
                              QLocale::ShortFormat);
    return text;
}

void RelaySource::connectNow()
{
    if (!m_running || m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    QUrl url = m_url;
    url.setQuery(QUrlQuery {{u"since"_s, QString::number(m_lastSeq)}});
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    qCDebug(lcAppSource) << "connecting to" << url.toString(QUrl::RemoveUserInfo);
    m_connectTimeout.start();
    m_socket.open(request);
}

void RelaySource::scheduleReconnect()
{
    if (!m_running || m_reconnect.isActive())
        return;
    // 1 s, 2 s, 4 s … up to a minute, ±25 % so that many apps do not come back in lockstep.
    const double base = std::min(60.0, std::pow(2.0, std::min(m_failures, 6)));
    const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
    ++m_failures;
    m_reconnect.start(int(base * jitter * 1000));
}

void RelaySource::handleDisconnected()
{
    m_deadLink.stop();
    m_keepalive.stop();
    m_connectTimeout.stop();
    const bool wasConnected = std::exchange(m_connected, false);
    m_replaying = false;
    if (wasConnected || !m_disconnectedSince.isValid())
        m_disconnectedSince = QDateTime::currentDateTimeUtc();
    const int code = m_socket.closeCode();
    const int status = std::exchange(m_handshakeStatus, 0);
    if (wasConnected && code != 4001)
        m_lastError = u"connection lost"_s;
    if (code == 4001 && wasConnected) {
        m_lastError = u"the relay revoked this device's token"_s;
        Q_EMIT problem(u"The relay revoked this device's token (from %1): ask for a new one "
                       "(circletray-relay token add NAME) and enter it there."_s.arg(m_tokenOrigin));
        m_failures = 6; // keep trying, slowly: the token may be re-issued under the same name
    } else if (code == 4008) {
        m_failures = 0; // too slow: resume right away from where we are
    }
    if (status == 401 || status == 429) {
        // Asking again at once cannot help: minutes, not seconds, and one popup, not one per try.
        if (status == 401 && !std::exchange(m_toldTokenRefused, true))
            Q_EMIT problem(
                u"The relay refused this device's token (from %1). Check it, or ask for a new one "
                "(circletray-relay token add NAME); CircleTray tries again every few minutes."_s.arg(m_tokenOrigin));
        if (m_running && !m_reconnect.isActive()) {
            const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
            m_reconnect.start(int(m_authRetry.count() * jitter));
        }
        Q_EMIT connectionChanged(false);
        return;
    }
    if (m_running)
        scheduleReconnect();
    // After scheduling: the tooltip built from this says when the next try is.
    Q_EMIT connectionChanged(false);
}

void RelaySource::handleMessage(const QString &text)
{
    m_deadLink.start();
    const RelayMessage m = decodeRelayMessage(text.toUtf8());
    switch (m.type) {
    case RelayMessage::Type::Hello:
        if (!m_relayId.isEmpty() && m.relayId != m_relayId) {
            // A new event log: our sequence numbers mean nothing there. Start over from 0.
            qCInfo(lcAppSource) << "the relay's event log changed; starting over from 0";
            m_relayId = m.relayId;
            m_lastSeq = 0;
            Q_EMIT positionChanged(m_relayId, m_lastSeq);
            m_failures = 0;
            m_socket.close();
            return;
        }
        m_relayId = m.relayId;
        m_failures = 0;
        m_connected = true;
        m_lastError.clear();
        m_disconnectedSince = QDateTime();
        m_toldTokenRefused = false;
        m_replaying = true;
        Q_EMIT connectionChanged(true);
        Q_EMIT positionChanged(m_relayId, m_lastSeq);
        return;
    case RelayMessage::Type::Gap:
        Q_EMIT gap(m.from, m.to);
        Q_EMIT problem(u"%1 builds finished while you were away for longer than the relay keeps history; "
                       "see CircleCI for them."_s.arg(m.to - m.from + 1));
        return;
    case RelayMessage::Type::Event: {
        if (m.seq <= m_lastSeq)
            return; // already processed (a resend after a reconnect)
        bool deliver = true;
        if (m_verifier.secretCount() > 0) {
            const VerifyResult v = m_verifier.verify(m.body, QByteArrayView(m.signature));
            if (v != VerifyResult::Valid) {
                if (m_quietBefore.isValid() && m.receivedAt.isValid() && m.receivedAt < m_quietBefore) {
                    ++m_quietDrops;
                } else {
                    qCWarning(lcAppSource) << "dropped relayed event" << m.seq << ":" << verifyResultReason(v);
                    Q_EMIT problem(u"Dropped a relayed event whose CircleCI signature does not match your webhook "
                                   "secret (%1)."_s.arg(QString::fromLatin1(verifyResultReason(v))));
                }
                deliver = false;
            }
        }
        m_notStored = false;
        if (deliver) {
            const EventParseResult parsed = m_parser.parse(m.body);
            if (parsed.ok())
                Q_EMIT eventReceived(parsed.event, m_replaying);
            else
                qCWarning(lcAppSource) << "relayed event" << m.seq << "does not parse:" << parsed.error;
        }
        m_lastSeq = m.seq;
        // An event the app could not store keeps the saved position before it: the next start asks
        // the relay for it again.
        if (!std::exchange(m_notStored, false) && !m_holdPosition)
            Q_EMIT positionChanged(m_relayId, m_lastSeq);
        else
            m_holdPosition = true;
        return;
    }
    case RelayMessage::Type::Live:
        m_replaying = false;
        if (const int n = std::exchange(m_quietDrops, 0))
            qCInfo(lcAppSource) << "skipped" << n
                                << "relayed event(s) from before the setup signed with another secret";
        Q_EMIT caughtUp();
        return;
    case RelayMessage::Type::Rejected:
        if (const QString text = m_rejections.take(m.count, m.reason); !text.isEmpty())
            Q_EMIT problem(text);
        return;
    case RelayMessage::Type::Invalid:
        qCWarning(lcAppSource) << "ignoring a relay message:" << m.error;
        return;
    }
}

} // namespace ct
