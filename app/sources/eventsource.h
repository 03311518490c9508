// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QObject>

namespace ct {

/*!
 * \brief Where verified CircleCI events come from: the direct receiver or a relay.
 *
 * An implementation emits eventReceived() for every verified, parsed event, in order. `replay`
 * is true for events a relay sends to catch up after a disconnection (between its hello and
 * live messages), so the app can summarise them instead of flooding the desktop.
 */
class EventSource : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~EventSource() override = default;

    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool isConnected() const = 0;
    virtual QString describe() const = 0; //!< for the tooltip: "direct on 127.0.0.1:8787", "relay relay.example.com"
    //! Called from a slot of eventReceived() when the event could not be stored: do not acknowledge it.
    virtual void eventNotStored() { }

Q_SIGNALS:
    void eventReceived(const ct::WebhookEvent &event, bool replay);
    void caughtUp(); //!< a relay sent live: the replayed events are all in
    void connectionChanged(bool connected);
    void problem(const QString &message); //!< for the user: wrong secret, gap, bind failure, …
};

} // namespace ct
