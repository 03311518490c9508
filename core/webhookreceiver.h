// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/eventparser.h"
#include "core/httpresponder.h"
#include "core/webhookevent.h"
#include "core/webhookverifier.h"

#include <QObject>

#include <functional>

namespace ct {

class HttpServer;
struct HttpRequest;

//! A delivery that passed verification and parsing, with the exact bytes and headers CircleCI sent.
struct WebhookDelivery
{
    WebhookEvent event;
    QByteArray body; //!< the raw request body, byte for byte
    QByteArray eventTypeHeader; //!< circleci-event-type, empty when absent
    QByteArray signatureHeader; //!< circleci-signature (secret material: never log it)
};

//! Takes an accepted delivery and answers it through \a responder (200 once it is safely kept, or 503).
using WebhookHandler = std::function<void(const WebhookDelivery &delivery, HttpResponder responder)>;

/*!
 * \brief The CircleCI webhook route: POST → verify signature → parse → handler.
 *
 * Shared by the relay and the app's direct receiver. A request with an `Origin` header (a browser's)
 * is refused 403 and one whose Content-Type is not `application/json` 415, so that no web page can
 * post to a receiver without a CORS preflight, which it never gets. The signature is checked over the raw body
 * before anything is parsed (401 with the reason); then the body is parsed (400 naming the problem).
 * With no secret configured every delivery is answered 503, so CircleCI keeps it and retries once
 * the receiver is set up. Without a handler, accepted deliveries are announced with
 * deliveryReceived() and answered 200 when the connected slots return.
 */
class WebhookReceiver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookReceiver)

public:
    explicit WebhookReceiver(HttpServer *server, const QByteArray &path = QByteArrayLiteral("/webhook"),
                             QObject *parent = nullptr);
    ~WebhookReceiver() override;

    void setSecrets(const QList<QByteArray> &secrets);
    void setHandler(WebhookHandler handler) { m_handler = std::move(handler); }

Q_SIGNALS:
    void requestReceived(); //!< any POST to the route, before it is checked (for metrics)
    void deliveryReceived(const ct::WebhookDelivery &delivery);
    /*!
     * A delivery refused with \a httpStatus (401, 400, 403, 415, 503); \a reason is log-safe.
     * \a looksLikeCircleCi: the request carried a well-formed `v1=` signature (a wrong secret, or a
     * signed body that does not parse) — worth telling a user about, unlike an internet scanner's noise.
     */
    void deliveryRejected(int httpStatus, const QString &reason, const QByteArray &eventType, bool looksLikeCircleCi);

private:
    void handleRequest(const HttpRequest &request, const HttpResponder &responder);
    void reject(const HttpResponder &responder, int status, const QString &reason, const QByteArray &eventType,
                bool looksLikeCircleCi);

    WebhookVerifier m_verifier;
    EventParser m_parser;
    WebhookHandler m_handler;
};

} // namespace ct
