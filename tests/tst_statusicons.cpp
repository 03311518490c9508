// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// Status is never told by colour alone (issue 15, 12): each status icon has its own shape, so that
// the icons still differ once the colour is taken away.
#include "app/statusicons.h"

#include <QImage>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QImage grey(const QString &statusClass, int size)
{
    QImage image = ct::StatusIcons::forStatusClass(statusClass).pixmap(size, size).toImage();
    return image.convertToFormat(QImage::Format_Grayscale8);
}

//! Pixels that differ by more than a faint antialiasing step.
int differingPixels(const QImage &a, const QImage &b)
{
    int n = 0;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x)
            n += std::abs(qGray(a.pixel(x, y)) - qGray(b.pixel(x, y))) > 40;
    }
    return n;
}

} // namespace

class TestStatusIcons final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapesDifferWithoutColour_data();
    void shapesDifferWithoutColour();
    void disconnectedKeepsTheLastState();
    void pauseShowsOnTheIcon();
};

void TestStatusIcons::shapesDifferWithoutColour_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    const QStringList classes {u"success"_s, u"failure"_s, u"canceled"_s, QString(), u"unknown"_s};
    for (int i = 0; i < classes.size(); ++i) {
        for (int j = i + 1; j < classes.size(); ++j) {
            const QString name = (classes[i].isEmpty() ? u"running"_s : classes[i]) + u" vs "_s
                + (classes[j].isEmpty() ? u"running"_s : classes[j]);
            QTest::newRow(qPrintable(name)) << classes[i] << classes[j];
        }
    }
}

void TestStatusIcons::shapesDifferWithoutColour()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    for (int size : {16, 24}) {
        const int diff = differingPixels(grey(a, size), grey(b, size));
        QVERIFY2(diff >= size / 2, qPrintable(u"%1 px differ at %2 px"_s.arg(diff).arg(size)));
    }
}

void TestStatusIcons::disconnectedKeepsTheLastState()
{
    // Issue 15 (7): disconnected, the icon was a crossed ring whatever was known; now the last
    // state shows through, badged.
    const auto image = [](const QIcon &icon) { return icon.pixmap(24, 24).toImage(); };
    const QImage failing = image(ct::StatusIcons::tray(false, u"failure"_s));
    const QImage passing = image(ct::StatusIcons::tray(false, u"success"_s));
    const QImage unknown = image(ct::StatusIcons::tray(false, QString()));
    const QImage connectedFailing = image(ct::StatusIcons::tray(true, u"failure"_s));
    QVERIFY(failing != passing); // the state is still told
    QVERIFY(failing != unknown);
    QVERIFY(failing != connectedFailing); // and that the link is down
    // The badge sits bottom right: the top left quarter still looks like the state's dot.
    const QColor topLeft = failing.pixelColor(4, 12); // inside the dot, clear of its glyph and the badge
    QVERIFY2(topLeft.red() > topLeft.green() && topLeft.alpha() > 0, qPrintable(topLeft.name(QColor::HexArgb)));
}

void TestStatusIcons::pauseShowsOnTheIcon()
{
    const auto image = [](const QIcon &icon) { return icon.pixmap(24, 24).toImage(); };
    QVERIFY(image(ct::StatusIcons::tray(true, u"success"_s, true)) != image(ct::StatusIcons::tray(true, u"success"_s)));
    QVERIFY(image(ct::StatusIcons::tray(false, u"failure"_s, true))
            != image(ct::StatusIcons::tray(false, u"failure"_s)));
}

QTEST_MAIN(TestStatusIcons)
#include "tst_statusicons.moc"
