// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/webhookverifier.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using ct::VerifyResult;

Q_DECLARE_METATYPE(ct::VerifyResult)

class TestWebhookVerifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publishedVectors_data();
    void publishedVectors();
    void headerForms_data();
    void headerForms();
    void everyByteFlipped();
    void rotation();
    void emptySecretsNeverMatch();
    void missingHeader();
    void sign();
    void agreesWithOpensslCli();
};

void TestWebhookVerifier::publishedVectors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("v1");
    // clang-format off
    // The spec's (CircleCI docs') vectors, then more made with: printf '%s' BODY | openssl dgst -sha256 -hmac SECRET -r
    QTest::newRow("docs hello world") << "hello world"_ba << "secret"_ba << "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"_ba;
    QTest::newRow("docs lalala")      << "lalala"_ba << "another-secret"_ba << "daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00"_ba;
    QTest::newRow("docs payload")     << "an-important-request-payload"_ba << "hunter123"_ba << "9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa"_ba;
    QTest::newRow("docs foo")         << "foo"_ba << "secret"_ba << "773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4"_ba;
    QTest::newRow("utf-8 secret")     << R"({"type":"ping"})"_ba << "ünïcödé-sëcret"_ba << "adeb4cc635d841c28e830dec936d864d8e8b399cf072bcc0e1073eaec901aa38"_ba;
    QTest::newRow("empty body")       << QByteArray() << "s3cr3t with spaces"_ba << "e12da2f8d20fb538243acc84e58b95a2915d2b0f6aa488d580232d4e8b5fadcb"_ba;
    QTest::newRow("100 bytes")        << QByteArray(100, 'a') << "k"_ba << "cb01d65877c91171bbbef069bef74ec8f79aed04af9015462905c81c447b7b2d"_ba;
    // clang-format on
}

void TestWebhookVerifier::publishedVectors()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, v1);
    const ct::WebhookVerifier verifier({secret});
    QCOMPARE(verifier.verify(body, QByteArrayView(QByteArray("v1=" + v1))), VerifyResult::Valid);
    // The same context, reused, must give the same answer (the key is kept across requests).
    QCOMPARE(verifier.verify(body, QByteArrayView(QByteArray("v1=" + v1))), VerifyResult::Valid);
    QCOMPARE(verifier.verify(QByteArray(body + ' '), QByteArrayView(QByteArray("v1=" + v1))), VerifyResult::Mismatch);
    QCOMPARE(ct::WebhookVerifier::sign(body, secret), v1);
}

void TestWebhookVerifier::headerForms_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<VerifyResult>("expected");
    const QByteArray good = "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"_ba;
    const QByteArray other = "0000000000000000000000000000000000000000000000000000000000000000"_ba;
    // clang-format off
    QTest::newRow("plain v1")               << "v1=" + good                          << VerifyResult::Valid;
    QTest::newRow("uppercase hex")          << "v1=" + good.toUpper()                << VerifyResult::Valid;
    QTest::newRow("v1 then v2 garbage")     << "v1=" + good + ",v2=garbage"          << VerifyResult::Valid;
    QTest::newRow("v2 first then v1")       << "v2=" + other + ",v1=" + good         << VerifyResult::Valid;
    QTest::newRow("extra versions")         << "v0=x,v1=" + good + ",v3=...,v4"      << VerifyResult::Valid;
    QTest::newRow("spaces around")          << " v1 = " + good + " , v2=abc"         << VerifyResult::Valid;
    QTest::newRow("v2 only")                << "v2=" + good                          << VerifyResult::BadFormat;
    QTest::newRow("empty header")           << QByteArray("")                        << VerifyResult::BadFormat;
    QTest::newRow("v1 empty")               << "v1="_ba                              << VerifyResult::BadFormat;
    QTest::newRow("v1 without =")           << "v1"_ba                               << VerifyResult::BadFormat;
    QTest::newRow("63 hex")                 << "v1=" + good.left(63)                 << VerifyResult::BadFormat;
    QTest::newRow("65 hex")                 << "v1=" + good + "0"                    << VerifyResult::BadFormat;
    QTest::newRow("non-hex")                << "v1=" + good.left(62) + "zz"          << VerifyResult::BadFormat;
    QTest::newRow("hex with 0x")            << "v1=0x" + good.left(62)               << VerifyResult::BadFormat;
    QTest::newRow("base64 instead of hex")  << "v1=c0zGLzKEFWj0VxWuufTXiRMk5tlI5MbGDAYhzaxIYjo="_ba << VerifyResult::BadFormat;
    QTest::newRow("sha256= prefix (GitHub)")<< "sha256=" + good                      << VerifyResult::BadFormat;
    QTest::newRow("bare digest")            << good                                  << VerifyResult::BadFormat;
    QTest::newRow("two v1, one good")       << "v1=" + other + ",v1=" + good         << VerifyResult::BadFormat;
    QTest::newRow("V1 uppercase key")       << "V1=" + good                          << VerifyResult::BadFormat;
    QTest::newRow("wrong digest")           << "v1=" + other                         << VerifyResult::Mismatch;
    QTest::newRow("truncated then padded")  << "v1=" + good.left(60) + "0000"        << VerifyResult::Mismatch;
    // clang-format on
}

void TestWebhookVerifier::headerForms()
{
    QFETCH(QByteArray, header);
    QFETCH(VerifyResult, expected);
    QCOMPARE(ct::verifySignature("hello world", QByteArrayView(header), {"secret"_ba}), expected);
}

void TestWebhookVerifier::everyByteFlipped()
{
    const QByteArray body = R"({"type":"workflow-completed","id":"0863072e","workflow":{"status":"failed"}})"_ba;
    const QByteArray secret = "rotation-2026"_ba;
    const QByteArray header = "v1=" + ct::WebhookVerifier::sign(body, secret);
    const ct::WebhookVerifier verifier({secret});
    QCOMPARE(verifier.verify(body, QByteArrayView(header)), VerifyResult::Valid);
    for (qsizetype i = 0; i < body.size(); ++i) {
        for (const char mask : {char(0x01), char(0x20), char(0x80)}) {
            QByteArray tampered = body;
            tampered[i] = char(tampered[i] ^ mask);
            if (verifier.verify(tampered, QByteArrayView(header)) != VerifyResult::Mismatch)
                QFAIL(qPrintable(u"flipping byte %1 with mask %2 was accepted"_s.arg(i).arg(int(uchar(mask)))));
        }
    }
    // Every digit of the signature too.
    for (qsizetype i = 3; i < header.size(); ++i) {
        QByteArray tampered = header;
        tampered[i] = tampered[i] == '0' ? '1' : '0';
        QCOMPARE(verifier.verify(body, QByteArrayView(tampered)), VerifyResult::Mismatch);
    }
    QCOMPARE(verifier.verify(body.chopped(1), QByteArrayView(header)), VerifyResult::Mismatch);
    QCOMPARE(verifier.verify(QByteArray(body + '\n'), QByteArrayView(header)), VerifyResult::Mismatch);
    QCOMPARE(verifier.verify(QByteArray(), QByteArrayView(header)), VerifyResult::Mismatch);
}

void TestWebhookVerifier::rotation()
{
    const QByteArray body = "payload"_ba;
    const QByteArray oldSig = "v1=" + ct::WebhookVerifier::sign(body, "old-secret");
    const QByteArray newSig = "v1=" + ct::WebhookVerifier::sign(body, "new-secret");
    ct::WebhookVerifier verifier({"new-secret"_ba, "old-secret"_ba});
    QCOMPARE(verifier.secretCount(), 2);
    QCOMPARE(verifier.verify(body, QByteArrayView(oldSig)), VerifyResult::Valid);
    QCOMPARE(verifier.verify(body, QByteArrayView(newSig)), VerifyResult::Valid);
    verifier.setSecrets({"new-secret"_ba});
    QCOMPARE(verifier.verify(body, QByteArrayView(oldSig)), VerifyResult::Mismatch);
    QCOMPARE(verifier.verify(body, QByteArrayView(newSig)), VerifyResult::Valid);
}

void TestWebhookVerifier::emptySecretsNeverMatch()
{
    // HMAC with an empty key is computable by anyone: a blank secret must not make it acceptable.
    const QByteArray body = "payload"_ba;
    const QByteArray emptyKeySig = "v1=" + ct::WebhookVerifier::sign(body, QByteArrayView(""));
    const ct::WebhookVerifier verifier({QByteArray(), ""_ba});
    QCOMPARE(verifier.secretCount(), 0);
    QCOMPARE(verifier.verify(body, QByteArrayView(emptyKeySig)), VerifyResult::Mismatch);
    QCOMPARE(ct::WebhookVerifier().verify(body, QByteArrayView(emptyKeySig)), VerifyResult::Mismatch);
}

void TestWebhookVerifier::missingHeader()
{
    QCOMPARE(ct::verifySignature("hello world", std::nullopt, {"secret"_ba}), VerifyResult::MissingHeader);
    QVERIFY(!ct::verifyResultReason(VerifyResult::MissingHeader).isEmpty());
    QVERIFY(ct::verifyResultReason(VerifyResult::Mismatch) != ct::verifyResultReason(VerifyResult::BadFormat));
}

void TestWebhookVerifier::sign()
{
    const QByteArray sig = ct::WebhookVerifier::sign("foo", "secret");
    QCOMPARE(sig.size(), 64);
    QCOMPARE(sig, sig.toLower());
}

void TestWebhookVerifier::agreesWithOpensslCli()
{
    // Independent implementation: the openssl command line, on random bodies and secrets.
    const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
    if (openssl.isEmpty())
        QSKIP("openssl command not installed (scripts/install-deps installs it)");
    auto *rng = QRandomGenerator::global();
    for (int round = 0; round < 5; ++round) {
        QByteArray body(rng->bounded(1, 4000), Qt::Uninitialized);
        for (char &c : body)
            c = char(rng->bounded(256));
        const QByteArray secret = QByteArray::number(rng->generate64(), 36);
        QProcess p;
        p.start(openssl, {u"dgst"_s, u"-sha256"_s, u"-hmac"_s, QString::fromLatin1(secret), u"-r"_s});
        QVERIFY(p.waitForStarted());
        p.write(body);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished());
        const QByteArray expected = p.readAllStandardOutput().split(' ').value(0);
        QCOMPARE(expected.size(), 64);
        QCOMPARE(ct::verifySignature(body, QByteArrayView(QByteArray("v1=" + expected)), {secret}),
                 VerifyResult::Valid);
    }
}

QTEST_GUILESS_MAIN(TestWebhookVerifier)
#include "tst_webhookverifier.moc"
