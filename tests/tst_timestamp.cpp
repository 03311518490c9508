// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "core/timestamp.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestTimestamp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void agreesWithQt();
    void formatInvalid();
};

void TestTimestamp::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("normalized"); // empty = invalid
    // clang-format off
    QTest::newRow("happened_at, 6 digits") << "2026-03-14T09:27:41.508213Z"_ba        << "2026-03-14T09:27:41.508Z"_ba;
    QTest::newRow("entity, 3 digits")      << "2026-03-14T09:21:05.112Z"_ba           << "2026-03-14T09:21:05.112Z"_ba;
    QTest::newRow("commit, no fraction")   << "2026-03-14T09:20:51Z"_ba               << "2026-03-14T09:20:51.000Z"_ba;
    QTest::newRow("one digit")             << "2026-03-14T09:20:51.5Z"_ba             << "2026-03-14T09:20:51.500Z"_ba;
    QTest::newRow("nanoseconds")           << "2026-03-14T09:20:51.999999999Z"_ba     << "2026-03-14T09:20:51.999Z"_ba;
    QTest::newRow("gitlab +00:00")         << "2026-03-14T09:59:58+00:00"_ba          << "2026-03-14T09:59:58.000Z"_ba;
    QTest::newRow("+02:00 offset")         << "2026-03-14T11:59:58.250+02:00"_ba      << "2026-03-14T09:59:58.250Z"_ba;
    QTest::newRow("-0530 offset")          << "2026-03-14T04:29:58-0530"_ba           << "2026-03-14T09:59:58.000Z"_ba;
    QTest::newRow("+01 offset")            << "2026-01-01T00:30:00+01"_ba             << "2025-12-31T23:30:00.000Z"_ba;
    QTest::newRow("no offset is UTC")      << "2026-03-14T09:59:58.1"_ba              << "2026-03-14T09:59:58.100Z"_ba;
    QTest::newRow("space separator")       << "2026-03-14 09:59:58Z"_ba               << "2026-03-14T09:59:58.000Z"_ba;
    QTest::newRow("lowercase t and z")     << "2026-03-14t09:59:58z"_ba               << "2026-03-14T09:59:58.000Z"_ba;
    QTest::newRow("Go time.String()")      << "2024-12-18 17:23:29.361740256 +0000 UTC"_ba << "2024-12-18T17:23:29.361Z"_ba;
    QTest::newRow("Go with offset")        << "2024-12-18 18:23:29.5 +0100 CET"_ba    << "2024-12-18T17:23:29.500Z"_ba;
    QTest::newRow("leap day")              << "2024-02-29T12:00:00Z"_ba               << "2024-02-29T12:00:00.000Z"_ba;
    QTest::newRow("epoch")                 << "1970-01-01T00:00:00Z"_ba               << "1970-01-01T00:00:00.000Z"_ba;
    QTest::newRow("before epoch")          << "1969-12-31T23:59:59.900Z"_ba           << "1969-12-31T23:59:59.900Z"_ba;
    QTest::newRow("not a leap day")        << "2026-02-29T12:00:00Z"_ba               << QByteArray();
    QTest::newRow("month 13")              << "2026-13-01T00:00:00Z"_ba               << QByteArray();
    QTest::newRow("hour 24")               << "2026-03-14T24:00:00Z"_ba               << QByteArray();
    QTest::newRow("date only")             << "2026-03-14"_ba                         << QByteArray();
    QTest::newRow("empty")                 << QByteArray()                            << QByteArray();
    QTest::newRow("garbage")               << "yesterday"_ba                          << QByteArray();
    QTest::newRow("trailing junk")         << "2026-03-14T09:59:58Zjunk"_ba           << QByteArray();
    QTest::newRow("dot without digits")    << "2026-03-14T09:59:58.Z"_ba              << QByteArray();
    QTest::newRow("unix seconds")          << "1773480478"_ba                         << QByteArray();
    // clang-format on
}

void TestTimestamp::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, normalized);
    const QDateTime t = ct::parseTimestamp(text);
    QCOMPARE(t.isValid(), !normalized.isEmpty());
    QCOMPARE(ct::formatTimestamp(t), normalized);
    if (t.isValid())
        QCOMPARE(t.timeSpec(), Qt::UTC);
}

void TestTimestamp::agreesWithQt()
{
    // Cross-check with Qt's own ISO parser on forms both understand.
    for (const char *s : {"2026-03-14T09:27:41.508Z", "2000-01-01T00:00:00.000Z", "2099-12-31T23:59:59.999Z",
                          "2026-07-04T12:34:56.789+05:30"}) {
        const QDateTime ours = ct::parseTimestamp(s);
        const QDateTime qt = QDateTime::fromString(QString::fromLatin1(s), Qt::ISODateWithMs);
        QVERIFY2(qt.isValid(), s);
        QCOMPARE(ours.toMSecsSinceEpoch(), qt.toMSecsSinceEpoch());
    }
}

void TestTimestamp::formatInvalid()
{
    QVERIFY(ct::formatTimestamp(QDateTime()).isEmpty());
}

QTEST_GUILESS_MAIN(TestTimestamp)
#include "tst_timestamp.moc"
