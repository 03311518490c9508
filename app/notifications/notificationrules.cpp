// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/notifications/notificationrules.h"

#include "app/history/relativetime.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    QString duration(qint64 seconds)
    {
        return durationText(seconds);
    }

    //! One popup per project · branch · workflow: "Fixed" replaces the "Broken" of an earlier run,
    //! a later completion of the same run its first one, the run's result its job's failure.
    QString popupKey(const WorkflowRecord &w)
    {
        return w.projectSlug + u'\x1f' + w.ref() + u'\x1f' + w.workflowName;
    }

    QString heading(const QString &kind, const WorkflowRecord &w)
    {
        return kind + u": "_s + w.displayProject() + u" · "_s + w.ref() + u" · "_s + w.workflowName;
    }

    bool matchesAny(const QString &value, const QStringList &patterns)
    {
        // Globs: * is any run of characters (slashes too: "feature/*" matches "feature/a/b"), ? one.
        for (const QString &p : patterns) {
            QString re = QRegularExpression::escape(p.trimmed());
            re.replace(u"\\*"_s, u".*"_s).replace(u"\\?"_s, u"."_s);
            if (QRegularExpression(QRegularExpression::anchoredPattern(re)).match(value).hasMatch())
                return true;
        }
        return false;
    }

} // namespace

NotificationRules::NotificationRules(RuleSettings settings)
    : m_settings(std::move(settings))
{ }

QString NotificationRules::titleFor(Transition t)
{
    switch (t) {
    case Transition::Broken:
        return u"Broken"_s;
    case Transition::Fixed:
        return u"Fixed"_s;
    case Transition::StillFailing:
        return u"Still failing"_s;
    case Transition::Passed:
        return u"Passed"_s;
    case Transition::Canceled:
        return u"Canceled"_s;
    case Transition::Unknown:
        break;
    }
    return u"Finished"_s;
}

bool NotificationRules::isPaused(const QDateTime &now) const
{
    return m_settings.pausedUntil.isValid() && now < m_settings.pausedUntil;
}

bool NotificationRules::watches(const WorkflowRecord &w) const
{
    const auto projectIn = [&w](const QStringList &list) {
        for (const QString &p : list) {
            const QString t = p.trimmed();
            if (!t.isEmpty()
                && (t.compare(w.projectSlug, Qt::CaseInsensitive) == 0
                    || t.compare(w.displayProject(), Qt::CaseInsensitive) == 0))
                return true;
        }
        return false;
    };
    if (!m_settings.includeProjects.isEmpty() && !projectIn(m_settings.includeProjects))
        return false;
    if (projectIn(m_settings.excludeProjects))
        return false;
    if (!m_settings.branchPatterns.isEmpty()) {
        const QString ref = !w.branch.isEmpty() ? w.branch : w.tag;
        if (ref.isEmpty() || !matchesAny(ref, m_settings.branchPatterns))
            return false;
    }
    if (m_settings.onlyMine) {
        bool mine = false;
        for (const QString &email : m_settings.myEmails)
            mine |= !email.trimmed().isEmpty() && email.trimmed().compare(w.authorEmail, Qt::CaseInsensitive) == 0;
        if (!mine)
            return false;
    }
    return true;
}

std::optional<Notification> NotificationRules::forWorkflow(const WorkflowRecord &w, const QList<JobRecord> &jobs,
                                                           const TrackerUpdate &update, const QDateTime &now) const
{
    if (update.stale || isPaused(now) || !watches(w))
        return std::nullopt;
    if (!m_settings.kinds.contains(QString::fromLatin1(transitionName(update.transition))))
        return std::nullopt;
    Notification n;
    n.key = popupKey(w);
    n.title = heading(titleFor(update.transition), w);
    QStringList lines;
    if (!w.commitSubject.isEmpty())
        lines.append(w.commitSubject);
    QStringList meta;
    if (!w.authorName.isEmpty())
        meta.append(w.authorName);
    if (w.pipelineNumber > 0)
        meta.append(u"pipeline #"_s + QString::number(w.pipelineNumber));
    if (const QString d = duration(w.durationSeconds()); !d.isEmpty())
        meta.append(d);
    if (!meta.isEmpty())
        lines.append(meta.join(u" · "_s));
    QStringList failed;
    for (const JobRecord &j : jobs) {
        if (j.statusClass == u"failure")
            failed.append(j.name);
    }
    if (!failed.isEmpty())
        lines.append(u"Failed: "_s + failed.join(u", "_s));
    n.body = lines.join(u'\n');
    n.critical = update.transition == Transition::Broken || update.transition == Transition::StillFailing;
    n.iconName = n.critical ? u"dialog-error"_s
                            : (update.transition == Transition::Canceled ? u"process-stop"_s : u"emblem-default"_s);
    n.url = QUrl(w.url);
    if (n.critical && w.statusClass == u"failure")
        n.rerunWorkflowId = w.workflowId;
    return n;
}

std::optional<Notification> NotificationRules::forFailedJob(const WorkflowRecord &w, const JobRecord &job,
                                                            const QDateTime &now) const
{
    if (!m_settings.jobFailures || job.statusClass != u"failure" || isPaused(now) || !watches(w))
        return std::nullopt;
    Notification n;
    n.key = popupKey(w); // the workflow's own popup replaces this one when it completes
    n.title = heading(u"Job failed"_s, w);
    n.body = job.name + u" failed"_s + (w.commitSubject.isEmpty() ? QString() : u"\n"_s + w.commitSubject);
    n.critical = true;
    n.iconName = u"dialog-error"_s;
    n.url = QUrl(!job.url.isEmpty() ? job.url : w.url);
    n.rerunWorkflowId = w.workflowId; // CircleCI refuses it until the workflow finished, and says so
    return n;
}

} // namespace ct
