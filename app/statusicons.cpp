// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/statusicons.h"

#include <QFont>
#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPixmap>

#include <functional>

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

    //! The shape inside a dot, so that status never rests on colour alone.
    enum class Glyph { None, Check, Cross, Dash, Dots, Question };

    Glyph glyphFor(const QString &statusClass)
    {
        if (statusClass == u"success")
            return Glyph::Check;
        if (statusClass == u"failure")
            return Glyph::Cross;
        if (statusClass == u"canceled")
            return Glyph::Dash;
        if (statusClass.isEmpty())
            return Glyph::Dots; // running
        return Glyph::Question;
    }

    void drawGlyph(QPainter &p, const QRectF &r, Glyph g, qreal pen)
    {
        p.setPen(QPen(Qt::white, std::max(1.2, pen * 1.6), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        const QPointF c = r.center();
        const qreal s = r.width() * 0.24;
        switch (g) {
        case Glyph::Check:
            p.drawPolyline(QPolygonF({c + QPointF(-s, 0), c + QPointF(-s * 0.3, s * 0.75), c + QPointF(s, -s * 0.7)}));
            break;
        case Glyph::Cross:
            p.drawLine(c + QPointF(-s * 0.8, -s * 0.8), c + QPointF(s * 0.8, s * 0.8));
            p.drawLine(c + QPointF(-s * 0.8, s * 0.8), c + QPointF(s * 0.8, -s * 0.8));
            break;
        case Glyph::Dash:
            p.drawLine(c + QPointF(-s, 0), c + QPointF(s, 0));
            break;
        case Glyph::Dots:
            p.setBrush(Qt::white);
            p.setPen(Qt::NoPen);
            for (int i = -1; i <= 1; ++i)
                p.drawEllipse(c + QPointF(i * s * 0.9, 0), s * 0.25, s * 0.25);
            break;
        case Glyph::Question: {
            QFont f = p.font();
            f.setPixelSize(int(r.height() * 0.7));
            f.setBold(true);
            p.setFont(f);
            p.drawText(r, Qt::AlignCenter, u"?"_s);
            break;
        }
        case Glyph::None:
            break;
        }
    }

    //! An icon in every size the tray and the lists ask for, each drawn by \a paint.
    QIcon paintedIcon(const std::function<void(QPainter &, int size)> &paint)
    {
        QIcon icon;
        for (int size : {16, 22, 24, 32, 48, 64}) {
            QPixmap pm(size, size);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            paint(p, size);
            p.end();
            icon.addPixmap(pm);
        }
        return icon;
    }

    QIcon draw(const QColor &fill, bool hollow, bool slash, Glyph glyph = Glyph::None)
    {
        return paintedIcon([&](QPainter &p, int size) {
            const qreal pen = std::max(1.0, size / 12.0);
            const QRectF r(pen, pen, size - 2 * pen, size - 2 * pen);
            p.setPen(QPen(QColor(0x1f, 0x23, 0x28), pen));
            p.setBrush(hollow ? QBrush(Qt::NoBrush) : QBrush(fill));
            if (hollow)
                p.setPen(QPen(fill, pen * 1.5));
            p.drawEllipse(r);
            if (!hollow && size >= 16)
                drawGlyph(p, r, glyph, pen);
            if (slash) {
                p.setPen(QPen(fill, pen * 1.5));
                p.drawLine(r.topRight() + QPointF(-r.width() * 0.15, r.height() * 0.15),
                           r.bottomLeft() + QPointF(r.width() * 0.15, -r.height() * 0.15));
            }
        });
    }

} // namespace

QIcon StatusIcons::forStatusClass(const QString &statusClass)
{
    static QHash<QString, QIcon> cache;
    auto it = cache.find(statusClass);
    if (it == cache.end())
        it = cache.insert(statusClass, draw(colorFor(statusClass), false, false, glyphFor(statusClass)));
    return *it;
}

QIcon StatusIcons::disconnectedWith(const QString &worst)
{
    // The last known state stays readable (its colour and shape, faded) with a badge that says
    // "no connection": a grey ring crossed out, bottom right.
    const QIcon state = forStatusClass(worst);
    return paintedIcon([&](QPainter &p, int size) {
        p.setOpacity(0.55);
        p.drawPixmap(0, 0, state.pixmap(size, size));
        p.setOpacity(1.0);
        const qreal b = size * 0.5;
        const QRectF badge(size - b, size - b, b, b);
        const qreal pen = std::max(1.0, size / 14.0);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x1f, 0x23, 0x28));
        p.drawEllipse(badge);
        p.setPen(QPen(QColor(0xf0, 0xf0, 0xf0), pen));
        p.setBrush(Qt::NoBrush);
        const QRectF ring = badge.adjusted(pen * 1.5, pen * 1.5, -pen * 1.5, -pen * 1.5);
        p.drawEllipse(ring);
        p.drawLine(ring.topRight(), ring.bottomLeft());
    });
}

QIcon StatusIcons::pausedOver(const QIcon &base)
{
    // Two bars on a dark disc, top right: notifications are paused.
    return paintedIcon([&](QPainter &p, int size) {
        p.drawPixmap(0, 0, base.pixmap(size, size));
        const qreal b = size * 0.5;
        const QRectF badge(size - b, 0, b, b);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x1f, 0x23, 0x28));
        p.drawEllipse(badge);
        p.setBrush(QColor(0xf0, 0xf0, 0xf0));
        const qreal w = b * 0.16, h = b * 0.5;
        const QPointF c = badge.center();
        p.drawRect(QRectF(c.x() - w * 1.6, c.y() - h / 2, w, h));
        p.drawRect(QRectF(c.x() + w * 0.6, c.y() - h / 2, w, h));
    });
}

QIcon StatusIcons::tray(bool connected, const QString &worst, bool paused)
{
    if (paused)
        return pausedOver(tray(connected, worst, false));
    QIcon drawn;
    QString themed;
    if (!connected && !worst.isEmpty()) {
        return disconnectedWith(worst); // no themed variant for each state: drawn
    } else if (!connected) {
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
