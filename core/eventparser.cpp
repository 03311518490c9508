// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/eventparser.h"

#include "core/logging.h"
#include "core/timestamp.h"

#include <charconv>
#include <simdjson.h>

using namespace Qt::StringLiterals;
namespace dom = simdjson::dom;

namespace ct {

namespace {

    QString toQString(std::string_view s)
    {
        return QString::fromUtf8(s.data(), qsizetype(s.size()));
    }

    std::optional<dom::element> child(dom::element parent, std::string_view key)
    {
        dom::element value;
        if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.is_null())
            return std::nullopt;
        return value;
    }

    std::optional<std::string_view> stringAt(dom::element parent, std::string_view key)
    {
        const auto value = child(parent, key);
        std::string_view s;
        if (!value || value->get_string().get(s) != simdjson::SUCCESS)
            return std::nullopt;
        return s;
    }

    //! A child object, or nullopt when absent, null or not an object.
    std::optional<dom::element> childObject(std::optional<dom::element> parent, std::string_view key)
    {
        if (!parent)
            return std::nullopt;
        auto value = child(*parent, key);
        return value && value->is_object() ? value : std::nullopt;
    }

    //! One place a value may be found; "" and null there mean "try the next".
    struct Candidate
    {
        const std::optional<dom::element> &object;
        std::string_view key;
        bool firstLineOnly = false;
    };

    OptString firstNonEmpty(std::initializer_list<Candidate> candidates)
    {
        for (const Candidate &c : candidates) {
            if (!c.object)
                continue;
            auto s = stringAt(*c.object, c.key);
            if (!s)
                continue;
            if (c.firstLineOnly)
                s = s->substr(0, s->find('\n'));
            while (!s->empty() && (s->back() == '\r' || s->back() == ' '))
                s->remove_suffix(1);
            if (!s->empty())
                return toQString(*s);
        }
        return std::nullopt;
    }

    class Reader
    {
    public:
        EventParseStatus status = EventParseStatus::Ok;
        QString error;

        bool failed() const { return status != EventParseStatus::Ok; }

        void fail(EventParseStatus s, const QString &message)
        {
            if (failed())
                return; // the first problem is the one worth reporting
            status = s;
            error = message;
        }

        std::optional<dom::element> requiredObject(dom::element parent, std::string_view key, const QString &name)
        {
            const auto value = requiredValue(parent, key, name);
            if (value && !value->is_object()) {
                fail(EventParseStatus::WrongType, u"field %1 must be an object"_s.arg(name));
                return std::nullopt;
            }
            return value;
        }

        QString requiredString(dom::element parent, std::string_view key, const QString &name)
        {
            const auto value = requiredValue(parent, key, name);
            std::string_view s;
            if (value && value->get_string().get(s) != simdjson::SUCCESS) {
                fail(EventParseStatus::WrongType, u"field %1 must be a string"_s.arg(name));
                return {};
            }
            return toQString(s);
        }

        //! A string that identifies something (dedupe keys, tracker keys): "" is refused too.
        QString requiredId(dom::element parent, std::string_view key, const QString &name)
        {
            QString s = requiredString(parent, key, name);
            if (!failed() && s.isEmpty())
                fail(EventParseStatus::MissingField, u"field %1 must not be empty"_s.arg(name));
            return s;
        }

        //! An integer, also accepted as a string of digits (CircleCI sends many numbers as strings).
        qint64 requiredInteger(dom::element parent, std::string_view key, const QString &name)
        {
            const auto value = requiredValue(parent, key, name);
            if (!value)
                return 0;
            int64_t n = 0;
            if (value->get_int64().get(n) == simdjson::SUCCESS)
                return n;
            std::string_view s;
            if (value->get_string().get(s) == simdjson::SUCCESS) {
                const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
                if (ec == std::errc() && end == s.data() + s.size() && !s.empty())
                    return n;
            }
            fail(EventParseStatus::WrongType, u"field %1 must be an integer"_s.arg(name));
            return 0;
        }

    private:
        std::optional<dom::element> requiredValue(dom::element parent, std::string_view key, const QString &name)
        {
            const auto value = child(parent, key);
            if (!value)
                fail(EventParseStatus::MissingField, u"missing required field %1"_s.arg(name));
            return value;
        }
    };

    //! Optional string: absent, null or not a string → nullopt; "" is kept ("names are kept as sent").
    OptString optionalString(dom::element parent, std::string_view key)
    {
        const auto s = stringAt(parent, key);
        return s ? OptString(toQString(*s)) : std::nullopt;
    }

    QDateTime optionalTime(dom::element parent, std::string_view key)
    {
        const auto s = stringAt(parent, key);
        return s ? parseTimestamp(QByteArrayView(s->data(), qsizetype(s->size()))) : QDateTime();
    }

    WorkflowInfo readWorkflow(Reader &r, dom::element obj, bool statusRequired)
    {
        WorkflowInfo w;
        w.id = r.requiredId(obj, "id", u"workflow.id"_s);
        w.name = r.requiredString(obj, "name", u"workflow.name"_s);
        if (statusRequired)
            w.status = r.requiredString(obj, "status", u"workflow.status"_s);
        else
            w.status = optionalString(obj, "status");
        w.statusClass = w.status ? classifyStatus(*w.status) : StatusClass::Unknown;
        w.url = optionalString(obj, "url");
        w.createdAt = optionalTime(obj, "created_at");
        w.stoppedAt = optionalTime(obj, "stopped_at");
        return w;
    }

    PipelineInfo readPipeline(Reader &r, dom::element obj)
    {
        PipelineInfo p;
        p.id = r.requiredString(obj, "id", u"pipeline.id"_s);
        p.number = r.requiredInteger(obj, "number", u"pipeline.number"_s);
        p.createdAt = optionalTime(obj, "created_at");
        if (const auto trigger = child(obj, "trigger"); trigger && trigger->is_object())
            p.triggerType = optionalString(*trigger, "type");

        // Extraction order from the spec (§5.3): vcs first, then the trigger-parameter maps. Each
        // object is looked up once; the candidates below only read keys from them.
        const auto vcs = childObject(obj, "vcs");
        const auto commit = childObject(vcs, "commit");
        const auto author = childObject(commit, "author");
        const auto triggerParameters = childObject(obj, "trigger_parameters");
        const auto git = childObject(triggerParameters, "git");
        const auto gitlab = childObject(triggerParameters, "gitlab");
        const auto githubApp = childObject(triggerParameters, "github_app");
        p.branch = firstNonEmpty({{vcs, "branch"}, {git, "branch"}, {gitlab, "branch"}, {githubApp, "branch"}});
        p.tag = firstNonEmpty({{vcs, "tag"}, {git, "tag"}, {gitlab, "tag"}});
        p.revision = firstNonEmpty(
            {{vcs, "revision"}, {git, "checkout_sha"}, {gitlab, "commit_sha"}, {githubApp, "commit_sha"}});
        p.commitSubject = firstNonEmpty({{commit, "subject"},
                                         {gitlab, "commit_title"},
                                         {githubApp, "commit_title"},
                                         {git, "commit_message", true},
                                         {gitlab, "commit_message", true}});
        p.commitAuthorName = firstNonEmpty({{author, "name"},
                                            {gitlab, "commit_author_name"},
                                            {git, "commit_author_name"},
                                            {githubApp, "commit_author_name"}});
        p.commitAuthorEmail = firstNonEmpty({{author, "email"},
                                             {gitlab, "commit_author_email"},
                                             {git, "commit_author_email"},
                                             {githubApp, "commit_author_email"}});
        return p;
    }

    JobInfo readJob(Reader &r, dom::element obj, const std::optional<WorkflowInfo> &workflow)
    {
        JobInfo j;
        j.id = r.requiredId(obj, "id", u"job.id"_s);
        j.name = r.requiredString(obj, "name", u"job.name"_s);
        j.number = r.requiredInteger(obj, "number", u"job.number"_s);
        j.status = r.requiredString(obj, "status", u"job.status"_s);
        j.statusClass = classifyStatus(j.status);
        j.startedAt = optionalTime(obj, "started_at");
        j.stoppedAt = optionalTime(obj, "stopped_at");
        if (workflow && workflow->url && !workflow->url->isEmpty()) {
            QString base = *workflow->url;
            while (base.endsWith(u'/'))
                base.chop(1);
            j.url = base + u"/jobs/"_s + QString::number(j.number);
        }
        return j;
    }

} // namespace

struct EventParser::Private
{
    dom::parser parser;
};

EventParser::EventParser()
    : d(std::make_unique<Private>())
{ }

EventParser::~EventParser() = default;

/*!
 * \brief Parses one webhook body. Never throws; on failure the result names the JSON problem or field.
 *
 * Required: type, id (non-empty), webhook.id; for workflow and job events also project.{id,slug},
 * organization.id, pipeline.{id,number} and workflow.{id,name} (workflow.status for
 * workflow-completed), and job.{id,name,number,status} for job-completed. A job event without a
 * workflow object (the docs' GitLab sample) is accepted. Everything else may be absent or null.
 */
EventParseResult EventParser::parse(QByteArrayView json)
{
    EventParseResult result;
    if (json.isEmpty()) {
        // Also keeps a null data pointer away from simdjson's memcpy (undefined behaviour).
        result.status = EventParseStatus::InvalidJson;
        result.error = u"invalid JSON: the body is empty"_s;
        return result;
    }
    dom::element root;
    // realloc_if_needed: the input is copied into simdjson's padded buffer (QByteArray has no padding).
    if (const auto err = d->parser.parse(json.data(), size_t(json.size()), true).get(root); err != simdjson::SUCCESS) {
        result.status = EventParseStatus::InvalidJson;
        result.error = u"invalid JSON: "_s + QString::fromLatin1(simdjson::error_message(err));
        return result;
    }
    if (!root.is_object()) {
        result.status = EventParseStatus::InvalidJson;
        result.error = u"invalid JSON: the body is not an object"_s;
        return result;
    }

    Reader r;
    WebhookEvent &e = result.event;
    const QString type = r.requiredString(root, "type", u"type"_s);
    if (!r.failed()) {
        const auto known = eventTypeFromName(type.toUtf8());
        if (!known) {
            result.status = EventParseStatus::UnknownType;
            result.error = u"unknown event type %1"_s.arg(logQuoted(type, 64));
            return result;
        }
        e.type = *known;
    }
    e.id = r.requiredId(root, "id", u"id"_s);
    if (const auto happened = stringAt(root, "happened_at"))
        e.happenedAt = parseTimestamp(QByteArrayView(happened->data(), qsizetype(happened->size())));
    if (const auto webhook = r.requiredObject(root, "webhook", u"webhook"_s)) {
        e.webhook.id = r.requiredString(*webhook, "id", u"webhook.id"_s);
        e.webhook.name = optionalString(*webhook, "name");
    }

    if (!r.failed() && e.type != EventType::Ping) {
        if (const auto project = r.requiredObject(root, "project", u"project"_s)) {
            ProjectInfo p;
            p.id = r.requiredString(*project, "id", u"project.id"_s);
            p.name = optionalString(*project, "name");
            p.slug = r.requiredId(*project, "slug", u"project.slug"_s);
            e.project = std::move(p);
        }
        if (const auto org = r.requiredObject(root, "organization", u"organization"_s)) {
            OrganizationInfo o;
            o.id = r.requiredString(*org, "id", u"organization.id"_s);
            o.name = optionalString(*org, "name");
            e.organization = std::move(o);
        }
        const bool isWorkflowEvent = e.type == EventType::WorkflowCompleted;
        if (isWorkflowEvent) {
            if (const auto workflow = r.requiredObject(root, "workflow", u"workflow"_s))
                e.workflow = readWorkflow(r, *workflow, true);
        } else if (const auto workflow = child(root, "workflow")) {
            if (workflow->is_object())
                e.workflow = readWorkflow(r, *workflow, false);
            else
                r.fail(EventParseStatus::WrongType, u"field workflow must be an object"_s);
        }
        if (const auto pipeline = r.requiredObject(root, "pipeline", u"pipeline"_s))
            e.pipeline = readPipeline(r, *pipeline);
        if (!isWorkflowEvent) {
            if (const auto job = r.requiredObject(root, "job", u"job"_s))
                e.job = readJob(r, *job, e.workflow);
        }
    }

    if (r.failed()) {
        result.status = r.status;
        result.error = r.error;
        result.event = WebhookEvent();
        return result;
    }
    result.status = EventParseStatus::Ok;
    return result;
}

} // namespace ct
