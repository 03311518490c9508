// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// circletray: the tray app.
#include "app/application.h"
#include "app/startupprobe.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMessageBox>
#include <QNetworkProxyFactory>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace {

//! One instance per user (and data folder): a second launch asks the first to show its history.
//! One CircleTray per user session, whatever --data-dir says (two would show two tray icons and
//! fight over the port): a socket in the session's runtime folder, else one named after the user.
QString instanceName()
{
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QFileInfo(runtime).isDir())
        return runtime + u"/circletray.instance"_s;
    const QByteArray who = qgetenv("USER");
    return u"circletray-"_s
        + QString::fromLatin1(QCryptographicHash::hash(who, QCryptographicHash::Sha256).toHex().left(16));
}

struct Options
{
    QCommandLineOption port {u"port"_s, u"Receive webhooks directly on 127.0.0.1:<port> (default 8787)."_s, u"port"_s};
    QCommandLineOption secretFile {u"secret-file"_s, u"Webhook secret(s), one per line (repeatable)."_s, u"file"_s};
    QCommandLineOption relay {u"relay"_s, u"Connect to this circletray-relay instead."_s, u"url"_s};
    QCommandLineOption tokenFile {u"token-file"_s, u"File holding the relay device token."_s, u"file"_s};
    QCommandLineOption circleCiHost {u"circleci-host"_s,
                                     u"CircleCI for this run: https://circleci.com or your server's https://<host>."_s,
                                     u"url"_s};
    QCommandLineOption circleCiTokenFile {u"circleci-token-file"_s,
                                          u"File holding a CircleCI personal API token, for this run."_s, u"file"_s};
    QCommandLineOption dataDir {u"data-dir"_s, u"Keep history and settings in this folder."_s, u"dir"_s};
    QCommandLineOption windowed {u"windowed"_s, u"No tray icon: show the history window."_s};
};

Options addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(u"Desktop notifications for CircleCI builds: a tray icon, popups when a build "
                                     "breaks or is fixed, and a searchable history.\n\nWithout options it uses the "
                                     "saved settings (Settings… in the tray menu)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    Options o;
    for (const auto &option :
         {o.port, o.secretFile, o.relay, o.tokenFile, o.circleCiHost, o.circleCiTokenFile, o.dataDir, o.windowed})
        parser.addOption(option);
    return o;
}

void setIdentity()
{
    QCoreApplication::setApplicationName(u"circletray"_s);
    QCoreApplication::setOrganizationName(u"CircleTray"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(CT_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version must work without a display (over ssh, in scripts): no QApplication for them.
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView a(argv[i]);
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version") {
            QCoreApplication core(argc, argv);
            setIdentity();
            QCommandLineParser parser;
            addOptions(parser);
            parser.process(core);
            return 0;
        }
    }
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(u"CircleTray"_s);
    QApplication::setDesktopFileName(u"circletray"_s);
    QApplication::setQuitOnLastWindowClosed(false); // it lives in the tray
    ct::StartupProbe::installIfRequested();

    QCommandLineParser parser;
    const Options o = addOptions(parser);
    parser.process(app);
    const QCommandLineOption &port = o.port, &secretFile = o.secretFile, &relay = o.relay, &tokenFile = o.tokenFile,
                             &dataDir = o.dataDir, &windowed = o.windowed;
    ct::AppOptions options;
    if (parser.isSet(port)) {
        bool ok = false;
        const uint p = parser.value(port).toUInt(&ok);
        if (!ok || p > 65535) {
            QTextStream(stderr) << "circletray: --port must be a port number\n";
            return 2;
        }
        options.port = quint16(p);
    }
    options.secretFiles = parser.values(secretFile);
    options.relayUrl = parser.value(relay);
    options.tokenFile = parser.value(tokenFile);
    options.circleCiHost = parser.value(o.circleCiHost);
    options.circleCiTokenFile = parser.value(o.circleCiTokenFile);
    options.dataDir = parser.value(dataDir);
    options.windowed = parser.isSet(windowed);

    const QString name = instanceName();
    {
        QLocalSocket other;
        other.connectToServer(name);
        if (other.waitForConnected(500)) {
            other.write("show-history\n");
            other.waitForBytesWritten(1000);
            // It answers with its data folder: other options than the running ones cannot take effect.
            const QString runningDir =
                other.waitForReadyRead(2000) ? QString::fromUtf8(other.readAll()).trimmed() : QString();
            QTextStream(stdout) << "CircleTray is already running: showing its history window.\n";
            const bool otherDir =
                !options.dataDir.isEmpty() && QFileInfo(options.dataDir).absoluteFilePath() != runningDir;
            if (otherDir || options.port || !options.relayUrl.isEmpty())
                QTextStream(stderr) << "circletray: quit the running CircleTray first to start it with other options "
                                       "(one runs per user).\n";
            return 0;
        }
    }
    QLocalServer::removeServer(name); // a stale socket left by a crash
    QLocalServer instance;
    instance.setSocketOptions(QLocalServer::UserAccessOption);
    instance.listen(name);

    QNetworkProxyFactory::setUseSystemConfiguration(true); // the relay through the user's proxy
    ct::Application circletray(options);
    QString error;
    if (!circletray.start(&error)) {
        QTextStream(stderr) << "circletray: " << error << '\n';
        // Started from the menu nobody reads stderr: say it on screen too.
        if (!qEnvironmentVariableIsSet("CIRCLETRAY_NO_ERROR_DIALOG"))
            QMessageBox::critical(nullptr, u"CircleTray cannot start"_s, error);
        return 1;
    }
    QObject::connect(&instance, &QLocalServer::newConnection, &circletray, [&] {
        while (QLocalSocket *s = instance.nextPendingConnection()) {
            QObject::connect(s, &QLocalSocket::readyRead, &circletray, [s, &circletray, options] {
                if (s->readAll().contains("show-history")) {
                    circletray.showHistory();
                    s->write(
                        QFileInfo(options.dataDir.isEmpty() ? QString() : options.dataDir).absoluteFilePath().toUtf8()
                        + '\n');
                    s->flush();
                }
                s->disconnectFromServer();
                s->deleteLater();
            });
        }
    });
    return QApplication::exec();
}
