// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QUrl>

#include <optional>

namespace ct {

/*!
 * \brief Which origin the dashboard is, for the Host, Origin, CSP and cookie rules.
 *
 * With a public URL (`--public-url https://relay.example.com`, the relay itself or a TLS proxy in
 * front) that is the only origin: every other Host is refused (DNS rebinding) and every POST and
 * live upgrade must come from exactly it (CSRF, Cross-Site WebSocket Hijacking). Without one the
 * dashboard answers only on loopback names (127.0.0.1, localhost, [::1]) at the relay's port, over
 * TLS if the relay has it. Cookies are `Secure` with the `__Host-` prefix whenever the browser
 * speaks https.
 */
class WebOrigin
{
public:
    //! An https URL, or http on a loopback host; only scheme, host and port (no path). nullopt with \a error.
    static std::optional<QUrl> parsePublicUrl(const QString &text, QString *error);

    WebOrigin() = default;
    WebOrigin(const QUrl &publicUrl, bool relayTls);
    void setPort(quint16 port) { m_port = port; } //!< the relay's listening port (after listen)

    //! The origin ("https://relay.example.com") a page has when the browser named \a host; nullopt
    //! when the dashboard does not answer to that Host.
    std::optional<QByteArray> originFor(QByteArrayView host) const;
    //! The WebSocket origin for the CSP's connect-src ("wss://relay.example.com").
    static QByteArray webSocketOrigin(const QByteArray &origin);
    bool secure() const; //!< the browser sees https: Secure, __Host- cookies
    QByteArray cookieName() const
    {
        return secure() ? QByteArrayLiteral("__Host-ct_session") : QByteArrayLiteral("ct_session");
    }
    bool hasPublicUrl() const { return m_public.isValid(); }

private:
    QUrl m_public;
    bool m_relayTls = false;
    quint16 m_port = 0;
};

} // namespace ct
