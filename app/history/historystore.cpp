// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historystore.h"

#include "app/applogging.h"
#include "app/privatefiles.h"
#include "core/logging.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace ct {

namespace {

    // Each entry migrates the schema from version i to i + 1.
    const QList<QStringList> migrations = {
        {
            u"CREATE TABLE workflows (workflow_id TEXT PRIMARY KEY, project_slug TEXT NOT NULL, project_name TEXT, "
            "branch TEXT, tag TEXT, workflow_name TEXT NOT NULL, status TEXT, status_class TEXT, url TEXT, "
            "commit_subject TEXT, author_name TEXT, author_email TEXT, revision TEXT, pipeline_number INTEGER, "
            "created_at INTEGER, stopped_at INTEGER, finished_at INTEGER NOT NULL, happened_at INTEGER, "
            "duration INTEGER, search TEXT NOT NULL)"_s,
            u"CREATE INDEX workflows_finished ON workflows (finished_at)"_s,
            u"CREATE TABLE jobs (job_id TEXT PRIMARY KEY, workflow_id TEXT, name TEXT NOT NULL, number INTEGER, "
            "status TEXT, status_class TEXT, url TEXT, started_at INTEGER, stopped_at INTEGER, happened_at INTEGER)"_s,
            u"CREATE INDEX jobs_workflow ON jobs (workflow_id)"_s,
            u"CREATE TABLE seen_events (event_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)"_s,
        },
        {
            // The history window lists the projects each time it opens: an index makes that a few
            // look-ups instead of a scan of every workflow (30 ms at 100,000).
            u"CREATE INDEX workflows_project ON workflows (project_slug)"_s,
        },
        {
            // Search as you type over a year of a busy team's history (~1M workflows): a trigram
            // index finds substrings of 3+ characters by look-ups instead of a LIKE scan of every
            // row. It indexes the already lowercased search column as it is (case_sensitive 1), so
            // a match is exactly what `search LIKE '%needle%'` finds. External content: the text
            // is stored once, in workflows; the triggers keep the index in step with every write,
            // including writes that bypass HistoryStore (the test fixture fills the table directly).
            // The index refers to workflows' implicit rowids, which VACUUM may renumber: rebuild it
            // ('rebuild' below) after any VACUUM. Rows must not be replaced by INSERT OR REPLACE
            // either (that deletes without firing the delete triggers).
            u"CREATE VIRTUAL TABLE workflows_fts USING fts5(search, content='workflows', content_rowid='rowid', "
            "tokenize='trigram case_sensitive 1')"_s,
            u"CREATE TRIGGER workflows_fts_insert AFTER INSERT ON workflows BEGIN "
            "INSERT INTO workflows_fts (rowid, search) VALUES (new.rowid, new.search); END"_s,
            u"CREATE TRIGGER workflows_fts_delete AFTER DELETE ON workflows BEGIN "
            "INSERT INTO workflows_fts (workflows_fts, rowid, search) VALUES ('delete', old.rowid, old.search); END"_s,
            u"CREATE TRIGGER workflows_fts_update AFTER UPDATE OF search ON workflows BEGIN "
            "INSERT INTO workflows_fts (workflows_fts, rowid, search) VALUES ('delete', old.rowid, old.search); "
            "INSERT INTO workflows_fts (rowid, search) VALUES (new.rowid, new.search); END"_s,
            // The rows stored so far.
            u"INSERT INTO workflows_fts (workflows_fts) VALUES ('rebuild')"_s,
            // The window shows the number of workflows each time it opens: COUNT(*) reads a whole
            // index (4-9 ms at 1M), this one row is kept by triggers instead.
            u"CREATE TABLE workflow_count (n INTEGER NOT NULL)"_s,
            u"INSERT INTO workflow_count (n) SELECT COUNT(*) FROM workflows"_s,
            u"CREATE TRIGGER workflow_count_insert AFTER INSERT ON workflows BEGIN "
            "UPDATE workflow_count SET n = n + 1; END"_s,
            u"CREATE TRIGGER workflow_count_delete AFTER DELETE ON workflows BEGIN "
            "UPDATE workflow_count SET n = n - 1; END"_s,
            // Newest first is the finish time, then the workflow id (many workflows of one push
            // finish in the same millisecond): one index in that order, so that the first page of
            // a million rows is read in order, never sorted, and rows with equal times keep their
            // place between pages.
            u"DROP INDEX workflows_finished"_s,
            u"CREATE INDEX workflows_finished ON workflows (finished_at, workflow_id)"_s,
        },
        {
            // Rows the catch-up read from CircleCI's API carry no webhook signature: 'api' marks
            // them (their trust is the TLS connection and the user's token); NULL is a webhook.
            u"ALTER TABLE workflows ADD COLUMN source TEXT"_s,
        }};

    QVariant ms(const QDateTime &t)
    {
        return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType(QMetaType::LongLong));
    }

    QDateTime fromMs(const QVariant &v)
    {
        return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
    }

    QVariant text(const OptString &s)
    {
        return s ? QVariant(*s) : QVariant(QMetaType(QMetaType::QString));
    }

    const char *const workflowColumns = "workflow_id, project_slug, project_name, branch, tag, workflow_name, status, "
                                        "status_class, url, commit_subject, author_name, author_email, revision, "
                                        "pipeline_number, created_at, stopped_at, finished_at, happened_at, source";

    WorkflowRecord readWorkflow(const QSqlQuery &q)
    {
        WorkflowRecord w;
        w.workflowId = q.value(0).toString();
        w.projectSlug = q.value(1).toString();
        w.projectName = q.value(2).toString();
        w.branch = q.value(3).toString();
        w.tag = q.value(4).toString();
        w.workflowName = q.value(5).toString();
        w.status = q.value(6).toString();
        w.statusClass = q.value(7).toString();
        w.url = q.value(8).toString();
        w.commitSubject = q.value(9).toString();
        w.authorName = q.value(10).toString();
        w.authorEmail = q.value(11).toString();
        w.revision = q.value(12).toString();
        w.pipelineNumber = q.value(13).toLongLong();
        w.createdAt = fromMs(q.value(14));
        w.stoppedAt = fromMs(q.value(15));
        w.finishedAt = fromMs(q.value(16));
        w.happenedAt = fromMs(q.value(17));
        w.fromApi = q.value(18).toString() == u"api"_s;
        return w;
    }

    QString orderColumn(HistoryFilter::Column c)
    {
        switch (c) {
        case HistoryFilter::Column::Status:
            return u"status_class"_s;
        case HistoryFilter::Column::Project:
            return u"COALESCE(NULLIF(project_name, ''), project_slug)"_s;
        case HistoryFilter::Column::Branch:
            return u"COALESCE(branch, tag)"_s;
        case HistoryFilter::Column::Workflow:
            return u"workflow_name"_s;
        case HistoryFilter::Column::Subject:
            return u"commit_subject"_s;
        case HistoryFilter::Column::Author:
            return u"author_name"_s;
        case HistoryFilter::Column::Pipeline:
            return u"pipeline_number"_s;
        case HistoryFilter::Column::Duration:
            return u"duration"_s;
        case HistoryFilter::Column::Finished:
            break;
        }
        return u"finished_at"_s;
    }

    //! The search text as the store matches it: trimmed and lowercased (the search column is lowercase).
    QString needleOf(const HistoryFilter &f)
    {
        return f.text.trimmed().toLower();
    }

    //! Whether the trigram index can answer \a needle: it holds substrings of 3 characters (code
    //! points, as SQLite counts them: an emoji is one); shorter needles are a LIKE scan.
    bool usesIndex(const QString &needle)
    {
        qsizetype codePoints = 0;
        for (auto it = needle.cbegin(); it != needle.cend() && codePoints < 3; ++it) {
            if (!it->isLowSurrogate())
                ++codePoints;
        }
        return codePoints >= 3;
    }

    //! \a needle as one FTS5 string: everything in double quotes is literal (AND, *, -, :, …), and a
    //! double quote inside is written twice.
    QString ftsString(QString needle)
    {
        return u'"' + needle.replace(u'"', u"\"\""_s) + u'"';
    }

    enum class TextMatch { Like, Index };

    //! page()'s ORDER BY: the column, then within equal values the newest first and the workflow id,
    //! a total order (position() counts in exactly this order). By finish time the tie-break
    //! follows the direction, so that the (finished_at, workflow_id) index serves either way.
    QString orderBy(const HistoryFilter &f)
    {
        const QString dir = f.order == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s;
        if (f.sortColumn == HistoryFilter::Column::Finished)
            return u"finished_at %1, workflow_id %1"_s.arg(dir);
        return u"%1 %2, finished_at DESC, workflow_id DESC"_s.arg(orderColumn(f.sortColumn), dir);
    }

    //! WHERE clause and its bound values for a filter.
    QString whereClause(const HistoryFilter &f, TextMatch match, QVariantList *binds)
    {
        QStringList conditions;
        if (QString needle = needleOf(f); !needle.isEmpty()) {
            if (match == TextMatch::Index && usesIndex(needle)) {
                conditions.append(u"rowid IN (SELECT rowid FROM workflows_fts WHERE workflows_fts MATCH ?)"_s);
                binds->append(ftsString(needle));
            } else {
                needle.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
                conditions.append(u"search LIKE ? ESCAPE '\\'"_s);
                binds->append(QString(u'%' + needle + u'%'));
            }
        }
        if (f.statusClass == u"running") {
            conditions.append(u"status IS NULL"_s);
        } else if (!f.statusClass.isEmpty()) {
            conditions.append(u"status_class = ?"_s);
            binds->append(f.statusClass);
        }
        if (!f.projectSlug.isEmpty()) {
            conditions.append(u"project_slug = ?"_s);
            binds->append(f.projectSlug);
        }
        return conditions.isEmpty() ? QString() : u" WHERE "_s + conditions.join(u" AND "_s);
    }

} // namespace

QString WorkflowRecord::displayProject() const
{
    if (!projectName.isEmpty())
        return projectName;
    return projectSlug.section(u'/', -1);
}

QString WorkflowRecord::ref() const
{
    if (!branch.isEmpty())
        return branch;
    if (!tag.isEmpty())
        return u"tag "_s + tag;
    return u"tag build"_s;
}

qint64 WorkflowRecord::durationSeconds() const
{
    return createdAt.isValid() && stoppedAt.isValid() ? createdAt.secsTo(stoppedAt) : -1;
}

HistoryStore::HistoryStore(const QString &path)
    : m_path(path)
    , m_connectionName(u"ct-history-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

HistoryStore::~HistoryStore()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool HistoryStore::open(QString *error)
{
    // Commit subjects and e-mail addresses: for the user only. The folder first, so nobody else can
    // get in while the files are made; the file before SQLite opens it, which then gives -wal and
    // -shm the same permissions. Ones left looser (an older version, a crash) are tightened.
    makePrivateFolder(QFileInfo(m_path).absolutePath());
    if (!makePrivateFile(m_path, error))
        return false;
    for (const char *suffix : {"-wal", "-shm"})
        tightenPrivateFile(m_path + QLatin1StringView(suffix));
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(m_path);
    if (!m_db.open()) {
        *error = u"cannot open %1: %2"_s.arg(m_path, m_db.lastError().text());
        return false;
    }
    QSqlQuery q(m_db);
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"})
        q.exec(QString::fromLatin1(pragma));
    q.finish();
    return migrate(error);
}

bool HistoryStore::migrate(QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(u"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)"_s)) {
        *error = q.lastError().text();
        return false;
    }
    int version = 0;
    if (q.exec(u"SELECT value FROM meta WHERE key = 'schema_version'"_s) && q.next())
        version = q.value(0).toInt();
    q.finish();
    if (version > schemaVersion) {
        *error = u"%1 was written by a newer CircleTray (schema %2)"_s.arg(m_path).arg(version);
        return false;
    }
    for (int v = version; v < schemaVersion; ++v) {
        if (version > 0) // an existing history: building its search index takes ~20 s at 1M workflows
            qCInfo(lcAppStore).noquote() << "updating" << m_path << "to schema" << v + 1;
        m_db.transaction();
        for (const QString &sql : migrations.at(v)) {
            if (!q.exec(sql)) {
                *error = u"updating the history to schema %1 failed: %2"_s.arg(v + 1).arg(q.lastError().text());
                m_db.rollback();
                return false;
            }
        }
        q.exec(u"INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '%1')"_s.arg(v + 1));
        if (!m_db.commit()) {
            *error = m_db.lastError().text();
            return false;
        }
    }
    return true;
}

RecordOutcome HistoryStore::record(const WebhookEvent &e)
{
    RecordOutcome out;
    if (e.type == EventType::Ping)
        return out;
    // One transaction for "seen" and the rows it changes: a crash in between must not leave an
    // event marked as seen but not stored (its redelivery would then be dropped as a duplicate).
    m_db.transaction();
    QSqlQuery q(m_db);
    // No event id: read from CircleCI's API (catch-up), not delivered by a webhook. Such results are
    // deduplicated by their workflow and job ids below, never as events.
    const bool fromApi = e.id.isEmpty();
    q.prepare(fromApi ? u"SELECT 1"_s : u"INSERT OR IGNORE INTO seen_events (event_id, received_at) VALUES (?, ?)"_s);
    if (!fromApi) {
        q.addBindValue(e.id);
        q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    }
    // Any refused write rolls the whole event back and says so: the receiver must not answer 200.
    const auto fail = [&](const QString &what) {
        out = RecordOutcome();
        out.failed = true;
        out.error = what;
        qCWarning(lcAppStore).noquote() << "storing event" << logQuoted(e.id) << "failed:" << what;
        m_db.rollback();
        return out;
    };
    if (!q.exec())
        return fail(q.lastError().text());
    if (!fromApi && q.numRowsAffected() == 0) {
        out.duplicate = true;
        m_db.rollback();
        return out;
    }
    if (!e.workflow || !e.project) {
        // A job event without its workflow: nothing to attach it to.
        if (!m_db.commit())
            return fail(m_db.lastError().text());
        return out;
    }
    const WorkflowInfo &w = *e.workflow;
    const PipelineInfo p = e.pipeline.value_or(PipelineInfo());
    const QDateTime finished =
        w.stoppedAt.isValid() ? w.stoppedAt : (e.happenedAt.isValid() ? e.happenedAt : QDateTime::currentDateTimeUtc());
    const bool completes = e.type == EventType::WorkflowCompleted;

    q.prepare(u"SELECT happened_at, status FROM workflows WHERE workflow_id = ?"_s);
    q.addBindValue(w.id);
    const bool exists = q.exec() && q.next();
    const QDateTime existingHappened = exists ? fromMs(q.value(0)) : QDateTime();
    const bool existingCompleted = exists && !q.value(1).isNull();
    q.finish();

    const QString search = QStringList {e.project->name.value_or(QString()),
                                        e.project->slug,
                                        p.branch.value_or(QString()),
                                        p.tag.value_or(QString()),
                                        w.name,
                                        w.status.value_or(QString()),
                                        p.commitSubject.value_or(QString()),
                                        p.commitAuthorName.value_or(QString()),
                                        p.commitAuthorEmail.value_or(QString()),
                                        QString::number(p.number),
                                        p.revision.value_or(QString())}
                               .join(u'\x1f')
                               .toLower();
    auto bindWorkflow = [&](QSqlQuery &s, bool withStatus) {
        s.addBindValue(e.project->slug);
        s.addBindValue(text(e.project->name));
        s.addBindValue(text(p.branch));
        s.addBindValue(text(p.tag));
        s.addBindValue(w.name);
        if (withStatus) {
            s.addBindValue(text(w.status));
            s.addBindValue(QString::fromLatin1(statusClassName(w.statusClass)));
        }
        s.addBindValue(text(w.url));
        s.addBindValue(text(p.commitSubject));
        s.addBindValue(text(p.commitAuthorName));
        s.addBindValue(text(p.commitAuthorEmail));
        s.addBindValue(text(p.revision));
        s.addBindValue(p.number);
        s.addBindValue(ms(w.createdAt));
        s.addBindValue(ms(w.stoppedAt));
        s.addBindValue(ms(finished));
        s.addBindValue(ms(e.happenedAt));
        s.addBindValue(w.createdAt.isValid() && w.stoppedAt.isValid() ? QVariant(w.createdAt.secsTo(w.stoppedAt))
                                                                      : QVariant(QMetaType(QMetaType::LongLong)));
        s.addBindValue(search);
        s.addBindValue(w.id);
    };

    if (!exists) {
        // A job event first creates the row without a status (still running); its
        // workflow-completed event fills it in later.
        q.prepare(
            u"INSERT INTO workflows (project_slug, project_name, branch, tag, workflow_name, status, status_class, "
            "url, commit_subject, author_name, author_email, revision, pipeline_number, created_at, stopped_at, "
            "finished_at, happened_at, duration, search, workflow_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
        bindWorkflow(q, true);
        if (!completes) {
            // No workflow status in job events.
            q.bindValue(5, QVariant(QMetaType(QMetaType::QString)));
            q.bindValue(6, QVariant(QMetaType(QMetaType::QString)));
            q.bindValue(14, QVariant(QMetaType(QMetaType::LongLong))); // the job's stop time, not the workflow's
            q.bindValue(17, QVariant(QMetaType(QMetaType::LongLong)));
        }
        out.workflowChanged = q.exec();
        if (!out.workflowChanged)
            return fail(q.lastError().text());
    } else if (completes
               && (!existingCompleted || !existingHappened.isValid() || !e.happenedAt.isValid()
                   || e.happenedAt >= existingHappened)) {
        // The latest completion event of a workflow wins (cancel storms send N+1 of them).
        q.prepare(
            u"UPDATE workflows SET project_slug = ?, project_name = ?, branch = ?, tag = ?, workflow_name = ?, "
            "status = ?, status_class = ?, url = ?, commit_subject = ?, author_name = ?, author_email = ?, "
            "revision = ?, pipeline_number = ?, created_at = ?, stopped_at = ?, finished_at = ?, happened_at = ?, "
            "duration = ?, search = ? WHERE workflow_id = ?"_s);
        bindWorkflow(q, true);
        out.workflowChanged = q.exec();
        if (!out.workflowChanged)
            return fail(q.lastError().text());
    } else if (completes) {
        out.superseded = true;
    }
    if (out.workflowChanged) {
        // Who said so last: a webhook's signed result replaces the API's ("collapses into its row").
        q.prepare(u"UPDATE workflows SET source = ? WHERE workflow_id = ?"_s);
        q.addBindValue(fromApi ? QVariant(u"api"_s) : QVariant(QMetaType(QMetaType::QString)));
        q.addBindValue(w.id);
        if (!q.exec())
            return fail(q.lastError().text());
    }

    if (e.job) {
        const JobInfo &j = *e.job;
        q.prepare(u"SELECT happened_at FROM jobs WHERE job_id = ?"_s);
        q.addBindValue(j.id);
        const bool jobExists = q.exec() && q.next();
        const QDateTime jobHappened = jobExists ? fromMs(q.value(0)) : QDateTime();
        q.finish();
        if (!jobExists || !jobHappened.isValid() || !e.happenedAt.isValid() || e.happenedAt >= jobHappened) {
            q.prepare(u"INSERT OR REPLACE INTO jobs (job_id, workflow_id, name, number, status, status_class, url, "
                      "started_at, stopped_at, happened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
            q.addBindValue(j.id);
            q.addBindValue(w.id);
            q.addBindValue(j.name);
            q.addBindValue(j.number);
            q.addBindValue(j.status);
            q.addBindValue(QString::fromLatin1(statusClassName(j.statusClass)));
            q.addBindValue(text(j.url));
            q.addBindValue(ms(j.startedAt));
            q.addBindValue(ms(j.stoppedAt));
            q.addBindValue(ms(e.happenedAt));
            out.jobChanged = q.exec();
            if (!out.jobChanged)
                return fail(q.lastError().text());
        }
    }
    if (!m_db.commit())
        return fail(m_db.lastError().text());
    return out;
}

WorkflowRecord WorkflowRecord::fromEvent(const WebhookEvent &e)
{
    WorkflowRecord w;
    if (!e.workflow || !e.project)
        return w;
    const PipelineInfo p = e.pipeline.value_or(PipelineInfo());
    w.workflowId = e.workflow->id;
    w.projectSlug = e.project->slug;
    w.projectName = e.project->name.value_or(QString());
    w.branch = p.branch.value_or(QString());
    w.tag = p.tag.value_or(QString());
    w.workflowName = e.workflow->name;
    if (e.type == EventType::WorkflowCompleted) {
        w.status = e.workflow->status.value_or(QString());
        w.statusClass = QString::fromLatin1(statusClassName(e.workflow->statusClass));
        w.stoppedAt = e.workflow->stoppedAt;
    }
    w.url = e.workflow->url.value_or(QString());
    w.commitSubject = p.commitSubject.value_or(QString());
    w.authorName = p.commitAuthorName.value_or(QString());
    w.authorEmail = p.commitAuthorEmail.value_or(QString());
    w.revision = p.revision.value_or(QString());
    w.pipelineNumber = p.number;
    w.createdAt = e.workflow->createdAt;
    w.finishedAt =
        w.stoppedAt.isValid() ? w.stoppedAt : (e.happenedAt.isValid() ? e.happenedAt : QDateTime::currentDateTimeUtc());
    w.happenedAt = e.happenedAt;
    return w;
}

std::optional<WorkflowRecord> HistoryStore::workflow(const QString &workflowId) const
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT %1 FROM workflows WHERE workflow_id = ?"_s.arg(QLatin1StringView(workflowColumns)));
    q.addBindValue(workflowId);
    if (q.exec() && q.next())
        return readWorkflow(q);
    return std::nullopt;
}

QList<JobRecord> HistoryStore::jobs(const QString &workflowId) const
{
    QList<JobRecord> out;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT job_id, workflow_id, name, number, status, status_class, url, started_at, stopped_at "
              "FROM jobs WHERE workflow_id = ? ORDER BY COALESCE(stopped_at, started_at), name"_s);
    q.addBindValue(workflowId);
    if (q.exec()) {
        while (q.next())
            out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong(),
                        q.value(4).toString(), q.value(5).toString(), q.value(6).toString(), fromMs(q.value(7)),
                        fromMs(q.value(8))});
    }
    return out;
}

QList<WorkflowRecord> HistoryStore::recent(int count) const
{
    return page(HistoryFilter(), 0, count);
}

namespace {

    qint64 countOn(const QSqlDatabase &db, const HistoryFilter &filter, qint64 atMost)
    {
        QSqlQuery q(db);
        const QString needle = needleOf(filter);
        // Capped: the inner query stops after atMost + 1 rows (FTS5 and the scan both stop early).
        const auto capped = [atMost](const QString &select) {
            return atMost < 0 ? u"SELECT COUNT(*) FROM (%1)"_s.arg(select)
                              : u"SELECT COUNT(*) FROM (%1 LIMIT %2)"_s.arg(select).arg(atMost + 1);
        };
        if (needle.isEmpty() && filter.statusClass.isEmpty() && filter.projectSlug.isEmpty()) {
            // Kept by triggers: exact and instant, never capped.
            return q.exec(u"SELECT n FROM workflow_count"_s) && q.next() ? q.value(0).toLongLong() : 0;
        }
        if (usesIndex(needle) && filter.statusClass.isEmpty() && filter.projectSlug.isEmpty()) {
            // The index alone: no workflow row is read.
            q.prepare(capped(u"SELECT 1 FROM workflows_fts WHERE workflows_fts MATCH ?"_s));
            q.addBindValue(ftsString(needle));
            q.exec();
        } else {
            QVariantList binds;
            q.prepare(capped(u"SELECT 1 FROM workflows"_s + whereClause(filter, TextMatch::Index, &binds)));
            for (const QVariant &b : std::as_const(binds))
                q.addBindValue(b);
            q.exec();
        }
        if (!q.isActive()) {
            qCWarning(lcAppStore) << "history count failed:" << q.lastError().text();
            return 0;
        }
        const qint64 n = q.next() ? q.value(0).toLongLong() : 0;
        return atMost < 0 ? n : std::min(n, atMost + 1);
    }

} // namespace

qint64 HistoryStore::count(const HistoryFilter &filter, qint64 atMost) const
{
    return countOn(m_db, filter, atMost);
}

qint64 HistoryStore::countIn(const QString &path, const HistoryFilter &filter)
{
    const QString name = u"ct-history-count-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    qint64 n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (db.open())
            n = countOn(db, filter, -1);
        else
            qCWarning(lcAppStore) << "cannot open the history for counting:" << db.lastError().text();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

qint64 HistoryStore::position(const HistoryFilter &filter, const QString &workflowId) const
{
    QVariantList binds;
    const QString where = whereClause(filter, TextMatch::Index, &binds);
    const QString sortKey = orderColumn(filter.sortColumn);
    // Its sort values, if it passes the filter.
    QSqlQuery q(m_db);
    q.prepare(u"SELECT %1, finished_at FROM workflows%2%3 workflow_id = ?"_s.arg(
        sortKey, where, where.isEmpty() ? u" WHERE"_s : u" AND"_s));
    for (const QVariant &b : std::as_const(binds))
        q.addBindValue(b);
    q.addBindValue(workflowId);
    if (!q.exec() || !q.next())
        return -1;
    const QVariant key = q.value(0);
    const QVariant finished = q.value(1);
    // Rows before it in page()'s ORDER BY: SQLite puts NULLs first ascending, last descending. The
    // comparisons are SQL's own, so text sorts by the same collation as the query it mirrors. Bound
    // values, not a join: sorted by finish time (the default) this is an index range.
    const bool ascending = filter.order == Qt::AscendingOrder;
    QString keyBefore;
    if (key.isNull())
        keyBefore = ascending ? u"0"_s : u"%1 IS NOT NULL"_s.arg(sortKey);
    else
        keyBefore = ascending ? u"(%1 IS NULL OR %1 < :key)"_s.arg(sortKey) : u"%1 > :key"_s.arg(sortKey);
    const QString keyEqual = key.isNull() ? u"%1 IS NULL"_s.arg(sortKey) : u"%1 = :key"_s.arg(sortKey);
    const QString tie = filter.sortColumn == HistoryFilter::Column::Finished
        ? (ascending ? u"workflow_id < :id"_s : u"workflow_id > :id"_s)
        : u"(finished_at > :finished OR (finished_at = :finished AND workflow_id > :id))"_s;
    const QString before = u"(%1 OR (%2 AND %3))"_s.arg(keyBefore, keyEqual, tie);
    QSqlQuery c(m_db);
    QString whereNamed = where;
    for (qsizetype i = 0, n = 0; (i = whereNamed.indexOf(u'?', i)) >= 0; ++n)
        whereNamed.replace(i, 1, u":f%1"_s.arg(n));
    c.prepare(
        u"SELECT COUNT(*) FROM workflows%1%2 %3"_s.arg(whereNamed, where.isEmpty() ? u" WHERE"_s : u" AND"_s, before));
    for (qsizetype n = 0; n < binds.size(); ++n)
        c.bindValue(u":f%1"_s.arg(n), binds[n]);
    if (!key.isNull())
        c.bindValue(u":key"_s, key);
    if (filter.sortColumn != HistoryFilter::Column::Finished)
        c.bindValue(u":finished"_s, finished); // SQLite refuses values for names the statement lacks
    c.bindValue(u":id"_s, workflowId);
    if (!c.exec() || !c.next()) {
        qCWarning(lcAppStore) << "history position query failed:" << c.lastError().text();
        return -1;
    }
    return c.value(0).toLongLong();
}

QList<WorkflowRecord> HistoryStore::page(const HistoryFilter &filter, qint64 offset, int limit, qint64 matching) const
{
    QList<WorkflowRecord> out;
    QVariantList binds;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    // How to get to a page in the default order; every way finds the same rows. For text of 3+
    // characters the index finds every match, which are then read and sorted: the cost grows with
    // the matches. Walking the time index newest first and testing each row with LIKE stops after
    // offset + limit matches: the cost grows with (offset + limit) * all / matching rows. "main"
    // matches every row (the walk reads 200 rows, the index way reads and sorts a million);
    // "needle" matches one (the index way reads one row, the walk all of them). Shorter text (and
    // a status) has only the walk, unless the matches all fit in this page: then the walk would
    // visit every row anyway, and a plain scan of the table reads them in order (1.7x faster).
    const QString needle = needleOf(filter);
    TextMatch match = TextMatch::Index;
    QString from = u"workflows"_s;
    if (filter.sortColumn == HistoryFilter::Column::Finished && matching >= 0) {
        if (usesIndex(needle)) {
            QSqlQuery all(m_db);
            const qint64 total =
                all.exec(u"SELECT n FROM workflow_count"_s) && all.next() ? all.value(0).toLongLong() : 0;
            const qint64 m = std::min(matching, total);
            if ((offset + limit) * total < m * m) {
                match = TextMatch::Like;
                from = u"workflows INDEXED BY workflows_finished"_s;
            }
        } else if ((!needle.isEmpty() || !filter.statusClass.isEmpty()) && filter.projectSlug.isEmpty()
                   && matching <= offset + limit) {
            from = u"workflows NOT INDEXED"_s;
        }
    }
    q.prepare(u"SELECT %1 FROM %2%3 ORDER BY %4 LIMIT ? OFFSET ?"_s.arg(
        QLatin1StringView(workflowColumns), from, whereClause(filter, match, &binds), orderBy(filter)));
    for (const QVariant &b : std::as_const(binds))
        q.addBindValue(b);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (!q.exec()) {
        qCWarning(lcAppStore) << "history query failed:" << q.lastError().text();
        return out;
    }
    while (q.next())
        out.append(readWorkflow(q));
    return out;
}

QStringList HistoryStore::projects() const
{
    QStringList out;
    QSqlQuery q(m_db);
    // Distinct values by skipping through the index (one look-up per project) rather than DISTINCT,
    // which reads every row of the index.
    if (q.exec(u"WITH RECURSIVE p(slug) AS (SELECT MIN(project_slug) FROM workflows UNION ALL "
               "SELECT (SELECT MIN(project_slug) FROM workflows WHERE project_slug > p.slug) FROM p "
               "WHERE p.slug IS NOT NULL) SELECT slug FROM p WHERE slug IS NOT NULL"_s)) {
        while (q.next())
            out.append(q.value(0).toString());
    }
    return out;
}

int HistoryStore::prune(int days)
{
    const qint64 cutoff = QDateTime::currentDateTimeUtc().addDays(-days).toMSecsSinceEpoch();
    QSqlQuery q(m_db);
    m_db.transaction();
    q.prepare(u"DELETE FROM jobs WHERE workflow_id IN (SELECT workflow_id FROM workflows WHERE finished_at < ?)"_s);
    q.addBindValue(cutoff);
    q.exec();
    q.prepare(u"DELETE FROM workflows WHERE finished_at < ?"_s);
    q.addBindValue(cutoff);
    q.exec();
    const int removed = q.numRowsAffected();
    q.prepare(u"DELETE FROM seen_events WHERE received_at < ?"_s);
    q.addBindValue(cutoff);
    q.exec();
    m_db.commit();
    return removed;
}

QDateTime HistoryStore::newestFinishedAt() const
{
    QSqlQuery q(m_db);
    // Only completed ones: a workflow with job results only has not finished.
    return q.exec(u"SELECT MAX(finished_at) FROM workflows WHERE status IS NOT NULL"_s) && q.next() ? fromMs(q.value(0))
                                                                                                    : QDateTime();
}

qint64 HistoryStore::countOlderThan(int days) const
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT COUNT(*) FROM workflows WHERE finished_at < ?"_s);
    q.addBindValue(QDateTime::currentDateTimeUtc().addDays(-days).toMSecsSinceEpoch());
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QByteArray HistoryStore::meta(const QString &key) const
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT value FROM meta WHERE key = ?"_s);
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toByteArray() : QByteArray();
}

void HistoryStore::setMeta(const QString &key, const QByteArray &value)
{
    QSqlQuery q(m_db);
    q.prepare(u"INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"_s);
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec())
        qCWarning(lcAppStore) << "saving" << key << "failed:" << q.lastError().text();
}

} // namespace ct
