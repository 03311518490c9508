// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhookevent.h"

#include <QByteArrayView>
#include <QString>

#include <memory>

namespace ct {

enum class EventParseStatus {
    Ok,
    InvalidJson, //!< not JSON, not UTF-8, or not an object at the top level
    UnknownType, //!< a `type` this version does not know
    MissingField, //!< a required field is absent or null
    WrongType, //!< a required field has the wrong JSON type
};

struct EventParseResult
{
    EventParseStatus status = EventParseStatus::InvalidJson;
    WebhookEvent event;
    QString error; //!< names the field or the JSON problem; empty when Ok
    bool ok() const { return status == EventParseStatus::Ok; }
};

/*!
 * \brief Parses CircleCI webhook bodies (workflow-completed, job-completed, ping) into WebhookEvent.
 *
 * Uses simdjson's DOM parser, which validates the whole document (including UTF-8) before any
 * field is read, and reuses its buffers across calls. Not thread-safe: one parser per thread.
 */
class EventParser
{
public:
    EventParser();
    ~EventParser();
    EventParser(const EventParser &) = delete;
    EventParser &operator=(const EventParser &) = delete;

    EventParseResult parse(QByteArrayView json);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ct
