// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "relayprocess.h"

#include <QTest>
class TestRelayDelivery final : public QObject
{
    Q_OBJECT
};
QTEST_GUILESS_MAIN(TestRelayDelivery)
#include "tst_relaydelivery.moc"
