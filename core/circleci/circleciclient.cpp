// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/circleci/circleciclient.h"

#include "core/logging.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslConfiguration>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcApi, "circletray.core.api", QtInfoMsg)

namespace ct {

namespace {

    bool isLoopback(const QString &host)
    {
        if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
            return true;
        const QHostAddress address(host);
        return !address.isNull() && address.isLoopback();
    }

    //! `Retry-After`: delta-seconds or an HTTP date; -1 when absent or unreadable.
    int retryAfterSeconds(const QByteArray &value)
    {
        if (value.isEmpty())
            return -1;
        bool ok = false;
        const int seconds = value.trimmed().toInt(&ok);
        if (ok)
            return std::max(0, seconds);
        const QDateTime at = QDateTime::fromString(QString::fromLatin1(value.trimmed()), Qt::RFC2822Date);
        return at.isValid() ? int(std::max<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(at))) : -1;
    }

    //! `{"message": …}` (compact or pretty), or a plain-text body such as "Rate limited.".
    QString serverMessage(const QJsonDocument &json, const QByteArray &body)
    {
        if (json.isObject()) {
            const QJsonValue m = json.object().value(u"message"_s);
            if (m.isString())
                return m.toString();
        }
        if (!json.isNull())
            return {};
        const QString text = QString::fromUtf8(body.left(300)).simplified();
        return text.startsWith(u'<') ? QString() : text; // an HTML error page says nothing useful
    }

    ApiError errorForStatus(int status, const QString &message)
    {
        ApiError e;
        e.httpStatus = status;
        e.message = message;
        if (status == 401)
            e.kind = ApiError::Kind::TokenRejected;
        else if (status == 403)
            e.kind = ApiError::Kind::NotAllowed;
        else if (status == 404)
            e.kind = ApiError::Kind::NotFound;
        else if (status == 429)
            e.kind = ApiError::Kind::RateLimited;
        else if (status >= 500)
            e.kind = ApiError::Kind::Server;
        else if (status >= 400)
            // The limit's status and body are undocumented: the words are all there is.
            e.kind = message.contains(u"limited to"_s, Qt::CaseInsensitive)
                    && message.contains(u"webhook"_s, Qt::CaseInsensitive)
                ? ApiError::Kind::WebhookLimit
                : ApiError::Kind::BadRequest;
        return e;
    }

    ApiError errorForNetwork(QNetworkReply::NetworkError error, const QString &text)
    {
        ApiError e;
        e.message = text;
        switch (error) {
        case QNetworkReply::OperationCanceledError: // the transfer timeout aborts the reply
        case QNetworkReply::TimeoutError:
            e.kind = ApiError::Kind::Timeout;
            break;
        case QNetworkReply::SslHandshakeFailedError:
            e.kind = ApiError::Kind::Tls;
            break;
        case QNetworkReply::HostNotFoundError:
            e.kind = ApiError::Kind::Network;
            e.message = u"the name does not resolve (DNS)"_s;
            break;
        case QNetworkReply::ConnectionRefusedError:
            e.kind = ApiError::Kind::Network;
            e.message = u"the connection was refused"_s;
            break;
        default:
            e.kind = ApiError::Kind::Network;
            break;
        }
        return e;
    }

    std::chrono::milliseconds backoff(int attempt)
    {
        // 1, 2, 4 … 60 s, each ±25 %: clients that failed together do not retry together.
        const double base = std::min(60.0, double(1 << std::min(attempt, 6)));
        const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
        return std::chrono::milliseconds(qint64(base * jitter * 1000));
    }

} // namespace

CircleCiClient::CircleCiClient(QObject *parent)
    : QObject(parent)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        Call call = std::move(m_current);
        m_current = Call();
        m_queue.push_front(std::move(call));
        startNext();
    });
}

CircleCiClient::~CircleCiClient()
{
    abortAll();
}

void CircleCiClient::setHost(const QUrl &host)
{
    QUrl h = host;
    if (h.scheme().isEmpty() && !host.toString().isEmpty())
        h = QUrl(u"https://"_s + host.toString());
    QString path = h.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    h.setPath(path);
    h.setQuery(QString());
    h.setFragment(QString());
    m_host = h.isValid() && !h.host().isEmpty() ? h : defaultHost();
}

void CircleCiClient::setRetryBudget(int retries, std::chrono::milliseconds maxWait)
{
    m_retries = std::max(0, retries);
    m_maxWait = maxWait;
}

QString CircleCiClient::segment(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QString CircleCiClient::slugPath(const QString &slug)
{
    QStringList parts;
    for (const QString &part : slug.split(u'/')) {
        if (part.isEmpty() || part == u"."_s || part == u".."_s)
            return {};
        parts.append(segment(part));
    }
    return parts.join(u'/');
}

ApiError CircleCiClient::hostProblem() const
{
    ApiError e;
    e.host = m_host.host();
    if (m_host.scheme() == u"https"_s)
        return e;
    if (m_host.scheme() == u"http"_s && isLoopback(m_host.host()))
        return e; // this computer: the tests' stand-in
    e.kind = ApiError::Kind::InsecureHost;
    return e;
}

QUrl CircleCiClient::urlFor(const Call &call) const
{
    QUrl url = m_host;
    url.setPath(m_host.path() + (call.api == Api::V2 ? u"/api/v2"_s : u"/api/v1.1"_s) + call.path, QUrl::StrictMode);
    if (!call.query.isEmpty())
        url.setQuery(call.query);
    return url;
}

void CircleCiClient::get(const QString &path, const QUrlQuery &query, Handler done, Api api)
{
    enqueue(Call {"GET", api, path, query, {}, std::move(done)});
}

void CircleCiClient::post(const QString &path, const QJsonObject &body, Handler done)
{
    enqueue(Call {"POST", Api::V2, path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(done)});
}

void CircleCiClient::put(const QString &path, const QJsonObject &body, Handler done)
{
    enqueue(Call {"PUT", Api::V2, path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact), std::move(done)});
}

void CircleCiClient::deleteResource(const QString &path, Handler done)
{
    enqueue(Call {"DELETE", Api::V2, path, {}, {}, std::move(done)});
}

void CircleCiClient::enqueue(Call call)
{
    m_queue.push_back(std::move(call));
    // Started from the event loop, never inside the caller: a handler sees the same order of
    // events whether the answer was instant or not.
    QMetaObject::invokeMethod(this, &CircleCiClient::startNext, Qt::QueuedConnection);
}

void CircleCiClient::startNext()
{
    if (m_inFlight || m_retryTimer.isActive() || m_queue.empty())
        return;
    m_current = std::move(m_queue.front());
    m_queue.pop_front();
    if (const ApiError problem = hostProblem(); !problem.ok()) {
        Reply r;
        r.error = problem;
        return complete(r);
    }
    QNetworkRequest request(urlFor(m_current));
    request.setRawHeader("Circle-Token", m_token);
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("CircleTray"));
    request.setTransferTimeout(int(m_timeout.count()));
    if (!m_current.body.isEmpty() || m_current.method == "POST" || m_current.method == "PUT")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (!m_caCertificates.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_caCertificates);
        request.setSslConfiguration(ssl);
    }
    QNetworkReply *reply = m_current.body.isEmpty() && m_current.method != "POST" && m_current.method != "PUT"
        ? m_network.sendCustomRequest(request, m_current.method)
        : m_network.sendCustomRequest(request, m_current.method, m_current.body);
    m_inFlight = reply;
    m_elapsed.start();
    connect(reply, &QNetworkReply::finished, this, [this] {
        qCDebug(lcApi).noquote() << m_current.method << m_current.path << "took" << m_elapsed.elapsed() << "ms";
        handleFinished();
    });
}

void CircleCiClient::handleFinished()
{
    QNetworkReply *reply = m_inFlight;
    m_inFlight = nullptr;
    if (!reply)
        return;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    Reply r;
    r.status = status;
    QJsonParseError parseError {};
    r.json = body.trimmed().isEmpty() ? QJsonDocument() : QJsonDocument::fromJson(body, &parseError);
    if (status == 0) {
        r.error = errorForNetwork(reply->error(), reply->errorString());
    } else if (status >= 400) {
        r.error = errorForStatus(status, serverMessage(r.json, body));
        r.error.retryAfterSeconds = retryAfterSeconds(reply->rawHeader("Retry-After"));
    } else if (!body.trimmed().isEmpty() && r.json.isNull()) {
        r.error.kind = ApiError::Kind::BadResponse;
        r.error.message = u"a %1 answer that is not JSON"_s.arg(status);
    }
    r.error.host = m_host.host();

    // Try again? 429 always (the call never happened); 5xx and timeouts only for GETs, which
    // change nothing (a POST that timed out may have created what it asked for).
    const bool retriable = r.error.kind == ApiError::Kind::RateLimited
        || (m_current.method == "GET"
            && (r.error.kind == ApiError::Kind::Server || r.error.kind == ApiError::Kind::Timeout));
    if (retriable && m_current.attempt < m_retries) {
        const std::chrono::milliseconds wait = r.error.retryAfterSeconds >= 0
            ? std::chrono::milliseconds(qint64(r.error.retryAfterSeconds) * 1000)
            : backoff(m_current.attempt);
        if (m_current.waited + wait <= m_maxWait) {
            qCInfo(lcApi).noquote() << m_current.method << m_current.path << "answered" << status
                                    << (r.error.retryAfterSeconds >= 0 ? "with Retry-After" : "") << ": trying again in"
                                    << wait.count() << "ms";
            ++m_current.attempt;
            m_current.waited += wait;
            Q_EMIT waiting(int((wait.count() + 999) / 1000));
            m_retryTimer.start(wait);
            return;
        }
    }
    if (!r.ok())
        qCInfo(lcApi).noquote() << m_current.method << m_current.path << "failed:" << status
                                << logQuoted(r.error.message);
    complete(r);
}

void CircleCiClient::complete(const Reply &reply)
{
    const Handler done = std::move(m_current.done);
    m_current = Call();
    QPointer<CircleCiClient> self(this); // a handler may delete the client
    if (done)
        done(reply);
    if (self)
        startNext();
}

void CircleCiClient::abortAll()
{
    m_queue.clear();
    m_retryTimer.stop();
    m_current = Call();
    if (QNetworkReply *reply = m_inFlight) {
        m_inFlight = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void CircleCiClient::getAll(const QString &path, const QUrlQuery &query, PagesHandler done, int maxPages)
{
    drainPages(path, query, std::move(done), maxPages, std::make_shared<Pages>(), std::make_shared<QStringList>());
}

void CircleCiClient::drainPages(const QString &path, const QUrlQuery &query, PagesHandler done, int pagesLeft,
                                std::shared_ptr<Pages> pages, std::shared_ptr<QStringList> seenTokens)
{
    get(path, query, [=, this](const Reply &r) {
        if (!r.ok()) {
            pages->error = r.error;
            done(*pages);
            return;
        }
        const QJsonObject page = r.json.object();
        if (!page.value(u"items"_s).isArray()) {
            pages->error.kind = ApiError::Kind::BadResponse;
            pages->error.message = u"a list without \"items\""_s;
            pages->error.host = m_host.host();
            done(*pages);
            return;
        }
        for (const QJsonValue &item : page.value(u"items"_s).toArray())
            pages->items.append(item);
        const QString token = page.value(u"next_page_token"_s).toString();
        if (token.isEmpty()) {
            done(*pages);
            return;
        }
        if (seenTokens->contains(token) || pagesLeft <= 1) {
            qCWarning(lcApi).noquote() << "GET" << path << "stopped after" << seenTokens->size() + 1
                                       << "pages:" << (pagesLeft <= 1 ? "the page cap" : "a page token seen before");
            pages->truncated = true;
            done(*pages);
            return;
        }
        seenTokens->append(token);
        QUrlQuery next = query;
        next.removeAllQueryItems(u"page-token"_s);
        next.addQueryItem(u"page-token"_s, QString::fromLatin1(QUrl::toPercentEncoding(token)));
        drainPages(path, next, done, pagesLeft - 1, pages, seenTokens);
    });
}

} // namespace ct
