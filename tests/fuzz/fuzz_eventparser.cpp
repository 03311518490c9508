// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Fuzzes the webhook body parser and the normalised JSON built from what it accepts.
#include "core/eventjson.h"
#include "core/eventparser.h"
#include "core/statustracker.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ct::EventParser parser;
    static ct::StatusTracker tracker;
    const ct::EventParseResult r = parser.parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!r.ok()) {
        if (r.error.isEmpty())
            std::abort(); // every refusal says why
        return 0;
    }
    const ct::WebhookEvent &e = r.event;
    if (e.id.isEmpty())
        std::abort();
    if (e.pipeline
        && ((e.pipeline->branch && e.pipeline->branch->isEmpty()) || (e.pipeline->tag && e.pipeline->tag->isEmpty())))
        std::abort(); // "" branch/tag must be null
    if (e.type != ct::EventType::Ping && (!e.project || !e.pipeline))
        std::abort();
    if (e.type == ct::EventType::JobCompleted && !e.job)
        std::abort();
    volatile auto sink = ct::eventToJson(e).size();
    (void)sink;
    if (tracker.size() > 10000)
        tracker.clear();
    tracker.record(e);
    return 0;
}
