// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/setup/settingsdialog.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

class TestSettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void savesSettingsAndSecrets();
    void directModeNeedsASecret();
    void commandLineValuesShownNotSaved();
    void loweringRetentionAsksFirst_data();
    void loweringRetentionAsksFirst();
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
    auto *secretField = dialog.findChild<QLineEdit *>(u"webhookSecret"_s);
    QCOMPARE(secretField->echoMode(), QLineEdit::Password); // masked like the token (issue 15, 12)
    secretField->setText(u"new-secret"_s);
    dialog.findChild<QLineEdit *>(u"previousWebhookSecret"_s)->setText(u" old-secret "_s);
    dialog.findChild<QCheckBox *>(u"showSecrets"_s)->setChecked(true);
    QCOMPARE(secretField->echoMode(), QLineEdit::Normal);
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

void TestSettingsDialog::directModeNeedsASecret()
{
    // Issue 15 (5): direct mode saved with an empty secret, and every delivery then got 503.
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    ct::SettingsDialog dialog(&settings, &secrets);
    dialog.findChild<QRadioButton *>(u"direct"_s)->setChecked(true);
    dialog.findChild<QLineEdit *>(u"webhookSecret"_s)->setText(u"  "_s);
    bool told = false;
    QTimer::singleShot(0, this, [&] {
        if (auto *box = dialog.findChild<QMessageBox *>(u"secretNeeded"_s)) {
            told = box->text().contains(u"webhook secret"_s);
            box->accept();
        }
    });
    dialog.accept();
    QVERIFY(told);
    QVERIFY(!settings.isConfigured()); // nothing saved
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    dialog.findChild<QLineEdit *>(u"webhookSecret"_s)->setText(u"the-secret"_s);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(secrets.webhookSecrets(), QList<QByteArray>({"the-secret"_ba}));
}

void TestSettingsDialog::commandLineValuesShownNotSaved()
{
    // Issue 15 (8): under `make run` the dialog showed port 8787, "Direct" and an empty secret
    // (the saved values), and Save wrote them; the next plain start then refused every webhook.
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    settings.setValue(ct::Settings::Key::Source, u"relay"_s);
    settings.setValue(ct::Settings::Key::RelayUrl, u"https://relay.example.com"_s);
    secrets.setRelayToken("ctr_saved");
    ct::SettingsDialog dialog(&settings, &secrets);
    ct::SettingsOverrides o;
    o.source = u"direct"_s;
    o.port = 9999;
    o.secretFiles = {u"/run/secret"_s};
    o.secrets = {"from-the-file"_ba};
    dialog.setOverrides(o);
    // In effect, and marked.
    QVERIFY(dialog.findChild<QRadioButton *>(u"direct"_s)->isChecked());
    QCOMPARE(dialog.findChild<QSpinBox *>(u"port"_s)->value(), 9999);
    QVERIFY(!dialog.findChild<QSpinBox *>(u"port"_s)->isEnabled());
    auto *secretField = dialog.findChild<QLineEdit *>(u"webhookSecret"_s);
    QCOMPARE(secretField->text(), u"from-the-file"_s);
    QVERIFY(!secretField->isEnabled());
    QVERIFY(secretField->toolTip().contains(u"--secret-file /run/secret"_s));
    auto *note = dialog.findChild<QLabel *>(u"overrideNote"_s);
    QVERIFY(note && !note->isHidden() && note->text().contains(u"--port"_s));
    // Save (another setting changed) keeps the saved source, URL, token and secrets.
    dialog.findChild<QLineEdit *>(u"branches"_s)->setText(u"main"_s);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(settings.source(), u"relay"_s);
    QCOMPARE(settings.relayUrl(), u"https://relay.example.com"_s);
    QCOMPARE(secrets.relayToken(), "ctr_saved"_ba);
    QVERIFY(secrets.webhookSecrets().isEmpty());
    QCOMPARE(settings.branchPatterns(), QStringList({u"main"_s}));
}

void TestSettingsDialog::loweringRetentionAsksFirst_data()
{
    QTest::addColumn<bool>("confirm");
    QTest::newRow("confirmed") << true;
    QTest::newRow("cancelled") << false;
}

void TestSettingsDialog::loweringRetentionAsksFirst()
{
    // Issue 15 (2): lowering "Keep history" deleted without asking.
    QFETCH(bool, confirm);
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    settings.setValue(ct::Settings::Key::RetentionDays, 90);
    ct::SettingsDialog dialog(&settings, &secrets);
    QList<int> asked;
    dialog.setPruneCounter([&asked](int days) {
        asked.append(days);
        return qint64(1234);
    });
    dialog.findChild<QLineEdit *>(u"webhookSecret"_s)->setText(u"s"_s);
    dialog.findChild<QSpinBox *>(u"retention"_s)->setValue(7);
    QString question;
    QTimer::singleShot(0, this, [&] {
        auto *box = dialog.findChild<QMessageBox *>(u"confirmPrune"_s);
        QVERIFY(box);
        question = box->text();
        for (QAbstractButton *b : box->buttons()) {
            const bool isDelete = b->text().startsWith(u"Delete"_s);
            if (isDelete == confirm)
                b->click();
        }
    });
    dialog.accept();
    QCOMPARE(asked, QList<int>({7}));
    QVERIFY2(question.contains(u"1,234"_s) || question.contains(u"1234"_s), qPrintable(question));
    QCOMPARE(settings.retentionDays(), confirm ? 7 : 90); // nothing saved unless confirmed
    QCOMPARE(dialog.result(), confirm ? int(QDialog::Accepted) : int(QDialog::Rejected));
    // Raising it, or lowering it when nothing is that old, asks nothing.
    asked.clear();
    dialog.setPruneCounter([&asked](int days) {
        asked.append(days);
        return qint64(0);
    });
    dialog.findChild<QSpinBox *>(u"retention"_s)->setValue(3);
    dialog.accept();
    QCOMPARE(settings.retentionDays(), 3);
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
