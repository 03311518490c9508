// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A large history written straight into a HistoryStore's table (recording events one by one would
// take long): `count` workflows, one a minute up to now, every 7th in project "web", every 5th
// failed; workflow 4242 has the subject "Needle in the haystack", the others "Commit <i>".
#pragma once

#include "app/history/historystore.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

namespace ct::test {

inline bool fillHistory(HistoryStore &store, int count)
{
    using namespace Qt::StringLiterals;
    QSqlDatabase db = store.database();
    if (!db.transaction())
        return false;
    QSqlQuery q(db);
    if (!q.prepare(
            u"INSERT INTO workflows (workflow_id, project_slug, project_name, branch, workflow_name, status, "
            "status_class, url, commit_subject, author_name, author_email, pipeline_number, created_at, "
            "stopped_at, finished_at, duration, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s))
        return false;
    const qint64 base = QDateTime::currentMSecsSinceEpoch() - qint64(count) * 60'000;
    for (int i = 0; i < count; ++i) {
        const QString project = i % 7 == 0 ? u"web"_s : u"api"_s;
        const bool failed = i % 5 == 0;
        const QString subject = i == 4242 ? u"Needle in the haystack"_s : u"Commit %1"_s.arg(i);
        q.addBindValue(u"wf-%1"_s.arg(i));
        q.addBindValue(QString(u"github/org/"_s + project));
        q.addBindValue(project);
        q.addBindValue(u"main"_s);
        q.addBindValue(u"build"_s);
        q.addBindValue(failed ? u"failed"_s : u"success"_s);
        q.addBindValue(failed ? u"failure"_s : u"success"_s);
        q.addBindValue(u"https://app.circleci.com/w/%1"_s.arg(i));
        q.addBindValue(subject);
        q.addBindValue(u"Dev"_s);
        q.addBindValue(u"dev@example.com"_s);
        q.addBindValue(i);
        q.addBindValue(base + i * 60'000LL - 120'000);
        q.addBindValue(base + i * 60'000LL);
        q.addBindValue(base + i * 60'000LL);
        q.addBindValue(120);
        q.addBindValue(QStringList {project, u"main"_s, u"build"_s, subject, u"dev"_s}.join(u' ').toLower());
        if (!q.exec()) {
            db.rollback();
            return false;
        }
    }
    return db.commit();
}

} // namespace ct::test
