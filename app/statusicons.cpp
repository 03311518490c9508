// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/statusicons.h"

#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QColor colorFor(const QString &statusClass)
    {
        if (statusClass == u"success")
            return QColor(0x2e, 0xa0, 0x43);
        if (statusClass == u"failure")
            return QColor(0xd7, 0x3a, 0x49);
        if (statusClass == u"canceled")
            return QColor(0x8b, 0x94, 0x9e);
        if (statusClass.isEmpty())
            return QColor(0x3b, 0x82, 0xf6); // running
        return QColor(0xd4, 0xa7, 0x2c); // unknown
    }

    QIcon draw(const QColor &fill, bool hollow, bool slash)
    {
        QIcon icon;
        for (int size : {16, 22, 24, 32, 48, 64}) {
            QPixmap pm(size, size);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            const qreal pen = std::max(1.0, size / 12.0);
            const QRectF r(pen, pen, size - 2 * pen, size - 2 * pen);
            p.setPen(QPen(QColor(0x1f, 0x23, 0x28), pen));
            p.setBrush(hollow ? QBrush(Qt::NoBrush) : QBrush(fill));
            if (hollow)
                p.setPen(QPen(fill, pen * 1.5));
            p.drawEllipse(r);
            if (slash) {
                p.setPen(QPen(fill, pen * 1.5));
                p.drawLine(r.topRight() + QPointF(-r.width() * 0.15, r.height() * 0.15),
                           r.bottomLeft() + QPointF(r.width() * 0.15, -r.height() * 0.15));
            }
            p.end();
            icon.addPixmap(pm);
        }
        return icon;
    }

} // namespace

QIcon StatusIcons::forStatusClass(const QString &statusClass)
{
    static QHash<QString, QIcon> cache;
    auto it = cache.find(statusClass);
    if (it == cache.end())
        it = cache.insert(statusClass, draw(colorFor(statusClass), false, false));
    return *it;
}

QIcon StatusIcons::tray(bool connected, const QString &worst)
{
    QIcon drawn;
    QString themed;
    if (!connected) {
        drawn = draw(QColor(0x8b, 0x94, 0x9e), true, true);
        themed = u"circletray-disconnected"_s;
    } else if (worst.isEmpty()) {
        drawn = draw(QColor(0x8b, 0x94, 0x9e), true, false);
        themed = u"circletray-nodata"_s;
    } else {
        drawn = forStatusClass(worst);
        themed = worst == u"failure" ? u"circletray-failing"_s : u"circletray-passing"_s;
    }
    // The installed hicolor SVGs (halo for dark panels, outline for light ones) when they can be drawn.
    static const bool svg = QImageReader::supportedImageFormats().contains("svg");
    return svg && QIcon::hasThemeIcon(themed) ? QIcon::fromTheme(themed) : drawn;
}

} // namespace ct
