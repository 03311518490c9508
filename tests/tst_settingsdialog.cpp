// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/setup/settingsdialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void savesSettingsAndSecrets();
};

void TestSettingsDialog::savesSettingsAndSecrets()
{
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    QVERIFY(!settings.isConfigured());
    ct::SettingsDialog dialog(&settings, &secrets);
    QSignalSpy sourceChanged(&dialog, &ct::SettingsDialog::sourceChanged);
    dialog.findChild<QRadioButton *>(u"relay"_s)->setChecked(true);
    dialog.findChild<QLineEdit *>(u"relayUrl"_s)->setText(u"https://relay.example.com"_s);
    dialog.findChild<QLineEdit *>(u"token"_s)->setText(u"ctr_secret_token"_s);
    dialog.findChild<QPlainTextEdit *>(u"webhookSecrets"_s)->setPlainText(u"new-secret\n\n old-secret \n"_s);
    dialog.findChild<QLineEdit *>(u"branches"_s)->setText(u"main, release/*"_s);
    for (QCheckBox *box : dialog.findChildren<QCheckBox *>()) {
        if (box->property("kind").toString() == u"passed")
            box->setChecked(true);
    }
    if (!qEnvironmentVariableIsEmpty("CT_SCREENSHOT_DIR"))
        dialog.grab().save(qEnvironmentVariable("CT_SCREENSHOT_DIR") + u"/settings.png"_s);
    dialog.accept();
    QCOMPARE(sourceChanged.size(), 1);
    QVERIFY(settings.isConfigured());
    QCOMPARE(settings.source(), u"relay"_s);
    QCOMPARE(settings.relayUrl(), u"https://relay.example.com"_s);
    QCOMPARE(settings.branchPatterns(), QStringList({u"main"_s, u"release/*"_s}));
    QVERIFY(settings.notifyKinds().contains(u"passed"_s));
    QVERIFY(settings.notifyKinds().contains(u"broken"_s));
    QCOMPARE(secrets.webhookSecrets(), QList<QByteArray>({"new-secret"_ba, "old-secret"_ba}));
    QCOMPARE(secrets.relayToken(), "ctr_secret_token"_ba);
    // Secrets never land in the settings file.
    QFile ini(settings.fileName());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray text = ini.readAll();
    QVERIFY(!text.contains("ctr_secret_token") && !text.contains("new-secret"));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
