// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "relay/logthread.h"

#include <atomic>
#include <functional>
#include <limits>
#include <memory>

namespace ct {

/*!
 * \brief Reads of the event log on a thread of their own: live tailing and catch-up pages.
 *
 * Like LogWriter, the reader has its own EventLog (its own database connection), opened on its
 * thread, so a round trip to PostgreSQL or a page of large events read from disk never stalls the
 * HTTP event loop. Reads run in the order asked; each answer comes back as pageRead() on the thread
 * that made the reader, tagged with the number readAsync() returned.
 */
class LogReader final : public LogThread
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogReader)

public:
    LogReader(Factory factory, const QString &threadName);
    ~LogReader() override { stop(); } //!< here, not in ~LogThread: queued work emits this object's signals

    //! Reads up to \a limit events after \a afterSeq (and at most about \a maxBytes of bodies, at
    //! least one event); returns the request's number, which pageRead() carries.
    quint64 readAsync(qint64 afterSeq, int limit, qint64 maxBytes = std::numeric_limits<qint64>::max());
    //! Lists the device tokens (revoked ones too); tokensRead() carries the request's number.
    quint64 tokensAsync();

Q_SIGNALS:
    //! \a ok is false when the read failed (the database did not answer): an empty page is then
    //! not "nothing new".
    void pageRead(quint64 request, const QList<ct::StoredEvent> &events, bool ok);
    //! Tokens are revoked, never deleted: an empty list means the database did not answer.
    void tokensRead(quint64 request, const QList<ct::TokenInfo> &tokens);

private:
    std::atomic<quint64> m_nextRequest {1};
};

} // namespace ct
