// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/autostart.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAutostart final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void toggles();
};

void TestAutostart::toggles()
{
    QStandardPaths::setTestModeEnabled(true); // never the user's own ~/.config/autostart
    ct::Autostart::setEnabled(false);
    QVERIFY(!ct::Autostart::isEnabled());
    QVERIFY(ct::Autostart::setEnabled(true, u"/usr/bin/circletray"_s));
    QVERIFY(ct::Autostart::isEnabled());
    QFile entry(ct::Autostart::entryPath());
    QVERIFY(entry.open(QIODevice::ReadOnly));
    const QByteArray text = entry.readAll();
    QVERIFY(text.contains("Exec=/usr/bin/circletray\n"));
    QVERIFY(text.startsWith("[Desktop Entry]"));
    entry.close();
    const QString validator = QStandardPaths::findExecutable(u"desktop-file-validate"_s);
    if (!validator.isEmpty()) {
        QProcess p;
        p.start(validator, {ct::Autostart::entryPath()});
        QVERIFY(p.waitForFinished());
        QVERIFY2(p.exitCode() == 0, p.readAllStandardOutput().constData());
    }
    QVERIFY(ct::Autostart::setEnabled(false));
    QVERIFY(!ct::Autostart::isEnabled());
}

QTEST_GUILESS_MAIN(TestAutostart)
#include "tst_autostart.moc"
