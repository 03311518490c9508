// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace ct {

/*!
 * \brief One message of the relay protocol (README, "Relay protocol"): what the relay sends to apps.
 *
 * The relay encodes with the to*() functions, the app decodes with decodeRelayMessage(); both live
 * here so that the two ends cannot drift apart.
 */
struct RelayMessage
{
    enum class Type { Invalid, Hello, Gap, Event, Live, Rejected };
    Type type = Type::Invalid;
    QString error; //!< why a message is Invalid
    // hello
    QString relayId;
    qint64 headSeq = 0;
    qint64 oldestSeq = 0;
    // gap
    qint64 from = 0;
    qint64 to = 0;
    // event
    qint64 seq = 0;
    QDateTime receivedAt;
    QByteArray eventType;
    QByteArray signature;
    QByteArray body; //!< CircleCI's exact bytes
    // rejected
    QDateTime at; //!< of the last one
    QString reason; //!< of the last one
    qint64 count = 0; //!< deliveries refused since the previous notice (the relay coalesces them)

    static QByteArray hello(const QString &relayId, qint64 headSeq, qint64 oldestSeq);
    static QByteArray gap(qint64 from, qint64 to);
    static QByteArray event(qint64 seq, const QDateTime &receivedAt, const QByteArray &eventType,
                            const QByteArray &signature, const QByteArray &body);
    static QByteArray live();
    static QByteArray rejected(const QDateTime &at, const QString &reason, const QByteArray &eventType,
                               qint64 count = 1);
};

//! Decodes one text frame; Invalid (with a reason) for anything that is not a well-formed message.
RelayMessage decodeRelayMessage(QByteArrayView json);

} // namespace ct
