// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relay/tokencommands.h"

#include "relay/pgeventlog.h"
#include "relay/relayconfig.h"
#include "relay/sqleventlog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTextStream>

#include <memory>

using namespace Qt::StringLiterals;

namespace ct {

QByteArray generateToken()
{
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), 8);
    return "ctr_" + random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &env)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList positional;
    QString error;
    bool help = false;
    QString helpText;
    const auto config = RelayConfigLoader::loadStorageOnly(arguments, env, &positional, &error, &help, &helpText);
    if (help) {
        out << "Usage: circletray-relay token add NAME | list | revoke NAME [--data-dir DIR | --database URL] "
               "[--config "
               "FILE]\n\n"
               "Device tokens let desktop apps connect to GET /events. A new token is printed once;\n"
               "only its hash is stored. A running relay closes a revoked token's connections within 5 s.\n\n"
            << helpText.mid(helpText.indexOf(u"Options:"_s));
        return 0;
    }
    if (!config) {
        err << "circletray-relay token: " << error << '\n';
        return 2;
    }
    const QString verb = positional.value(0);
    const QString name = positional.value(1).trimmed();
    const bool needsName = verb == u"add" || verb == u"revoke";
    if ((verb != u"add" && verb != u"list" && verb != u"revoke") || (needsName && name.isEmpty())
        || positional.size() > (needsName ? 2 : 1)) {
        err << "usage: circletray-relay token add NAME | list | revoke NAME [--data-dir DIR | --database URL]\n";
        return 2;
    }
    // The event log's info lines ("migrated … to schema version 1", "event log … relay id …") belong in
    // the server's journal; here they would bury the command's own answer. Warnings still show.
    QLoggingCategory::setFilterRules(u"circletray.relay.store.info=false"_s);
    const QString dataDir = QFileInfo(config->dataDir).absoluteFilePath();
    // PostgreSQL: a mistyped database name fails to connect; the schema is created as the relay would.
    const bool fresh = !config->database && !QFileInfo::exists(config->databasePath());
    // A mistyped --data-dir must not quietly get an empty log of its own. Only `add` may start one:
    // a new install can hand out tokens before the relay's first start.
    if (fresh && verb != u"add") {
        err << "circletray-relay token: no event log in " << dataDir
            << ": start the relay once with this --data-dir, or check the path\n";
        return 1;
    }
    if (!config->database && !QDir().mkpath(config->dataDir)) {
        err << "circletray-relay token: cannot create data directory " << config->dataDir << '\n';
        return 1;
    }
    std::unique_ptr<EventLog> store;
    if (config->database)
        store = std::make_unique<PgEventLog>(*config->database);
    else
        store = std::make_unique<SqlEventLog>(config->databasePath(), Durability::Full);
    EventLog &log = *store;
    if (!log.open(&error)) {
        err << "circletray-relay token: " << error << '\n';
        return 1;
    }
    if (verb == u"add") {
        const QByteArray token = generateToken();
        if (!log.addToken(name, QCryptographicHash::hash(token, QCryptographicHash::Sha256), &error)) {
            err << "circletray-relay token: " << error << '\n';
            return 1;
        }
        out << token << '\n';
        err << "Token \"" << name << "\" created. It is shown only this once: give it to the CircleTray app.\n";
        if (fresh)
            err << "New event log in " << dataDir << ": the relay must run with this --data-dir to accept the token.\n";
        return 0;
    }
    if (verb == u"revoke") {
        if (!log.revokeToken(name)) {
            err << "circletray-relay token: no valid token named \"" << name << "\"\n";
            return 1;
        }
        out << "revoked " << name << '\n';
        return 0;
    }
    const QList<TokenInfo> tokens = log.tokens();
    for (const TokenInfo &t : tokens) {
        out << t.name << '\t' << "created " << t.createdAt.toString(Qt::ISODate) << '\t'
            << (t.revokedAt.isValid() ? u"revoked "_s + t.revokedAt.toString(Qt::ISODate) : u"valid"_s) << '\n';
    }
    if (tokens.isEmpty())
        err << "no tokens yet: circletray-relay token add NAME\n";
    return 0;
}

} // namespace ct
