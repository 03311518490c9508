// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/setup/secretstore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSecretStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fileFallbackIsPrivate();
};

void TestSecretStore::fileFallbackIsPrivate()
{
    // No Secret Service on a test machine: the file fallback, and it must say so.
    qputenv("CIRCLETRAY_SECRET_BACKEND", "file");
    QTemporaryDir dir;
    const QString file = dir.filePath(u"secrets.ini"_s);
    {
        ct::SecretStore store(file);
        QVERIFY(store.usingFallback());
        QVERIFY(store.webhookSecrets().isEmpty());
        QVERIFY(store.setWebhookSecrets({"new-secret"_ba, "old-secret"_ba}));
        QVERIFY(store.setRelayToken("ctr_token\n"_ba));
    }
    QCOMPARE(
        QFile(file).permissions()
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());
    ct::SecretStore again(file);
    QCOMPARE(again.webhookSecrets(), QList<QByteArray>({"new-secret"_ba, "old-secret"_ba}));
    QCOMPARE(again.relayToken(), "ctr_token"_ba);
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
