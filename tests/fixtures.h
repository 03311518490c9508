// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// The CircleCI payloads in tests/data/, for every suite.
#pragma once

#include <QFile>
#include <QTest>

namespace ct::test {

inline QString fixturePath(QStringView name)
{
    return QFINDTESTDATA(QStringLiteral("data/") + name);
}

//! The bytes of tests/data/<name>, exactly as stored; a missing fixture stops the test run.
inline QByteArray fixture(QStringView name)
{
    QFile f(fixturePath(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name.toString()));
    return f.readAll();
}

} // namespace ct::test
