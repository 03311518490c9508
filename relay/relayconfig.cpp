// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/relayconfig.h"

#include "relay/dashboard/weborigin.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    struct OptionSpec
    {
        const char *name;
        const char *valueName;
        const char *description;
    };

    // clang-format off
const OptionSpec serveOptions[] = {
    { "config",               "file",    "INI file with any of these options as keys (flags and environment win)." },
    { "listen",               "address", "Address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)." },
    { "port",                 "port",    "Port for webhooks, WebSocket clients, /healthz and /metrics (default 8788; 0 picks a free one)." },
    { "webhook-path",         "path",    "Path CircleCI posts to (default /webhook)." },
    { "secret-file",          "file",    "Webhook signing secret(s), one per line (rotation). Also CIRCLETRAY_RELAY_SECRET." },
    { "data-dir",             "dir",     "Where the event log lives (default ~/.local/share/circletray-relay)." },
    { "database",             "url",     "Keep the event log in PostgreSQL, shared by relays: postgresql://user@host:5432/dbname (?host=/socket/dir for a unix socket). No password in the URL. Default: SQLite in --data-dir." },
    { "database-password-file", "file",  "The PostgreSQL password, on the first line (otherwise libpq's ~/.pgpass or PGPASSFILE)." },
    { "tls-cert",             "file",    "PEM certificate chain: serve HTTPS/WSS directly (SIGHUP reloads it)." },
    { "tls-key",              "file",    "PEM private key for --tls-cert." },
    { "retention-days",       "days",    "Drop events older than this (default 30)." },
    { "retention-max-events", "count",   "Keep at most this many events (default 100000)." },
    { "durability",           "mode",    "normal: survives a process kill (default); full: also survives power loss." },
    { "metrics-listen",       "addr:port", "Serve /metrics and /healthz only on this separate address." },
    { "keepalive-interval",   "seconds", "WebSocket ping interval (default 30)." },
    { "keepalive-timeout",    "seconds", "Drop a client silent this long (default 75)." },
    { "client-buffer-limit",  "bytes",   "Close a client (4008) whose unsent data passes this (default 8388608)." },
    { "max-body",             "bytes",   "Largest webhook body accepted (default 1048576)." },
    { "header-timeout",       "seconds", "Close a connection whose request headers take longer (default 10)." },
    { "idle-timeout",         "seconds", "Close a keep-alive connection idle this long (default 30)." },
    { "max-connections",      "count",   "Open sockets at most: HTTP, TLS handshakes and WebSocket sessions (default 10000)." },
    { "max-connections-per-address", "count", "Open sockets at most from one address (default 256; 0: no limit)." },
    { "max-sessions-per-token", "count", "WebSocket sessions at most per device token (default 16)." },
    { "rejected-notice-interval", "seconds", "Tell clients about refused signed deliveries at most once per this (default 60)." },
    { "dashboard",            "on|off",  "Serve the team dashboard at / (default on)." },
    { "public-url",           "url",     "The dashboard's address as browsers open it, e.g. https://relay.example.com (the relay's TLS or a TLS proxy in front). Without it the dashboard answers only on 127.0.0.1/localhost." },
    { "session-idle-timeout", "seconds", "End a dashboard sign-in unused this long (default 604800, 7 days)." },
    { "session-lifetime",     "seconds", "End a dashboard sign-in this old, however used (default 2592000, 30 days)." },
    { "trusted-proxies",      "addresses", "Comma-separated addresses of reverse proxies in front (e.g. 127.0.0.1,::1): not capped per address; X-Forwarded-For names the client." },
};
    // clang-format on

    const OptionSpec storageOptions[] = {
        {"config", "file", "INI file (data-dir, database and database-password-file keys)."},
        {"data-dir", "dir", "Where the event log lives (default ~/.local/share/circletray-relay)."},
        {"database", "url", "The relays' PostgreSQL event log: postgresql://user@host:5432/dbname (no password)."},
        {"database-password-file", "file", "The PostgreSQL password, on the first line (or ~/.pgpass, PGPASSFILE)."},
    };

    QString envName(const char *option)
    {
        return u"CIRCLETRAY_RELAY_"_s + QString::fromLatin1(option).toUpper().replace(u'-', u'_');
    }

    class Values
    {
    public:
        Values(const QCommandLineParser &parser, const QProcessEnvironment &env, const QSettings *file)
            : m_parser(parser)
            , m_env(env)
            , m_file(file)
        { }
        std::optional<QString> get(const char *name) const
        {
            const QString n = QString::fromLatin1(name);
            if (m_parser.isSet(n))
                return m_parser.value(n);
            if (m_env.contains(envName(name)))
                return m_env.value(envName(name));
            if (m_file && m_file->contains(n)) {
                // QSettings reads "a, b" as a list: give it back as written.
                const QVariant value = m_file->value(n);
                return value.typeId() == QMetaType::QStringList ? value.toStringList().join(u',') : value.toString();
            }
            return std::nullopt;
        }

    private:
        const QCommandLineParser &m_parser;
        const QProcessEnvironment &m_env;
        const QSettings *m_file;
    };

    bool readNumber(const Values &v, const char *name, qint64 min, qint64 max, qint64 *out, QString *error)
    {
        const auto text = v.get(name);
        if (!text)
            return true;
        bool ok = false;
        const qint64 n = text->trimmed().toLongLong(&ok);
        if (!ok || n < min || n > max) {
            *error = u"--%1 must be a whole number from %2 to %3, not \"%4\""_s.arg(QLatin1StringView(name))
                         .arg(min)
                         .arg(max)
                         .arg(*text);
            return false;
        }
        *out = n;
        return true;
    }

    std::optional<QHostAddress> parseAddress(const QString &text)
    {
        if (text == u"localhost")
            return QHostAddress(QHostAddress::LocalHost);
        QHostAddress a;
        if (!a.setAddress(text))
            return std::nullopt;
        return a;
    }

    //! Secrets, one per line; blank lines and # comments skipped, surrounding whitespace removed.
    QList<QByteArray> splitSecrets(const QByteArray &text)
    {
        QList<QByteArray> out;
        for (const QByteArray &line : text.split('\n')) {
            const QByteArray s = line.trimmed();
            if (!s.isEmpty() && !s.startsWith('#'))
                out.append(s);
        }
        return out;
    }

    void addOptions(QCommandLineParser &parser, const OptionSpec *begin, const OptionSpec *end)
    {
        for (const OptionSpec *o = begin; o != end; ++o) {
            parser.addOption(QCommandLineOption(QString::fromLatin1(o->name), QString::fromUtf8(o->description),
                                                QString::fromLatin1(o->valueName)));
        }
    }

    //! Parses flags and opens the --config file; false with \a error on failure.
    bool parseCommon(QCommandLineParser &parser, const QStringList &arguments, const QProcessEnvironment &env,
                     std::unique_ptr<QSettings> &file, QString *error, bool *helpRequested, QString *helpText)
    {
        const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
        parser.addOption(help);
        if (!parser.parse(QStringList {u"circletray-relay"_s} + arguments)) {
            *error = parser.errorText();
            return false;
        }
        if (parser.isSet(help)) {
            if (helpRequested)
                *helpRequested = true;
            if (helpText)
                *helpText = parser.helpText();
            return true;
        }
        const QString config = parser.isSet(u"config"_s) ? parser.value(u"config"_s) : env.value(envName("config"));
        if (!config.isEmpty()) {
            if (!QFileInfo(config).isReadable()) {
                *error = u"cannot read config file %1"_s.arg(config);
                return false;
            }
            file = std::make_unique<QSettings>(config, QSettings::IniFormat);
            if (file->status() != QSettings::NoError) {
                *error = u"config file %1 is not valid INI"_s.arg(config);
                return false;
            }
        }
        return true;
    }

    //! --database and --database-password-file; false with \a error on bad input.
    bool readDatabase(const Values &v, RelayConfig *c, QString *error)
    {
        const auto url = v.get("database");
        const auto passwordFile = v.get("database-password-file");
        if (!url || url->trimmed().isEmpty()) {
            if (passwordFile) {
                *error = u"--database-password-file needs --database"_s;
                return false;
            }
            return true;
        }
        c->database = PgConnectInfo::fromUrl(*url, error);
        if (!c->database)
            return false;
        return !passwordFile || c->database->readPasswordFile(*passwordFile, error);
    }

    QString defaultDataDir()
    {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
        return base.isEmpty() ? u"circletray-relay-data"_s : base + u"/circletray-relay"_s;
    }

} // namespace

QString RelayConfig::databasePath() const
{
    return QDir(dataDir).filePath(u"events.sqlite"_s);
}

QStringList RelayConfigLoader::optionNames()
{
    QStringList names;
    for (const OptionSpec &o : serveOptions)
        names.append(QString::fromLatin1(o.name));
    return names;
}

std::optional<RelayConfig> RelayConfigLoader::load(const QStringList &arguments, const QProcessEnvironment &env,
                                                   QString *error, bool *helpRequested, QString *helpText)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    addOptions(parser, std::begin(serveOptions), std::end(serveOptions));
    std::unique_ptr<QSettings> file;
    if (!parseCommon(parser, arguments, env, file, error, helpRequested, helpText))
        return std::nullopt;
    if (helpRequested && *helpRequested)
        return RelayConfig();
    if (!parser.positionalArguments().isEmpty()) {
        *error = u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst());
        return std::nullopt;
    }
    const Values v(parser, env, file.get());
    RelayConfig c;

    if (const auto a = v.get("listen")) {
        const auto address = parseAddress(a->trimmed());
        if (!address) {
            *error = u"--listen: \"%1\" is not an IP address"_s.arg(*a);
            return std::nullopt;
        }
        c.listenAddress = *address;
    }
    qint64 n = c.port;
    if (!readNumber(v, "port", 0, 65535, &n, error))
        return std::nullopt;
    c.port = quint16(n);
    if (const auto p = v.get("webhook-path")) {
        if (!p->startsWith(u'/') || p->contains(u'?') || p->contains(u' ')) {
            *error = u"--webhook-path must start with / (e.g. /webhook)"_s;
            return std::nullopt;
        }
        c.webhookPath = p->toUtf8();
    }

    if (const auto path = v.get("secret-file")) {
        QFile f(*path);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = u"cannot read secret file %1: %2"_s.arg(*path, f.errorString());
            return std::nullopt;
        }
        c.secrets = splitSecrets(f.readAll());
    }
    if (env.contains(u"CIRCLETRAY_RELAY_SECRET"_s))
        c.secrets += splitSecrets(env.value(u"CIRCLETRAY_RELAY_SECRET"_s).toUtf8());

    c.dataDir = v.get("data-dir").value_or(defaultDataDir());
    if (!readDatabase(v, &c, error))
        return std::nullopt;
    c.tlsCert = v.get("tls-cert").value_or(QString());
    c.tlsKey = v.get("tls-key").value_or(QString());
    if (c.tlsCert.isEmpty() != c.tlsKey.isEmpty()) {
        *error = u"--tls-cert and --tls-key go together"_s;
        return std::nullopt;
    }
    n = c.retentionDays;
    if (!readNumber(v, "retention-days", 1, 3650, &n, error))
        return std::nullopt;
    c.retentionDays = int(n);
    if (!readNumber(v, "retention-max-events", 1, std::numeric_limits<qint64>::max(), &c.retentionMaxEvents, error))
        return std::nullopt;
    if (const auto d = v.get("durability")) {
        if (*d == u"normal")
            c.durability = Durability::Normal;
        else if (*d == u"full")
            c.durability = Durability::Full;
        else {
            *error = u"--durability must be normal or full, not \"%1\""_s.arg(*d);
            return std::nullopt;
        }
    }
    if (const auto m = v.get("metrics-listen")) {
        const qsizetype colon = m->lastIndexOf(u':');
        bool ok = false;
        const uint port = colon > 0 ? m->mid(colon + 1).toUInt(&ok) : 0;
        QString host = colon > 0 ? m->left(colon) : QString();
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        const auto address = parseAddress(host);
        if (!ok || port > 65535 || !address) {
            *error = u"--metrics-listen must be address:port, e.g. 127.0.0.1:9100"_s;
            return std::nullopt;
        }
        c.metricsListen = qMakePair(*address, quint16(port));
    }
    n = c.keepaliveInterval.count();
    if (!readNumber(v, "keepalive-interval", 1, 3600, &n, error))
        return std::nullopt;
    c.keepaliveInterval = std::chrono::seconds(n);
    n = c.keepaliveTimeout.count();
    if (!readNumber(v, "keepalive-timeout", 2, 7200, &n, error))
        return std::nullopt;
    c.keepaliveTimeout = std::chrono::seconds(n);
    if (!readNumber(v, "client-buffer-limit", 4096, qint64(1) << 40, &c.clientBufferLimit, error))
        return std::nullopt;
    if (!readNumber(v, "max-body", 1024, 64 * 1024 * 1024, &c.maxBodyBytes, error))
        return std::nullopt;
    n = c.headerTimeout.count();
    if (!readNumber(v, "header-timeout", 1, 600, &n, error))
        return std::nullopt;
    c.headerTimeout = std::chrono::seconds(n);
    n = c.idleTimeout.count();
    if (!readNumber(v, "idle-timeout", 1, 3600, &n, error))
        return std::nullopt;
    c.idleTimeout = std::chrono::seconds(n);
    n = c.maxConnections;
    if (!readNumber(v, "max-connections", 1, 1'000'000, &n, error))
        return std::nullopt;
    c.maxConnections = int(n);
    n = c.maxConnectionsPerAddress;
    if (!readNumber(v, "max-connections-per-address", 0, 1'000'000, &n, error))
        return std::nullopt;
    c.maxConnectionsPerAddress = int(n);
    n = c.maxSessionsPerToken;
    if (!readNumber(v, "max-sessions-per-token", 1, 100'000, &n, error))
        return std::nullopt;
    c.maxSessionsPerToken = int(n);
    n = c.rejectedNoticeInterval.count();
    if (!readNumber(v, "rejected-notice-interval", 1, 86'400, &n, error))
        return std::nullopt;
    c.rejectedNoticeInterval = std::chrono::seconds(n);
    if (const auto d = v.get("dashboard")) {
        const QString value = d->trimmed().toLower();
        if (value == u"on" || value == u"true" || value == u"1")
            c.dashboard = true;
        else if (value == u"off" || value == u"false" || value == u"0")
            c.dashboard = false;
        else {
            *error = u"--dashboard must be on or off, not \"%1\""_s.arg(*d);
            return std::nullopt;
        }
    }
    if (const auto url = v.get("public-url")) {
        const auto parsed = WebOrigin::parsePublicUrl(*url, error);
        if (!parsed)
            return std::nullopt;
        c.publicUrl = *parsed;
    }
    n = c.sessionIdleTimeout.count();
    if (!readNumber(v, "session-idle-timeout", 1, 10 * 365 * 86'400LL, &n, error))
        return std::nullopt;
    c.sessionIdleTimeout = std::chrono::seconds(n);
    n = c.sessionLifetime.count();
    if (!readNumber(v, "session-lifetime", 1, 10 * 365 * 86'400LL, &n, error))
        return std::nullopt;
    c.sessionLifetime = std::chrono::seconds(n);
    if (const auto list = v.get("trusted-proxies")) {
        for (const QString &item : list->split(u',', Qt::SkipEmptyParts)) {
            const auto address = parseAddress(item.trimmed());
            if (!address) {
                *error = u"--trusted-proxies: \"%1\" is not an IP address"_s.arg(item.trimmed());
                return std::nullopt;
            }
            c.trustedProxies.append(*address);
        }
    }
    return c;
}

std::optional<RelayConfig> RelayConfigLoader::loadStorageOnly(const QStringList &arguments,
                                                              const QProcessEnvironment &env, QStringList *positional,
                                                              QString *error, bool *helpRequested, QString *helpText)
{
    QCommandLineParser parser;
    addOptions(parser, std::begin(storageOptions), std::end(storageOptions));
    std::unique_ptr<QSettings> file;
    if (!parseCommon(parser, arguments, env, file, error, helpRequested, helpText))
        return std::nullopt;
    if (helpRequested && *helpRequested)
        return RelayConfig();
    const Values v(parser, env, file.get());
    RelayConfig c;
    c.dataDir = v.get("data-dir").value_or(defaultDataDir());
    if (!readDatabase(v, &c, error))
        return std::nullopt;
    *positional = parser.positionalArguments();
    return c;
}

} // namespace ct
