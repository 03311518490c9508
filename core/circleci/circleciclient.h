// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/apierror.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <deque>
#include <functional>

namespace ct {

/*!
 * \brief CircleCI's REST API (v2, and v1.1 where v2 has no equivalent) with a personal API token.
 *
 * Asynchronous and sequential: one request in flight at a time, the others queued in order, so a
 * burst of calls never becomes a burst at CircleCI. The token goes in the `Circle-Token` header
 * (accepted by v1.1 and v2, on cloud and server), never in a URL, never in a log. Every answer
 * comes back as a Reply whose error is a value (ApiError) naming what went wrong. A 429 is waited
 * out — `Retry-After` when CircleCI sends it, else exponential backoff with jitter — within a
 * per-call budget, and GETs are retried after a 5xx; after that the error is the caller's.
 * The host is `https://circleci.com` or a CircleCI server's `https://<host>`; plain http only to
 * this computer (the tests' stand-in), never elsewhere.
 */
class CircleCiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CircleCiClient)

public:
    enum class Api { V2, V1_1 };
    struct Reply
    {
        int status = 0;
        QJsonDocument json;
        ApiError error;
        bool ok() const { return error.ok(); }
    };
    using Handler = std::function<void(const Reply &)>;
    struct Pages
    {
        QJsonArray items;
        ApiError error;
        bool truncated = false; //!< stopped at the page cap, or at a page token seen before
    };
    using PagesHandler = std::function<void(const Pages &)>;

    explicit CircleCiClient(QObject *parent = nullptr);
    ~CircleCiClient() override;

    static QUrl defaultHost() { return QUrl(QStringLiteral("https://circleci.com")); }
    //! `https://circleci.com`, `https://ci.example.com` or a bare host name (https is assumed).
    void setHost(const QUrl &host);
    QUrl host() const { return m_host; }
    void setToken(const QByteArray &token) { m_token = token.trimmed(); }
    bool hasToken() const { return !m_token.isEmpty(); }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    //! Per call: at most \a retries more tries after a 429 (or a 5xx on a GET), and never more than
    //! \a maxWait of waiting in all; a longer `Retry-After` fails at once, saying when to try again.
    void setRetryBudget(int retries, std::chrono::milliseconds maxWait);
    void setCaCertificates(const QList<QSslCertificate> &certificates) { m_caCertificates = certificates; }

    //! \a path below /api/v2 (or /api/v1.1), already encoded: build it with segment() and slugPath().
    void get(const QString &path, const QUrlQuery &query, Handler done, Api api = Api::V2);
    void post(const QString &path, const QJsonObject &body, Handler done);
    void put(const QString &path, const QJsonObject &body, Handler done);
    void deleteResource(const QString &path, Handler done);
    //! Every page of an `{"items": […], "next_page_token": …}` list, in order; stops at \a maxPages
    //! and at a page token seen before (a server looping on its pages), saying so in `truncated`.
    void getAll(const QString &path, const QUrlQuery &query, PagesHandler done, int maxPages = 50);
    //! Drops every queued call (their handlers are never called) and aborts the one in flight.
    void abortAll();
    bool isIdle() const { return !m_inFlight && m_queue.empty() && !m_retryTimer.isActive(); }

    //! One path segment, percent-encoded.
    static QString segment(const QString &value);
    //! A project slug as a path (`gh/acme/api`): each segment encoded, the slashes kept literal
    //! (CircleCI does not match `%2F`). Empty when the slug has an empty, `.` or `..` segment.
    static QString slugPath(const QString &slug);

Q_SIGNALS:
    //! Rate limited: the next try is in \a seconds (for a status line).
    void waiting(int seconds);

private:
    struct Call
    {
        QByteArray method;
        Api api = Api::V2;
        QString path;
        QUrlQuery query;
        QByteArray body;
        Handler done;
        int attempt = 0;
        std::chrono::milliseconds waited {0};
    };
    void enqueue(Call call);
    void startNext();
    void handleFinished();
    //! Hands \a reply to the current call's handler, then starts the next call.
    void complete(const Reply &reply);
    ApiError hostProblem() const;
    QUrl urlFor(const Call &call) const;
    void drainPages(const QString &path, const QUrlQuery &query, PagesHandler done, int pagesLeft,
                    std::shared_ptr<Pages> pages, std::shared_ptr<QStringList> seenTokens);

    QNetworkAccessManager m_network;
    QUrl m_host = defaultHost();
    QByteArray m_token;
    std::chrono::milliseconds m_timeout {30000};
    int m_retries = 4;
    std::chrono::milliseconds m_maxWait {120000};
    QList<QSslCertificate> m_caCertificates;
    std::deque<Call> m_queue;
    QPointer<QNetworkReply> m_inFlight;
    Call m_current;
    QTimer m_retryTimer;
    QElapsedTimer m_elapsed; //!< since the request in flight was sent (debug log)
};

} // namespace ct
