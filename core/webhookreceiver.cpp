// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/webhookreceiver.h"

#include "core/httpserver.h"
#include "core/logging.h"

using namespace Qt::StringLiterals;

namespace ct {

WebhookReceiver::WebhookReceiver(HttpServer *server, const QByteArray &path, QObject *parent)
    : QObject(parent)
{
    server->route("POST"_ba, path,
                  [this](const HttpRequest &request, HttpResponder responder) { handleRequest(request, responder); });
}

WebhookReceiver::~WebhookReceiver() = default;

void WebhookReceiver::setSecrets(const QList<QByteArray> &secrets)
{
    m_verifier.setSecrets(secrets);
}

void WebhookReceiver::reject(const HttpResponder &responder, int status, const QString &reason,
                             const QByteArray &eventType)
{
    qCWarning(lcReceiver).noquote() << "rejected" << (eventType.isEmpty() ? "delivery"_ba : eventType) << "from"
                                    << responder.peerAddress().toString() << "with" << status << '-' << reason;
    Q_EMIT deliveryRejected(status, reason, eventType);
    responder.respond(HttpResponse::text(status, reason.toUtf8()));
}

void WebhookReceiver::handleRequest(const HttpRequest &request, const HttpResponder &responder)
{
    Q_EMIT requestReceived();
    // Only a short, printable event type is echoed into logs and signals.
    QByteArray eventType = request.header("circleci-event-type").value_or(QByteArrayView()).toByteArray().left(64);
    for (char &c : eventType) {
        if (c < 0x20 || c > 0x7e)
            c = '?';
    }
    if (m_verifier.secretCount() == 0) {
        reject(responder, 503, u"receiver has no webhook secret configured"_s, eventType);
        return;
    }
    const auto signature = request.header("circleci-signature");
    const VerifyResult verified = m_verifier.verify(request.body, signature);
    if (verified != VerifyResult::Valid) {
        reject(responder, 401, QString::fromLatin1(verifyResultReason(verified)), eventType);
        return;
    }
    EventParseResult parsed = m_parser.parse(request.body);
    if (!parsed.ok()) {
        reject(responder, 400, parsed.error, eventType);
        return;
    }
    WebhookDelivery delivery {std::move(parsed.event), request.body, eventType,
                              signature.value_or(QByteArrayView()).toByteArray()};
    qCDebug(lcReceiver).noquote() << "accepted" << eventTypeName(delivery.event.type) << delivery.event.id
                                  << delivery.body.size() << "bytes";
    if (m_handler) {
        m_handler(delivery, responder);
        return;
    }
    Q_EMIT deliveryReceived(delivery);
    responder.respond(HttpResponse::text(200, "ok"_ba));
}

} // namespace ct
