// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/httprequest.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace ct {

enum class ParseStatus { Ok, Incomplete, HeadersTooLarge, BodyTooLarge, Malformed }; // —, wait, 431, 413, 400

struct ParseResult
{
    ParseStatus status = ParseStatus::Incomplete;
    HttpRequest request; //!< valid when status is Ok
    QString reason; //!< why the request was refused; empty for Ok and Incomplete
};

//! The HTTP status a reader error maps to (431, 413 or 400); 0 for Ok and Incomplete.
int httpStatusFor(ParseStatus status);

struct HttpReaderLimits
{
    qsizetype maxHeaderBytes = 16 * 1024; //!< request line plus header block
    qsizetype maxBodyBytes = 1024 * 1024; //!< after chunked decoding
};

/*!
 * \brief Incremental HTTP/1.x request reader over Node's http_parser.
 *
 * Feed bytes as they arrive with append(), in pieces of any size (down to one byte), then call
 * next() until it says Incomplete. Requests come out one at a time in order (pipelining); keep-alive,
 * Content-Length and chunked bodies are handled. Errors are final: the connection must be closed
 * after answering with httpStatusFor(). A request with both Content-Length and Transfer-Encoding is
 * refused (request smuggling), as are oversized header blocks and bodies, before the body is read.
 */
class HttpRequestReader
{
public:
    explicit HttpRequestReader(HttpReaderLimits limits = {});
    ~HttpRequestReader();
    HttpRequestReader(const HttpRequestReader &) = delete;
    HttpRequestReader &operator=(const HttpRequestReader &) = delete;

    void append(QByteArrayView data);
    ParseResult next();

    //! Bytes of the stream that belong to requests already returned by next().
    qint64 consumedBytes() const;
    //! Some bytes of a request not yet complete have been read.
    bool inRequest() const;
    //! The request being read has all its headers (its body may still be arriving).
    bool headersComplete() const;
    //! The request being read is an upgrade that will be handed over: a GET without a body asking for
    //! one (its bytes after the head are not HTTP). Other requests asking for one are read as HTTP.
    bool upgradeRequested() const;
    //! The request being read sent "Expect: 100-continue" and its body is within limits; true once.
    bool takeExpectContinue();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ct
