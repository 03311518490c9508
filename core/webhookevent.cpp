// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/webhookevent.h"

using namespace Qt::StringLiterals;

namespace ct {

StatusClass classifyStatus(QStringView status)
{
    if (status == u"success")
        return StatusClass::Success;
    if (status == u"failed" || status == u"error" || status == u"unauthorized")
        return StatusClass::Failure;
    if (status == u"canceled")
        return StatusClass::Canceled;
    return StatusClass::Unknown;
}

QByteArray statusClassName(StatusClass c)
{
    switch (c) {
    case StatusClass::Success:
        return "success"_ba;
    case StatusClass::Failure:
        return "failure"_ba;
    case StatusClass::Canceled:
        return "canceled"_ba;
    case StatusClass::Unknown:
        break;
    }
    return "unknown"_ba;
}

QByteArray eventTypeName(EventType t)
{
    switch (t) {
    case EventType::WorkflowCompleted:
        return "workflow-completed"_ba;
    case EventType::JobCompleted:
        return "job-completed"_ba;
    case EventType::Ping:
        break;
    }
    return "ping"_ba;
}

std::optional<EventType> eventTypeFromName(QByteArrayView name)
{
    if (name == "workflow-completed")
        return EventType::WorkflowCompleted;
    if (name == "job-completed")
        return EventType::JobCompleted;
    if (name == "ping")
        return EventType::Ping;
    return std::nullopt;
}

} // namespace ct
