// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/relaymessage.h"

#include "core/timestamp.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

    QJsonValue time(const QDateTime &t)
    {
        return t.isValid() ? QJsonValue(QString::fromLatin1(formatTimestamp(t))) : QJsonValue(QJsonValue::Null);
    }

    //! A sequence number: a non-negative whole JSON number no larger than 2^53.
    bool readSeq(const QJsonObject &o, const QString &key, qint64 *out)
    {
        const QJsonValue v = o.value(key);
        if (!v.isDouble())
            return false;
        const double d = v.toDouble();
        if (d < 0 || d > 9007199254740992.0 || d != double(qint64(d)))
            return false;
        *out = qint64(d);
        return true;
    }

    RelayMessage invalid(const QString &why)
    {
        RelayMessage m;
        m.error = why;
        return m;
    }

} // namespace

QByteArray RelayMessage::hello(const QString &relayId, qint64 headSeq, qint64 oldestSeq)
{
    return compact(
        {{u"type"_s, u"hello"_s}, {u"relay_id"_s, relayId}, {u"head_seq"_s, headSeq}, {u"oldest_seq"_s, oldestSeq}});
}

QByteArray RelayMessage::gap(qint64 from, qint64 to)
{
    return compact({{u"type"_s, u"gap"_s}, {u"from"_s, from}, {u"to"_s, to}});
}

QByteArray RelayMessage::event(qint64 seq, const QDateTime &receivedAt, const QByteArray &eventType,
                               const QByteArray &signature, const QByteArray &body)
{
    // The body is valid UTF-8 JSON (the parser checked it), so as a JSON string it comes back to
    // the exact bytes CircleCI signed: clients verify the signature themselves.
    return compact({{u"type"_s, u"event"_s},
                    {u"seq"_s, seq},
                    {u"received_at"_s, time(receivedAt)},
                    {u"event_type"_s, QString::fromLatin1(eventType)},
                    {u"signature"_s, QString::fromLatin1(signature)},
                    {u"body"_s, QString::fromUtf8(body)}});
}

QByteArray RelayMessage::live()
{
    return R"({"type":"live"})"_ba;
}

QByteArray RelayMessage::rejected(const QDateTime &at, const QString &reason, const QByteArray &eventType, qint64 count)
{
    return compact({{u"type"_s, u"rejected"_s},
                    {u"at"_s, time(at)},
                    {u"count"_s, count},
                    {u"reason"_s, reason},
                    {u"event_type"_s,
                     eventType.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromLatin1(eventType))}});
}

RelayMessage decodeRelayMessage(QByteArrayView json)
{
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return invalid(u"not JSON: "_s + error.errorString());
    if (!doc.isObject())
        return invalid(u"not a JSON object"_s);
    const QJsonObject o = doc.object();
    const QString type = o.value(u"type"_s).toString();
    RelayMessage m;
    if (type == u"hello") {
        m.relayId = o.value(u"relay_id"_s).toString();
        if (m.relayId.isEmpty() || !readSeq(o, u"head_seq"_s, &m.headSeq) || !readSeq(o, u"oldest_seq"_s, &m.oldestSeq))
            return invalid(u"hello without relay_id, head_seq or oldest_seq"_s);
        m.type = RelayMessage::Type::Hello;
    } else if (type == u"gap") {
        if (!readSeq(o, u"from"_s, &m.from) || !readSeq(o, u"to"_s, &m.to) || m.from > m.to)
            return invalid(u"gap without a valid from..to"_s);
        m.type = RelayMessage::Type::Gap;
    } else if (type == u"event") {
        if (!readSeq(o, u"seq"_s, &m.seq) || m.seq == 0 || !o.value(u"body"_s).isString())
            return invalid(u"event without seq or body"_s);
        m.receivedAt = parseTimestamp(o.value(u"received_at"_s).toString().toLatin1());
        m.eventType = o.value(u"event_type"_s).toString().toLatin1();
        m.signature = o.value(u"signature"_s).toString().toLatin1();
        m.body = o.value(u"body"_s).toString().toUtf8();
        m.type = RelayMessage::Type::Event;
    } else if (type == u"live") {
        m.type = RelayMessage::Type::Live;
    } else if (type == u"rejected") {
        m.at = parseTimestamp(o.value(u"at"_s).toString().toLatin1());
        m.reason = o.value(u"reason"_s).toString();
        m.eventType = o.value(u"event_type"_s).toString().toLatin1();
        m.count = o.contains(u"count"_s) ? o.value(u"count"_s).toInteger(-1) : 1; // relays before 0.2 sent one each
        if (m.count < 1)
            return invalid(u"rejected with a count that is not a positive integer"_s);
        m.type = RelayMessage::Type::Rejected;
    } else {
        return invalid(u"unknown message type \"%1\""_s.arg(type.left(32)));
    }
    return m;
}

} // namespace ct
