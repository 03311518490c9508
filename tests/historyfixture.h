// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// A large history written straight into a HistoryStore's table (recording events one by one would
// take long): `count` workflows, one a minute up to now, every 7th in project "web", every 5th
// failed; workflow 4242 has the subject "Needle in the haystack", the others "Commit <i>"; each has
// a 40-digit hex revision (fixtureRevision(i)). The search column holds what HistoryStore::record()
// puts there (every text field, lowercased), so the search index is as large as a real one.
#pragma once

#include "app/history/historystore.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

namespace ct::test {

//! A commit hash that looks random (SplitMix64), the same for \a i on every run.
inline QString fixtureRevision(int i)
{
    QString out;
    quint64 state = quint64(i) * 0x9e3779b97f4a7c15ULL;
    while (out.size() < 40) {
        quint64 z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        out += QString::number(z ^ (z >> 31), 16).rightJustified(16, u'0');
    }
    return out.left(40);
}

inline bool fillHistory(HistoryStore &store, int count)
{
    using namespace Qt::StringLiterals;
    QSqlDatabase db = store.database();
    if (!db.transaction())
        return false;
    // Rows go into a table without triggers first, then into workflows in one statement: its
    // triggers (the search index) then run in one statement too. Inserted one statement per row,
    // FTS5 writes its pending index out at every statement (savepoint): 11 s instead of 2.5 s per 100k.
    QSqlQuery q(db);
    const auto fail = [&] {
        db.rollback();
        return false;
    };
    if (!q.exec(u"CREATE TEMP TABLE fill AS SELECT * FROM main.workflows LIMIT 0"_s))
        return fail();
    if (!q.prepare(u"INSERT INTO fill (workflow_id, project_slug, project_name, branch, workflow_name, status, "
                   "status_class, url, commit_subject, author_name, author_email, revision, pipeline_number, "
                   "created_at, stopped_at, finished_at, duration, search) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s))
        return fail();
    const qint64 base = QDateTime::currentMSecsSinceEpoch() - qint64(count) * 60'000;
    for (int i = 0; i < count; ++i) {
        const QString project = i % 7 == 0 ? u"web"_s : u"api"_s;
        const QString slug = u"github/org/"_s + project;
        const bool failed = i % 5 == 0;
        const QString status = failed ? u"failed"_s : u"success"_s;
        const QString subject = i == 4242 ? u"Needle in the haystack"_s : u"Commit %1"_s.arg(i);
        const QString revision = fixtureRevision(i);
        q.addBindValue(u"wf-%1"_s.arg(i));
        q.addBindValue(slug);
        q.addBindValue(project);
        q.addBindValue(u"main"_s);
        q.addBindValue(u"build"_s);
        q.addBindValue(status);
        q.addBindValue(failed ? u"failure"_s : u"success"_s);
        q.addBindValue(u"https://app.circleci.com/w/%1"_s.arg(i));
        q.addBindValue(subject);
        q.addBindValue(u"Dev"_s);
        q.addBindValue(u"dev@example.com"_s);
        q.addBindValue(revision);
        q.addBindValue(i);
        q.addBindValue(base + i * 60'000LL - 120'000);
        q.addBindValue(base + i * 60'000LL);
        q.addBindValue(base + i * 60'000LL);
        q.addBindValue(120);
        // In HistoryStore::record()'s order: name, slug, branch, tag, workflow, status, subject,
        // author, email, pipeline number, revision.
        q.addBindValue(QStringList {project, slug, u"main"_s, QString(), u"build"_s, status, subject, u"Dev"_s,
                                    u"dev@example.com"_s, QString::number(i), revision}
                           .join(u'\x1f')
                           .toLower());
        if (!q.exec())
            return fail();
    }
    if (!q.exec(u"INSERT INTO main.workflows SELECT * FROM fill"_s) || !q.exec(u"DROP TABLE fill"_s))
        return fail();
    return db.commit();
}

} // namespace ct::test
