// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httpresponder.h"

#include "core/httpconnection.h"

#include <QTcpSocket>

namespace ct {

HttpResponder::HttpResponder(HttpConnection *connection, quint64 serial)
    : m_connection(connection)
    , m_serial(serial)
{ }

bool HttpResponder::respond(const HttpResponse &response) const
{
    return m_connection && m_connection->respond(m_serial, response);
}

QTcpSocket *HttpResponder::takeOver(QObject *keeper) const
{
    return m_connection ? m_connection->takeOver(m_serial, keeper) : nullptr;
}

bool HttpResponder::isPending() const
{
    return m_connection && m_connection->isPending(m_serial);
}

QHostAddress HttpResponder::peerAddress() const
{
    return m_connection ? m_connection->peerAddress() : QHostAddress();
}

} // namespace ct
