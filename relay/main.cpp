// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// circletray-relay: receives CircleCI webhooks, keeps them, pushes them to CircleTray apps.
#include "relay/filelimit.h"
#include "relay/relayconfig.h"
#include "relay/relayserver.h"
#include "relay/signalwatcher.h"
#include "relay/tokencommands.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace {

const char *const overview = R"(Usage: circletray-relay <command> [options]

Receives CircleCI webhooks, stores them durably and pushes them to CircleTray desktop apps
over WebSockets, replaying what an offline laptop missed.

Commands:
  serve            run the relay (see "circletray-relay serve --help")
  token add NAME   create a device token (printed once; only its hash is kept)
  token list       list device tokens
  token revoke NAME
                   revoke a token; connected apps using it are closed within 5 s

Every serve option is also an environment variable CIRCLETRAY_RELAY_<OPTION> and a key in the
INI file given by --config; flag beats environment beats file.
)";

int serve(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QString error;
    bool help = false;
    QString helpText;
    const auto config =
        ct::RelayConfigLoader::load(arguments, QProcessEnvironment::systemEnvironment(), &error, &help, &helpText);
    if (help) {
        out << "Usage: circletray-relay serve [options]\n\n"
               "Secrets come from --secret-file or the CIRCLETRAY_RELAY_SECRET environment variable,\n"
               "never from the command line.\n\n"
            << helpText.mid(helpText.indexOf(u"Options:"_s));
        return 0;
    }
    if (!config) {
        err << "circletray-relay serve: " << error << '\n';
        return 2;
    }
    if (config->secrets.isEmpty()) {
        err << "circletray-relay serve: no webhook secret: give --secret-file FILE (one secret per line) or set "
               "CIRCLETRAY_RELAY_SECRET\n";
        return 2;
    }
    ct::raiseOpenFileLimit();
    ct::RelayServer server(*config);
    if (!server.start(&error)) {
        err << "circletray-relay serve: " << error << '\n';
        return 1;
    }
    out << "listening on " << server.listenDescription() << '\n';
    if (!server.metricsDescription().isEmpty())
        out << "metrics listening on " << server.metricsDescription() << '\n';
    out.flush();

    ct::SignalWatcher signals;
    QObject::connect(&signals, &ct::SignalWatcher::terminateRequested, &server, &ct::RelayServer::shutdown);
    QObject::connect(&signals, &ct::SignalWatcher::reloadRequested, &server, [&server] {
        QString reloadError;
        if (!server.reloadTls(&reloadError))
            QTextStream(stderr) << "circletray-relay: certificate reload failed, keeping the old one: " << reloadError
                                << '\n';
    });
    QObject::connect(&server, &ct::RelayServer::stopped, qApp, &QCoreApplication::quit);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    // A headless server has no use for the GLib main loop; Qt's own poll dispatcher costs less per
    // socket event (GLib's showed up as ~3 % of the relay's time under load).
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"circletray-relay"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CT_VERSION));
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const QString command = args.value(0);
    if (command == u"serve")
        return serve(args.mid(1));
    if (command == u"token")
        return ct::runTokenCommand(args.mid(1), QProcessEnvironment::systemEnvironment());
    if (command == u"--version") {
        QTextStream(stdout) << "circletray-relay " << CT_VERSION << '\n';
        return 0;
    }
    const bool help = command == u"--help" || command == u"-h" || command == u"help";
    QTextStream stream(help ? stdout : stderr);
    if (!help && !command.isEmpty())
        stream << "unknown command: " << command << '\n';
    stream << overview;
    return help ? 0 : 2;
}
