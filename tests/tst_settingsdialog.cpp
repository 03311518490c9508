// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/projectpicker.h"
#include "app/account/watchedprojectsdialog.h"
#include "app/setup/secretstore.h"
#include "app/setup/settings.h"
#include "app/setup/settingsdialog.h"
#include "circlecistandin.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>

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
    void accountCheckShowsTheLoginOrWhy_data();
    void accountCheckShowsTheLoginOrWhy();
    void changedUrlOffersToUpdateTheWebhooks_data();
    void changedUrlOffersToUpdateTheWebhooks();
    void watchedProjectsAddAndRemoveWebhooks();

private:
    ct::test::CircleCiStandIn m_api;
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

void TestSettingsDialog::accountCheckShowsTheLoginOrWhy_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("says");
    QTest::newRow("personal token") << u"tok-alice"_s << u"Signed in as alice"_s;
    QTest::newRow("wrong token") << u"tok-nobody"_s << u"CircleCI token rejected (401)"_s;
    QTest::newRow("project token") << u"tok-project-acme-api"_s << u"403"_s;
    QTest::newRow("none") << QString() << u"Enter a personal API token"_s;
}

void TestSettingsDialog::accountCheckShowsTheLoginOrWhy()
{
    // Issue 10: Settings → CircleCI account → "Check" shows the login (/me) or the exact error.
    QFETCH(QString, token);
    QFETCH(QString, says);
    if (m_api.port() == 0)
        QVERIFY(m_api.start());
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    ct::SettingsDialog dialog(&settings, &secrets);
    dialog.findChild<QLineEdit *>(u"circleciToken"_s)->setText(token);
    dialog.findChild<QLineEdit *>(u"circleciHost"_s)->setText(m_api.host());
    dialog.findChild<QPushButton *>(u"checkAccount"_s)->click();
    auto *result = dialog.findChild<QLabel *>(u"accountResult"_s);
    QTRY_VERIFY2(result->text().contains(says), qPrintable(result->text()));
    QVERIFY(!result->text().contains(u"tok-"_s));
    if (!qEnvironmentVariableIsEmpty("CT_SCREENSHOT_DIR") && QTest::currentDataTag() == QByteArray("personal token")) {
        auto *tabs = dialog.findChild<QTabWidget *>();
        tabs->setCurrentIndex(1);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.grab().save(qEnvironmentVariable("CT_SCREENSHOT_DIR") + u"/settings-account.png"_s);
    }
    // Saved like the other secrets: in the secret store, never in the settings file.
    dialog.findChild<QLineEdit *>(u"webhookSecret"_s)->setText(u"s"_s);
    dialog.accept();
    QCOMPARE(secrets.circleCiToken(), token.toUtf8());
    QCOMPARE(settings.circleCiHost(), m_api.host());
    QFile ini(settings.fileName());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(token.isEmpty() || !ini.readAll().contains(token.toUtf8()));
}

void TestSettingsDialog::changedUrlOffersToUpdateTheWebhooks_data()
{
    QTest::addColumn<bool>("update");
    QTest::newRow("update") << true;
    QTest::newRow("not now") << false;
}

void TestSettingsDialog::changedUrlOffersToUpdateTheWebhooks()
{
    // Issue 10: changing the relay URL (or the secret) offers to update every CircleTray webhook.
    QFETCH(bool, update);
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    ct::Settings settings(dir.filePath(u"circletray.ini"_s));
    ct::SecretStore secrets(dir.filePath(u"secrets.ini"_s));
    settings.setValue(ct::Settings::Key::Source, u"relay"_s);
    settings.setValue(ct::Settings::Key::RelayUrl, u"https://old-relay.example.com"_s);
    settings.setValue(ct::Settings::Key::WatchedProjects, QStringList {u"gh/acme/api"_s, u"gh/acme/web-ui"_s});
    QVERIFY(secrets.setCircleCiToken("tok-alice"));
    QVERIFY(secrets.setWebhookSecrets({"s"}));
    ct::SettingsDialog dialog(&settings, &secrets);
    QSignalSpy requested(&dialog, &ct::SettingsDialog::webhooksUpdateRequested);
    QString question;
    QTimer::singleShot(0, this, [&] {
        auto *box = dialog.findChild<QMessageBox *>(u"updateWebhooks"_s);
        QVERIFY(box);
        question = box->text();
        for (QAbstractButton *b : box->buttons()) {
            if (b->text().startsWith(u"Update"_s) == update)
                b->click();
        }
    });
    dialog.findChild<QLineEdit *>(u"relayUrl"_s)->setText(u"https://new-relay.example.com"_s);
    dialog.accept();
    QVERIFY2(question.contains(u"2 projects"_s) && question.contains(u"URL"_s), qPrintable(question));
    QCOMPARE(requested.size(), update ? 1 : 0);
    QCOMPARE(settings.relayUrl(), u"https://new-relay.example.com"_s); // saved either way
    // Nothing that moves a webhook changed: nothing is asked.
    QSignalSpy again(&dialog, &ct::SettingsDialog::webhooksUpdateRequested);
    bool askedAgain = false;
    QTimer guard; // a question here would block: answer it and fail
    connect(&guard, &QTimer::timeout, this, [&] {
        if (auto *box = dialog.findChild<QMessageBox *>(u"updateWebhooks"_s); box && box->isVisible()) {
            askedAgain = true;
            box->reject();
        }
    });
    guard.start(50);
    dialog.findChild<QSpinBox *>(u"retention"_s)->setValue(100);
    dialog.accept();
    QVERIFY(!askedAgain);
    QCOMPARE(again.size(), 0);
}

void TestSettingsDialog::watchedProjectsAddAndRemoveWebhooks()
{
    // Issue 10: Settings → "Watched projects": ticking creates the webhook, unticking removes it.
    if (m_api.port() == 0)
        QVERIFY(m_api.start());
    m_api.reset();
    ct::CircleCiClient client;
    client.setHost(QUrl(m_api.host()));
    client.setToken("tok-alice");
    ct::WebhookSpec spec;
    spec.name = u"CircleTray"_s;
    spec.url = u"https://relay.example.com/webhook"_s;
    spec.secret = "the-secret";
    ct::WatchedProjectsDialog dialog(&client, spec, QString());
    QSignalSpy applied(&dialog, &ct::WatchedProjectsDialog::applied);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.picker()->isLoading() && !dialog.picker()->projects().isEmpty(), 20000);
    QVERIFY(dialog.watched().isEmpty());
    dialog.picker()->setChecked({u"gh/acme/web-ui"_s, u"gh/acme/api"_s});
    QTRY_VERIFY(dialog.applyButton()->isEnabled());
    dialog.applyButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 20000);
    QVERIFY2(dialog.results().contains(u"gh/acme/web-ui: created"_s), qPrintable(dialog.results()));
    QCOMPARE(dialog.watched(), QStringList({u"gh/acme/api"_s, u"gh/acme/web-ui"_s}));
    const auto ours = [this](const QString &slug) {
        int n = 0;
        for (const QJsonValue &w : m_api.webhooksOf(slug))
            n += w[u"name"_s].toString() == u"CircleTray"_s ? 1 : 0;
        return n;
    };
    QCOMPARE(ours(u"gh/acme/web-ui"_s), 1);
    dialog.picker()->setChecked({u"gh/acme/api"_s}); // web-ui unticked
    dialog.applyButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 20000);
    QVERIFY2(dialog.results().contains(u"gh/acme/web-ui: removed 1"_s), qPrintable(dialog.results()));
    QCOMPARE(dialog.watched(), QStringList({u"gh/acme/api"_s}));
    QCOMPARE(ours(u"gh/acme/web-ui"_s), 0);
    QCOMPARE(ours(u"gh/acme/api"_s), 1);
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
