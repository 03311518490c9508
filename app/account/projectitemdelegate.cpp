// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/account/projectitemdelegate.h"

#include "app/account/projectpicker.h"

#include <QApplication>
#include <QPainter>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QStyle *styleOf(const QStyleOptionViewItem &option)
    {
        return option.widget ? option.widget->style() : QApplication::style();
    }

    QFont boldOf(const QFont &font)
    {
        QFont bold = font;
        bold.setBold(true);
        return bold;
    }

    const QString separator = u"  "_s; // between the name and the slug

} // namespace

ProjectItemDelegate::ProjectItemDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{ }

void ProjectItemDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (index.data(ProjectPicker::UnavailableRole).toBool())
        option->state &= ~QStyle::State_Enabled;
}

void ProjectItemDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QString slug = index.data(ProjectPicker::SlugRole).toString();
    if (index.column() != ProjectPicker::ProjectColumn || slug.isEmpty())
        return QStyledItemDelegate::paint(painter, option, index);

    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    const QString name = opt.text;
    QStyle *style = styleOf(opt);
    opt.text.clear();
    // The background, selection, focus frame and check box as the style draws them; the text by hand.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    opt.text = name; // the text rectangle of a row with text
    const QRect textRect =
        style->subElementRect(QStyle::SE_ItemViewItemText, &opt, opt.widget)
            .adjusted(style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, opt.widget) + 1, 0, 0, 0);

    const QPalette::ColorGroup group = !(opt.state & QStyle::State_Enabled) ? QPalette::Disabled
        : (opt.state & QStyle::State_Active)                                ? QPalette::Normal
                                                                            : QPalette::Inactive;
    const bool selected = opt.state & QStyle::State_Selected;
    const QColor primary = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor secondary = selected ? primary : opt.palette.color(group, QPalette::PlaceholderText);
    if (selected)
        secondary.setAlphaF(0.75);

    painter->save();
    painter->setClipRect(textRect);
    const QFont bold = boldOf(opt.font);
    const QFontMetrics boldMetrics(bold);
    const QString shownName = boldMetrics.elidedText(name, opt.textElideMode, textRect.width());
    painter->setFont(bold);
    painter->setPen(primary);
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine, shownName);
    const int nameWidth = boldMetrics.horizontalAdvance(shownName + separator);
    if (shownName == name && nameWidth < textRect.width()) {
        const QRect slugRect = textRect.adjusted(nameWidth, 0, 0, 0);
        const QFontMetrics metrics(opt.font);
        painter->setFont(opt.font);
        painter->setPen(secondary);
        painter->drawText(slugRect, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine,
                          metrics.elidedText(slug, Qt::ElideMiddle, slugRect.width()));
    }
    painter->restore();
}

QSize ProjectItemDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QString slug = index.data(ProjectPicker::SlugRole).toString();
    if (index.column() != ProjectPicker::ProjectColumn || slug.isEmpty())
        return QStyledItemDelegate::sizeHint(option, index);
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    QSize size = styleOf(opt)->sizeFromContents(QStyle::CT_ItemViewItem, &opt, QSize(), opt.widget);
    // What the style measured for the name in the normal font, replaced by bold name + slug.
    const int measured = QFontMetrics(opt.font).horizontalAdvance(opt.text);
    const int wanted = QFontMetrics(boldOf(opt.font)).horizontalAdvance(opt.text + separator)
        + QFontMetrics(opt.font).horizontalAdvance(slug);
    size.rwidth() += wanted - measured;
    return size;
}

} // namespace ct
