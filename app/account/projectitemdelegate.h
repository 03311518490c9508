// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace ct {

/*!
 * \brief Draws ProjectPicker's rows: the project's name in bold followed by its slug in the
 * secondary text colour, and rows that cannot be checked greyed out (still focusable and
 * selectable, so a keyboard user reaches them and hears why).
 */
class ProjectItemDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectItemDelegate)

public:
    explicit ProjectItemDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace ct
