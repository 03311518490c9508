// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#pragma once

#include "core/circleci/webhooksync.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace ct {

class CircleCiClient;
class ProjectPicker;

/*!
 * \brief Settings → "Watched projects": the projects with CircleTray's webhook, ticked. Applying
 * creates the webhook where a project was ticked and removes it where one was unticked (on
 * CircleCI, at once), and says what happened per project.
 */
class WatchedProjectsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WatchedProjectsDialog)

public:
    //! \a spec: the webhook ticked projects get (its name finds the existing ones).
    WatchedProjectsDialog(CircleCiClient *client, const WebhookSpec &spec, const QString &specProblem,
                          QWidget *parent = nullptr);

    ProjectPicker *picker() const { return m_picker; }
    QPushButton *applyButton() const { return m_apply; }
    QString results() const; //!< the per-project lines of the last apply
    //! Slugs that have CircleTray's webhook after the last apply (or as loaded).
    QStringList watched() const { return m_watched; }

Q_SIGNALS:
    void applied(const QStringList &watched);

private:
    void apply();

    CircleCiClient *m_client;
    WebhookSpec m_spec;
    ProjectPicker *m_picker;
    QPushButton *m_apply;
    QLabel *m_note;
    QPlainTextEdit *m_results;
    QStringList m_watched;
    WebhookSync *m_sync = nullptr;
};

} // namespace ct
