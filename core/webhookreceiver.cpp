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

namespace {

    //! `application/json`, any case, parameters (`; charset=utf-8`) allowed.
    bool isJsonMediaType(std::optional<QByteArrayView> contentType)
    {
        if (!contentType)
            return false;
        QByteArrayView type = *contentType;
        if (const qsizetype semicolon = type.indexOf(';'); semicolon >= 0)
            type = type.first(semicolon);
        return type.trimmed().compare("application/json", Qt::CaseInsensitive) == 0;
    }

} // namespace

void WebhookReceiver::reject(const HttpResponder &responder, int status, const QString &reason,
                             const QByteArray &eventType, bool looksLikeCircleCi)
{
    qCWarning(lcReceiver).noquote() << "rejected" << (eventType.isEmpty() ? "delivery"_ba : eventType) << "from"
                                    << responder.peerAddress().toString() << "with" << status << '-'
                                    << logQuoted(reason, 200);
    Q_EMIT deliveryRejected(status, reason, eventType, looksLikeCircleCi);
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
    // Before anything else: a browser may send a "simple" cross-site POST (text/plain, a form)
    // without asking first; requiring JSON and refusing browsers' requests leaves it nothing to send.
    if (request.header("origin")) {
        reject(responder, 403, u"requests from web pages (an Origin header) are not accepted"_s, eventType, false);
        return;
    }
    if (!isJsonMediaType(request.header("content-type"))) {
        reject(responder, 415, u"Content-Type must be application/json"_s, eventType, false);
        return;
    }
    const auto signature = request.header("circleci-signature");
    const bool wellFormedSignature = parseSignatureHeader(signature).status == VerifyResult::Valid;
    if (m_verifier.secretCount() == 0) {
        reject(responder, 503, u"receiver has no webhook secret configured"_s, eventType, wellFormedSignature);
        return;
    }
    const VerifyResult verified = m_verifier.verify(request.body, signature);
    if (verified != VerifyResult::Valid) {
        reject(responder, 401, QString::fromLatin1(verifyResultReason(verified)), eventType, wellFormedSignature);
        return;
    }
    EventParseResult parsed = m_parser.parse(request.body);
    if (!parsed.ok()) {
        reject(responder, 400, parsed.error, eventType, true);
        return;
    }
    WebhookDelivery delivery {std::move(parsed.event), request.body, eventType,
                              signature.value_or(QByteArrayView()).toByteArray()};
    qCDebug(lcReceiver).noquote() << "accepted" << eventTypeName(delivery.event.type) << logQuoted(delivery.event.id)
                                  << delivery.body.size() << "bytes";
    if (m_handler) {
        m_handler(delivery, responder);
        return;
    }
    Q_EMIT deliveryReceived(delivery);
    responder.respond(HttpResponse::text(200, "ok"_ba));
}

} // namespace ct
