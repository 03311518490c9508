// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/httprequestreader.h"

#include <http_parser.h>

using namespace Qt::StringLiterals;

namespace ct {

int httpStatusFor(ParseStatus status)
{
    switch (status) {
    case ParseStatus::HeadersTooLarge:
        return 431;
    case ParseStatus::BodyTooLarge:
        return 413;
    case ParseStatus::Malformed:
        return 400;
    case ParseStatus::Ok:
    case ParseStatus::Incomplete:
        break;
    }
    return 0;
}

namespace {

    //! RFC 9110 token: what a header name may be made of (http_parser, built non-strict, lets spaces through).
    bool isToken(QByteArrayView name)
    {
        if (name.isEmpty())
            return false;
        for (const char c : name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
            if (!ok)
                return false;
        }
        return true;
    }

} // namespace

struct HttpRequestReader::Private
{
    explicit Private(HttpReaderLimits l)
        : limits(l)
    {
        http_parser_init(&parser, HTTP_REQUEST);
        parser.data = this;
        http_parser_settings_init(&settings);
        settings.on_message_begin = [](http_parser *p) { return self(p)->onMessageBegin(); };
        settings.on_url = [](http_parser *p, const char *at, size_t len) { return self(p)->onUrl(at, len); };
        settings.on_header_field = [](http_parser *p, const char *at, size_t len) {
            return self(p)->onHeaderField(at, len);
        };
        settings.on_header_value = [](http_parser *p, const char *at, size_t len) {
            return self(p)->onHeaderValue(at, len);
        };
        settings.on_headers_complete = [](http_parser *p) { return self(p)->onHeadersComplete(); };
        settings.on_body = [](http_parser *p, const char *at, size_t len) { return self(p)->onBody(at, len); };
        settings.on_message_complete = [](http_parser *p) { return self(p)->onMessageComplete(); };
    }

    static Private *self(http_parser *p) { return static_cast<Private *>(p->data); }

    //! Checks the head bytes in the buffer not checked yet; false (with the error set) on a bare LF,
    //! a bare CR or a continuation line. Stops at the blank line that ends the head.
    bool scanHead()
    {
        const qint64 end = bufferBase + buffer.size();
        for (qint64 pos = std::max(scanned, bufferBase); pos < end && scan != Scan::Done; ++pos) {
            const char c = buffer.at(qsizetype(pos - bufferBase));
            switch (scan) {
            case Scan::Start: // http_parser skips empty lines before a request line
                if (c != '\r' && c != '\n')
                    scan = Scan::Line;
                break;
            case Scan::Line:
                if (c == '\n') {
                    fail(ParseStatus::Malformed, u"line ends with a bare LF (CRLF required)"_s);
                    return false;
                }
                if (c == '\r')
                    scan = Scan::Cr;
                break;
            case Scan::Cr:
            case Scan::FinalCr:
                if (c != '\n') {
                    fail(ParseStatus::Malformed, u"CR not followed by LF in the request head"_s);
                    return false;
                }
                scan = scan == Scan::FinalCr ? Scan::Done : Scan::LineStart;
                break;
            case Scan::LineStart:
                if (c == ' ' || c == '\t') {
                    fail(ParseStatus::Malformed, u"folded header line (obs-fold) refused"_s);
                    return false;
                }
                if (c == '\n') {
                    fail(ParseStatus::Malformed, u"line ends with a bare LF (CRLF required)"_s);
                    return false;
                }
                scan = c == '\r' ? Scan::FinalCr : Scan::Line;
                break;
            case Scan::Done:
                break;
            }
            scanned = pos + 1;
        }
        return true;
    }

    int fail(ParseStatus status, const QString &reason)
    {
        error = status;
        errorReason = reason;
        // Not 1 or 2: from on_headers_complete those mean "no body" / "upgrade", not an error.
        return -1; // makes http_parser stop with HPE_CB_*
    }

    int countHead(size_t len)
    {
        headBytes += qsizetype(len);
        if (headBytes > limits.maxHeaderBytes)
            return fail(ParseStatus::HeadersTooLarge,
                        u"request header block larger than %1 bytes"_s.arg(limits.maxHeaderBytes));
        return 0;
    }

    int onMessageBegin()
    {
        current = HttpRequest();
        started = true;
        headBytes = 16; // method, version and CRLF of the request line
        lastWasValue = false;
        return 0;
    }
    int onUrl(const char *at, size_t len)
    {
        current.target.append(at, qsizetype(len));
        return countHead(len);
    }
    int onHeaderField(const char *at, size_t len)
    {
        if (headersDone)
            return countHead(len); // a chunked trailer: never merged into the request's headers
        if (lastWasValue || current.headers.isEmpty())
            current.headers.append(QPair<QByteArray, QByteArray>());
        lastWasValue = false;
        current.headers.last().first.append(at, qsizetype(len));
        return countHead(len);
    }
    int onHeaderValue(const char *at, size_t len)
    {
        if (headersDone)
            return countHead(len);
        if (!lastWasValue)
            headBytes += 4; // ": " and CRLF
        lastWasValue = true;
        current.headers.last().second.append(at, qsizetype(len));
        return countHead(len);
    }
    int onHeadersComplete()
    {
        bool hasLength = false;
        bool hasTransferEncoding = false;
        bool expectContinue = false;
        for (auto &h : current.headers) {
            if (!isToken(h.first))
                return fail(ParseStatus::Malformed, u"invalid header name"_s);
            h.first = h.first.toLower();
            h.second = h.second.trimmed();
            hasLength |= h.first == "content-length";
            hasTransferEncoding |= h.first == "transfer-encoding";
            expectContinue |= h.first == "expect" && h.second.compare("100-continue", Qt::CaseInsensitive) == 0;
        }
        if (hasLength && hasTransferEncoding)
            return fail(ParseStatus::Malformed, u"Content-Length together with Transfer-Encoding"_s);
        if ((parser.flags & F_CONTENTLENGTH) && parser.content_length > quint64(limits.maxBodyBytes))
            return fail(ParseStatus::BodyTooLarge, u"request body larger than %1 bytes"_s.arg(limits.maxBodyBytes));
        if (parser.http_major != 1 || parser.http_minor > 1)
            return fail(ParseStatus::Malformed,
                        u"HTTP version %1.%2 is not supported (1.0 and 1.1 are)"_s.arg(parser.http_major)
                            .arg(parser.http_minor));
        current.method = http_method_str(static_cast<http_method>(parser.method));
        current.versionMajor = parser.http_major;
        current.versionMinor = parser.http_minor;
        const qsizetype q = current.target.indexOf('?');
        current.path = q < 0 ? current.target : current.target.left(q);
        current.query = q < 0 ? QByteArray() : current.target.mid(q + 1);
        const qsizetype hash = current.path.indexOf('#');
        if (hash >= 0)
            current.path.truncate(hash);
        // Only a bodiless GET is handed over as an upgrade (a WebSocket handshake). Any other request
        // that asks for one is read and answered as plain HTTP, body included, and the connection is
        // then closed: a POST with "Connection: Upgrade" must not sit in the socket unread.
        const bool hasBody =
            (parser.flags & F_CHUNKED) || ((parser.flags & F_CONTENTLENGTH) && parser.content_length > 0);
        current.upgrade = parser.upgrade && parser.method == HTTP_GET && !hasBody;
        if ((parser.flags & F_CONTENTLENGTH) && parser.content_length > 0)
            current.body.reserve(qsizetype(parser.content_length));
        headersDone = true;
        pendingContinue = expectContinue && parser.http_minor >= 1;
        return 0;
    }
    int onBody(const char *at, size_t len)
    {
        if (current.body.size() + qsizetype(len) > limits.maxBodyBytes)
            return fail(ParseStatus::BodyTooLarge, u"request body larger than %1 bytes"_s.arg(limits.maxBodyBytes));
        current.body.append(at, qsizetype(len));
        return 0;
    }
    int onMessageComplete()
    {
        current.keepAlive = http_should_keep_alive(&parser) != 0 && !parser.upgrade;
        upgradeAsked = parser.upgrade;
        completed = true;
        http_parser_pause(&parser, 1); // hand this request out before reading the next one
        return 0;
    }

    HttpReaderLimits limits;
    http_parser parser {};
    http_parser_settings settings {};
    QByteArray buffer; //!< bytes appended and not yet given to http_parser
    qint64 bufferBase = 0; //!< stream offset of buffer[0]
    qint64 consumed = 0; //!< stream offset just after the last completed request
    HttpRequest current;
    qsizetype headBytes = 0;
    bool started = false;
    bool headersDone = false;
    bool lastWasValue = false;
    bool completed = false;
    bool pendingContinue = false;
    bool upgraded = false;
    bool upgradeAsked = false; //!< the last request asked for an upgrade (granted or not)
    // The head of each request is checked byte by byte before http_parser sees it: http_parser, built
    // non-strict, accepts bare LF line ends and obs-fold continuation lines (which let a framing
    // header such as Content-Length hide from a proxy in front of us). Both are refused.
    enum class Scan { Start, Line, Cr, LineStart, FinalCr, Done };
    Scan scan = Scan::Start;
    qint64 scanned = 0; //!< stream offset of the next byte to check
    ParseStatus error = ParseStatus::Ok;
    QString errorReason;
};

HttpRequestReader::HttpRequestReader(HttpReaderLimits limits)
    : d(std::make_unique<Private>(limits))
{ }

HttpRequestReader::~HttpRequestReader() = default;

void HttpRequestReader::append(QByteArrayView data)
{
    d->buffer.append(data);
}

ParseResult HttpRequestReader::next()
{
    ParseResult result;
    if (d->error != ParseStatus::Ok) {
        result.status = d->error;
        result.reason = d->errorReason;
        return result;
    }
    if (d->upgraded) {
        // What follows an upgrade request is another protocol: whoever took the request owns the rest.
        result.status = ParseStatus::Malformed;
        result.reason = u"data after a protocol upgrade"_s;
        return result;
    }
    while (!d->buffer.isEmpty()) {
        if (d->scan != Private::Scan::Done && !d->scanHead()) {
            d->buffer.clear();
            result.status = d->error;
            result.reason = d->errorReason;
            return result;
        }
        const size_t n = http_parser_execute(&d->parser, &d->settings, d->buffer.constData(), size_t(d->buffer.size()));
        d->buffer.remove(0, qsizetype(n));
        d->bufferBase += qint64(n);
        const auto err = static_cast<http_errno>(d->parser.http_errno);
        if (d->completed) {
            d->completed = false;
            if (err == HPE_PAUSED)
                http_parser_pause(&d->parser, 0);
            d->consumed = d->bufferBase;
            d->started = false;
            d->headersDone = false;
            d->pendingContinue = false;
            d->upgraded = d->upgradeAsked;
            d->scan = Private::Scan::Start;
            d->scanned = d->bufferBase;
            result.status = ParseStatus::Ok;
            result.request = std::move(d->current);
            d->current = HttpRequest();
            return result;
        }
        if (err != HPE_OK || d->error != ParseStatus::Ok) {
            if (d->error == ParseStatus::Ok) {
                d->error = ParseStatus::Malformed;
                d->errorReason = QString::fromLatin1(http_errno_description(err));
            }
            d->buffer.clear();
            result.status = d->error;
            result.reason = d->errorReason;
            return result;
        }
        if (!d->headersDone && d->bufferBase - d->consumed > d->limits.maxHeaderBytes) {
            // Counts raw bytes too (e.g. endless blank lines or whitespace no callback sees).
            d->fail(ParseStatus::HeadersTooLarge,
                    u"request header block larger than %1 bytes"_s.arg(d->limits.maxHeaderBytes));
            d->buffer.clear();
            result.status = d->error;
            result.reason = d->errorReason;
            return result;
        }
        if (n == 0)
            break; // nothing consumed and no error: cannot happen, but never spin
    }
    result.status = ParseStatus::Incomplete;
    return result;
}

qint64 HttpRequestReader::consumedBytes() const
{
    return d->consumed;
}

bool HttpRequestReader::inRequest() const
{
    return d->started || d->bufferBase > d->consumed;
}

bool HttpRequestReader::headersComplete() const
{
    return d->headersDone;
}

bool HttpRequestReader::upgradeRequested() const
{
    return d->headersDone && d->current.upgrade;
}

bool HttpRequestReader::takeExpectContinue()
{
    return std::exchange(d->pendingContinue, false);
}

} // namespace ct
