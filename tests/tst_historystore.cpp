// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
#include "app/history/historystore.h"
#include "core/eventparser.h"
#include "fixtures.h"
#include "umask.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using ct::test::fixture;

namespace {

ct::WebhookEvent parse(const QByteArray &json)
{
    ct::EventParser parser;
    const auto r = parser.parse(json);
    if (!r.ok())
        qFatal("bad test event: %s", qPrintable(r.error));
    return r.event;
}

//! \a s as the inside of a JSON string.
QString jsonEscaped(const QString &s)
{
    const QByteArray array = QJsonDocument(QJsonArray {s}).toJson(QJsonDocument::Compact); // ["…"]
    return QString::fromUtf8(array.mid(2, array.size() - 4));
}

ct::WebhookEvent workflowEvent(const QString &eventId, const QString &workflowId, const char *status,
                               const char *happenedAt, const char *branch = "main", const char *subject = "Fix it")
{
    return parse(
        QStringLiteral(
            R"({"type":"workflow-completed","id":"%1","happened_at":"%3",)"
            R"("webhook":{"id":"w"},"project":{"id":"p","name":"api","slug":"github/org/api"},"organization":{"id":"o"},)"
            R"("workflow":{"id":"%2","name":"build","status":"%4","url":"https://app.circleci.com/w/%2",)"
            R"("created_at":"2026-03-14T09:00:00.000Z","stopped_at":"%3"},)"
            R"("pipeline":{"id":"pl","number":42,"created_at":"2026-03-14T09:00:00.000Z","trigger":{"type":"webhook"},)"
            R"("vcs":{"branch":"%5","revision":"abc","commit":{"subject":"%6","author":{"name":"Zoë","email":"zoe@example.com"}}}}})")
            .arg(eventId, workflowId, QLatin1StringView(happenedAt), QLatin1StringView(status),
                 QLatin1StringView(branch), jsonEscaped(QString::fromUtf8(subject)))
            .toUtf8());
}

ct::WebhookEvent jobEvent(const QString &eventId, const QString &workflowId, const char *name, const char *status)
{
    return parse(
        QStringLiteral(
            R"({"type":"job-completed","id":"%1","happened_at":"2026-03-14T09:05:00.000Z",)"
            R"("webhook":{"id":"w"},"project":{"id":"p","name":"api","slug":"github/org/api"},"organization":{"id":"o"},)"
            R"("workflow":{"id":"%2","name":"build","url":"https://app.circleci.com/w/%2","created_at":"2026-03-14T09:00:00.000Z",)"
            R"("stopped_at":"2026-03-14T09:05:00.000Z"},)"
            R"("pipeline":{"id":"pl","number":42,"created_at":"2026-03-14T09:00:00.000Z","vcs":{"branch":"main"}},)"
            R"("job":{"id":"job-%1","name":"%3","number":7,"status":"%4","started_at":"2026-03-14T09:01:00.000Z",)"
            R"("stopped_at":"2026-03-14T09:05:00.000Z"}})")
            .arg(eventId, workflowId, QLatin1StringView(name), QLatin1StringView(status))
            .toUtf8());
}

constexpr QFileDevice::Permissions ownerFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions ownerFolder = ownerFile | QFileDevice::ExeOwner;
constexpr QFileDevice::Permissions othersBits = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
    | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

//! The permission bits of \a path as chmod has them (QFileInfo adds the "User" flags of whoever asks).
QFileDevice::Permissions mode(const QString &path)
{
    return QFileInfo(path).permissions() & (ownerFolder | othersBits);
}

//! Turns the open history into a file as schema \a version left it, by dropping what later
//! migrations added.
bool downgrade(ct::HistoryStore &store, int version)
{
    QSqlQuery q(store.database());
    QStringList sql;
    if (version < 4)
        sql << u"ALTER TABLE workflows DROP COLUMN source"_s;
    if (version < 3)
        sql << u"DROP TABLE workflows_fts"_s << u"DROP TRIGGER workflows_fts_insert"_s
            << u"DROP TRIGGER workflows_fts_delete"_s << u"DROP TRIGGER workflows_fts_update"_s
            << u"DROP TABLE workflow_count"_s << u"DROP TRIGGER workflow_count_insert"_s
            << u"DROP TRIGGER workflow_count_delete"_s;
    if (version < 2)
        sql << u"DROP INDEX workflows_project"_s;
    sql << u"UPDATE meta SET value = '%1' WHERE key = 'schema_version'"_s.arg(version);
    for (const QString &s : std::as_const(sql)) {
        if (!q.exec(s)) {
            qWarning("%s: %s", qPrintable(s), qPrintable(q.lastError().text()));
            return false;
        }
    }
    return true;
}

//! The search index agrees with the workflows table (FTS5 reads every row and compares).
bool searchIndexIntact(ct::HistoryStore &store)
{
    QSqlQuery q(store.database());
    return q.exec(u"INSERT INTO workflows_fts (workflows_fts, rank) VALUES ('integrity-check', 1)"_s);
}

QStringList ids(const QList<ct::WorkflowRecord> &workflows)
{
    QStringList out;
    for (const ct::WorkflowRecord &w : workflows)
        out.append(w.workflowId);
    return out;
}

} // namespace

class TestHistoryStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void storesAndDedupes();
    void apiResultsAreMarkedAndCollapse();
    void collapsesCompletionsOfOneWorkflow();
    void jobBeforeWorkflow();
    void searchFilterSortPage();
    void survivesReopenAndPrunes();
    void migratesSchemaOneAndListsProjects();
    void issue14_historyIsOwnerOnly_data();
    void issue14_historyIsOwnerOnly();
    void issue14_looserHistoryTightenedOnOpen();
    void migratesSchemaTwoToTheSearchIndex();
    void searchIndexFollowsWrites();
    void searchMatchesLikeSemantics_data();
    void searchMatchesLikeSemantics();
    void threeCharactersUseTheIndex();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ct::HistoryStore> m_store;
};

void TestHistoryStore::init()
{
    QFile::remove(m_dir.filePath(u"history.sqlite"_s));
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY2(m_store->open(&error), qPrintable(error));
}

void TestHistoryStore::cleanup()
{
    m_store.reset();
}

void TestHistoryStore::storesAndDedupes()
{
    const auto e = parse(fixture(u"github-oauth-unicode-failed.json"));
    auto first = m_store->record(e);
    QVERIFY(!first.duplicate);
    QVERIFY(first.workflowChanged);
    QVERIFY(m_store->record(e).duplicate); // the same delivery again: nothing happens
    const auto w = m_store->workflow(u"dcdeed02-00c0-466b-ba46-ba9a1d603890"_s);
    QVERIFY(w);
    QCOMPARE(w->status, u"failed"_s);
    QCOMPARE(w->statusClass, u"failure"_s);
    QCOMPARE(w->commitSubject, u"Fix tray icon flicker — naïve repaint on Wayland ✓"_s);
    QCOMPARE(w->authorName, u"Zoë Example"_s);
    QCOMPARE(w->ref(), u"fix/tray-flicker"_s);
    QCOMPARE(w->displayProject(), u"tray-notifier"_s);
    QCOMPARE(w->pipelineNumber, 418);
    QCOMPARE(w->durationSeconds(), 396);
    QCOMPARE(m_store->count({}), 1);
}

void TestHistoryStore::apiResultsAreMarkedAndCollapse()
{
    // Issue 11: the catch-up's results carry no event id (no webhook delivered them). Each is kept
    // by its workflow id, marked as read from the API, and a webhook for the same workflow later
    // collapses into its row (and makes it a signed one).
    const auto fromApi = [](const QString &workflowId, const char *status, const char *stoppedAt) {
        ct::WebhookEvent e = workflowEvent(u"x"_s, workflowId, status, stoppedAt);
        e.id.clear();
        e.webhook = {};
        return e;
    };
    const ct::RecordOutcome a = m_store->record(fromApi(u"wf-a"_s, "failed", "2026-03-14T09:10:00.000Z"));
    QVERIFY(!a.duplicate && a.workflowChanged);
    const ct::RecordOutcome b = m_store->record(fromApi(u"wf-b"_s, "success", "2026-03-14T09:20:00.000Z"));
    QVERIFY2(!b.duplicate && b.workflowChanged, "a second API result is not a duplicate of the first");
    QCOMPARE(m_store->count({}), 2);
    QVERIFY(m_store->workflow(u"wf-a"_s)->fromApi);
    // Read again by the next catch-up: the same row, nothing new.
    m_store->record(fromApi(u"wf-a"_s, "failed", "2026-03-14T09:10:00.000Z"));
    QCOMPARE(m_store->count({}), 2);
    // The webhook for wf-a arrives afterwards: one row, now from the webhook.
    QVERIFY(m_store->record(workflowEvent(u"ev-a"_s, u"wf-a"_s, "failed", "2026-03-14T09:10:01.000Z")).workflowChanged);
    QCOMPARE(m_store->count({}), 2);
    QVERIFY(!m_store->workflow(u"wf-a"_s)->fromApi);
    // A webhook first, the API's reading of it later: the signed row stays as it is.
    m_store->record(workflowEvent(u"ev-c"_s, u"wf-c"_s, "success", "2026-03-14T09:30:01.000Z"));
    m_store->record(fromApi(u"wf-c"_s, "success", "2026-03-14T09:30:00.000Z"));
    QVERIFY(!m_store->workflow(u"wf-c"_s)->fromApi);
    QCOMPARE(m_store->count({}), 3);
}

void TestHistoryStore::collapsesCompletionsOfOneWorkflow()
{
    // A cancel with two jobs: three workflow-completed events with different ids, one workflow.
    QVERIFY(m_store->record(workflowEvent(u"e1"_s, u"wf"_s, "canceled", "2026-03-14T09:10:00.000Z")).workflowChanged);
    QVERIFY(m_store->record(workflowEvent(u"e3"_s, u"wf"_s, "success", "2026-03-14T09:12:00.000Z")).workflowChanged);
    const auto late = m_store->record(workflowEvent(u"e2"_s, u"wf"_s, "canceled", "2026-03-14T09:11:00.000Z"));
    QVERIFY(late.superseded); // older than what we have: the latest stays
    QCOMPARE(m_store->count({}), 1);
    QCOMPARE(m_store->workflow(u"wf"_s)->status, u"success"_s);
}

void TestHistoryStore::jobBeforeWorkflow()
{
    QVERIFY(m_store->record(jobEvent(u"j1"_s, u"wf"_s, "unit-tests", "failed")).jobChanged);
    auto w = m_store->workflow(u"wf"_s);
    QVERIFY(w); // visible already, still running
    QVERIFY(w->status.isEmpty());
    ct::HistoryFilter running;
    running.statusClass = u"running"_s;
    QCOMPARE(m_store->count(running), 1);
    QVERIFY(m_store->record(workflowEvent(u"e1"_s, u"wf"_s, "failed", "2026-03-14T09:06:00.000Z")).workflowChanged);
    QVERIFY(m_store->record(jobEvent(u"j2"_s, u"wf"_s, "lint", "success")).jobChanged); // after: attaches too
    w = m_store->workflow(u"wf"_s);
    QCOMPARE(w->status, u"failed"_s);
    const auto jobs = m_store->jobs(u"wf"_s);
    QCOMPARE(jobs.size(), 2);
    QStringList names {jobs[0].name, jobs[1].name};
    names.sort();
    QCOMPARE(names, QStringList({u"lint"_s, u"unit-tests"_s}));
    QCOMPARE(m_store->count(running), 0);
}

void TestHistoryStore::searchFilterSortPage()
{
    for (int i = 0; i < 30; ++i) {
        const QByteArray at = QStringLiteral("2026-03-14T10:%1:00.000Z").arg(i, 2, 10, QLatin1Char('0')).toLatin1();
        m_store->record(workflowEvent(u"e%1"_s.arg(i), u"wf%1"_s.arg(i), i % 3 == 0 ? "failed" : "success",
                                      at.constData(), i % 2 ? "main" : "release/1.0",
                                      i == 7 ? "Special 100% _subject_" : "Fix it"));
    }
    QCOMPARE(m_store->count({}), 30);
    ct::HistoryFilter f;
    f.statusClass = u"failure"_s;
    QCOMPARE(m_store->count(f), 10);
    QCOMPARE(ids(m_store->page(f, 0, 100, 10)), ids(m_store->page(f, 0, 100))); // a scan: all fit in the page
    f = {};
    f.text = u"RELEASE/1"_s; // case-insensitive, any text column
    QCOMPARE(m_store->count(f), 15);
    f.text = u"100% _sub"_s; // LIKE wildcards in the search text are literal
    QCOMPARE(m_store->count(f), 1);
    f.text = u"zoë"_s;
    QCOMPARE(m_store->count(f), 30);
    f = {};
    const auto newest = m_store->page(f, 0, 5);
    QCOMPARE(newest.size(), 5);
    QCOMPARE(newest.first().workflowId, u"wf29"_s); // newest first by default
    const auto next = m_store->page(f, 5, 5);
    QCOMPARE(next.first().workflowId, u"wf24"_s);
    f.sortColumn = ct::HistoryFilter::Column::Finished;
    f.order = Qt::AscendingOrder;
    QCOMPARE(m_store->page(f, 0, 1).first().workflowId, u"wf0"_s);
    QCOMPARE(m_store->recent(3).size(), 3);
    QCOMPARE(m_store->projects(), QStringList({u"github/org/api"_s}));
}

void TestHistoryStore::survivesReopenAndPrunes()
{
    m_store->record(workflowEvent(u"old"_s, u"wf-old"_s, "success", "2020-01-01T00:00:00.000Z"));
    m_store->record(workflowEvent(u"new"_s, u"wf-new"_s, "success", "2026-11-01T00:00:00.000Z"));
    m_store->setMeta(u"k"_s, "v"_ba);
    m_store.reset();
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY(m_store->open(&error));
    QCOMPARE(m_store->meta(u"k"_s), "v"_ba);
    QCOMPARE(m_store->count({}), 2);
    QVERIFY(m_store->record(workflowEvent(u"new"_s, u"wf-new"_s, "success", "2026-11-01T00:00:00.000Z")).duplicate);
    QCOMPARE(m_store->prune(90), 1);
    QVERIFY(!m_store->workflow(u"wf-old"_s));
    QVERIFY(m_store->workflow(u"wf-new"_s));
}

void TestHistoryStore::migratesSchemaOneAndListsProjects()
{
    m_store->record(workflowEvent(u"e1"_s, u"wf-1"_s, "success", "2026-11-01T00:00:00.000Z"));
    QCOMPARE(m_store->projects(), QStringList {u"github/org/api"_s});
    QVERIFY(downgrade(*m_store, 1)); // a schema-1 file, as CircleTray 0.1 left it: no project index
    m_store.reset();
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY2(m_store->open(&error), qPrintable(error));
    QSqlQuery q(m_store->database());
    QVERIFY(q.exec(u"SELECT value FROM meta WHERE key = 'schema_version'"_s) && q.next());
    QCOMPARE(q.value(0).toInt(), ct::HistoryStore::schemaVersion);
    QVERIFY(q.exec(u"EXPLAIN QUERY PLAN SELECT MIN(project_slug) FROM workflows WHERE project_slug > 'a'"_s));
    QVERIFY(q.next());
    QVERIFY2(q.value(3).toString().contains(u"workflows_project"_s), qPrintable(q.value(3).toString()));
    q.finish();
    QVERIFY(m_store->workflow(u"wf-1"_s)); // the data came along
    m_store->record(workflowEvent(u"e2"_s, u"wf-2"_s, "failed", "2026-11-02T00:00:00.000Z"));
    QSqlQuery insert(m_store->database());
    QVERIFY(
        insert.exec(u"INSERT INTO workflows (workflow_id, project_slug, workflow_name, finished_at, search) "
                    "VALUES ('wf-3', 'bitbucket/team/app', 'build', 1, ''), ('wf-4', 'gh/zed/z', 'build', 2, '')"_s));
    QCOMPARE(m_store->projects(),
             (QStringList {u"bitbucket/team/app"_s, u"gh/zed/z"_s, u"github/org/api"_s})); // sorted, each once
}

void TestHistoryStore::issue14_historyIsOwnerOnly_data()
{
    QTest::addColumn<bool>("folderExists");
    QTest::newRow("new folder") << false; // first start
    QTest::newRow("existing folder") << true; // QTemporaryDir makes it 0700
}

void TestHistoryStore::issue14_historyIsOwnerOnly()
{
    // Commit subjects and e-mail addresses: readable by the user only, whatever the umask says.
    QFETCH(bool, folderExists);
    const ct::test::Umask umask(022);
    QTemporaryDir dir;
    const QString folder = folderExists ? dir.path() : dir.filePath(u"share/circletray"_s);
    const QString path = folder + u"/history.sqlite"_s;
    ct::HistoryStore store(path);
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    QVERIFY(!store.record(workflowEvent(u"e1"_s, u"wf-1"_s, "failed", "2026-11-01T00:00:00.000Z")).duplicate);
    QCOMPARE(mode(folder), ownerFolder);
    QCOMPARE(mode(path), ownerFile);
    // The write-ahead log and its index exist while the store is open (WAL mode).
    for (const QString &side : QStringList {path + u"-wal"_s, path + u"-shm"_s}) {
        QVERIFY2(QFileInfo::exists(side), qPrintable(side));
        QCOMPARE(mode(side), ownerFile);
    }
}

void TestHistoryStore::issue14_looserHistoryTightenedOnOpen()
{
    // Left by an older CircleTray (umask 022) and still open in it, or after a crash: the folder
    // 0755, the database and its -wal/-shm 0644. Opening tightens each, and says so.
    const ct::test::Umask umask(022);
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"data"_s);
    const QString path = folder + u"/history.sqlite"_s;
    QVERIFY(QDir().mkdir(folder, ownerFolder));
    ct::HistoryStore old(path);
    QString error;
    QVERIFY2(old.open(&error), qPrintable(error));
    old.record(workflowEvent(u"e1"_s, u"wf-1"_s, "failed", "2026-11-01T00:00:00.000Z"));
    const QFileDevice::Permissions loose = ownerFile | QFileDevice::ReadGroup | QFileDevice::ReadOther; // 0644
    const QStringList files = {path, path + u"-wal"_s, path + u"-shm"_s};
    for (const QString &file : files)
        QVERIFY(QFile::setPermissions(file, loose));
    QVERIFY(QFile::setPermissions(folder,
                                  ownerFolder | QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                      | QFileDevice::ExeOther)); // 0755
    for (const QString &tightened : QStringList {folder} + files) {
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(u"^"_s + QRegularExpression::escape(tightened)
                               + u" could be read by other users \\((0755|0644)\\): made it owner-only"_s));
    }
    ct::HistoryStore store(path);
    QVERIFY2(store.open(&error), qPrintable(error));
    QCOMPARE(mode(folder), ownerFolder);
    for (const QString &file : files)
        QCOMPARE(mode(file), ownerFile);
    QVERIFY(store.workflow(u"wf-1"_s)); // the same history, only private now
}

void TestHistoryStore::migratesSchemaTwoToTheSearchIndex()
{
    m_store->record(workflowEvent(u"e1"_s, u"wf-1"_s, "success", "2026-11-01T00:00:00.000Z", "main", "Needle one"));
    m_store->record(workflowEvent(u"e2"_s, u"wf-2"_s, "failed", "2026-11-02T00:00:00.000Z", "main", "Other"));
    QVERIFY(downgrade(*m_store, 2)); // a schema-2 file: no search index, no row counter
    m_store.reset();
    m_store = std::make_unique<ct::HistoryStore>(m_dir.filePath(u"history.sqlite"_s));
    QString error;
    QVERIFY2(m_store->open(&error), qPrintable(error));
    QSqlQuery q(m_store->database());
    QVERIFY(q.exec(u"SELECT value FROM meta WHERE key = 'schema_version'"_s) && q.next());
    QCOMPARE(q.value(0).toInt(), ct::HistoryStore::schemaVersion);
    // The rows stored before are in the index (backfilled), and counted.
    QVERIFY(q.exec(u"SELECT rowid FROM workflows_fts WHERE workflows_fts MATCH '\"needle\"'"_s) && q.next());
    QVERIFY(!q.next());
    q.finish();
    QVERIFY(searchIndexIntact(*m_store));
    QCOMPARE(m_store->count({}), 2);
    ct::HistoryFilter f;
    f.text = u"NEEDLE"_s;
    QCOMPARE(m_store->count(f), 1);
    QCOMPARE(ids(m_store->page(f, 0, 10)), QStringList {u"wf-1"_s});
    QVERIFY(
        m_store
            ->record(workflowEvent(u"e3"_s, u"wf-3"_s, "success", "2026-11-03T00:00:00.000Z", "main", "Another needle"))
            .workflowChanged);
    QCOMPARE(m_store->count(f), 2);
    QCOMPARE(m_store->count({}), 3);
    QVERIFY(searchIndexIntact(*m_store));
}

void TestHistoryStore::searchIndexFollowsWrites()
{
    ct::HistoryFilter failed;
    failed.text = u"failed"_s;
    // Insert: a job event creates the workflow's row, still without a status.
    QVERIFY(m_store->record(jobEvent(u"j1"_s, u"wf"_s, "unit-tests", "failed")).jobChanged);
    QCOMPARE(m_store->count(failed), 0);
    QCOMPARE(m_store->count({}), 1);
    // Update: its completion writes the status into the search text.
    QVERIFY(m_store->record(workflowEvent(u"e1"_s, u"wf"_s, "failed", "2020-01-01T00:00:00.000Z")).workflowChanged);
    QCOMPARE(m_store->count(failed), 1);
    QCOMPARE(ids(m_store->page(failed, 0, 10)), QStringList {u"wf"_s});
    QVERIFY(m_store->record(workflowEvent(u"e2"_s, u"wf"_s, "success", "2020-01-01T00:01:00.000Z")).workflowChanged);
    QCOMPARE(m_store->count(failed), 0);
    QVERIFY(m_store->record(workflowEvent(u"e3"_s, u"wf-new"_s, "failed", "2026-11-01T00:00:00.000Z")).workflowChanged);
    QCOMPARE(m_store->count({}), 2);
    QVERIFY(searchIndexIntact(*m_store));
    // Delete: pruning takes rows out of the index and the count.
    QCOMPARE(m_store->prune(90), 1);
    QCOMPARE(m_store->count({}), 1);
    ct::HistoryFilter success;
    success.text = u"success"_s;
    QCOMPARE(m_store->count(success), 0);
    QCOMPARE(m_store->count(failed), 1);
    QVERIFY(searchIndexIntact(*m_store));
    QSqlQuery q(m_store->database());
    QVERIFY(q.exec(u"SELECT COUNT(*) FROM workflows"_s) && q.next());
    QCOMPARE(q.value(0).toLongLong(), m_store->count({}));
}

namespace {

// One workflow each, all of project "api" (github/org/api), branch "main", workflow "build", by
// "Zoë" <zoe@example.com>, pipeline 42, revision "abc"; every other one failed.
const char *const searchSubjects[] = {
    "Fix tray icon flicker — naïve repaint on Wayland ✓",
    "Straße gesperrt",
    "STRASSE frei",
    "École: ÉTÉ",
    R"(say "hi" now)",
    "a AND b OR NOT c",
    "glob foo*bar",
    "fix-123 minus",
    "scope: colon",
    "NEAR(x y) ^caret (paren)",
    "ship it 🚀x",
    "Special 100% _subject_",
    R"(back\slash)",
    "ΣΊΣΥΦΟΣ",
};
constexpr int searchRows = int(std::size(searchSubjects));

} // namespace

void TestHistoryStore::searchMatchesLikeSemantics_data()
{
    QTest::addColumn<QString>("needle");
    QTest::addColumn<int>("matches");
    QTest::newRow("ascii") << u"gesperrt"_s << 1;
    QTest::newRow("upper case") << u"GESPERRT"_s << 1;
    QTest::newRow("every row") << u"build"_s << searchRows;
    QTest::newRow("three characters") << u"zoë"_s << searchRows;
    QTest::newRow("three characters, upper case") << u"ZOË"_s << searchRows;
    QTest::newRow("no match") << u"zzz"_s << 0;
    QTest::newRow("no match, two characters") << u"zz"_s << 0;
    QTest::newRow("trimmed") << u"  naïve  "_s << 1;
    QTest::newRow("non-ascii upper case") << u"NAÏVE"_s << 1;
    QTest::newRow("one character") << u"✓"_s << 1;
    QTest::newRow("around a symbol") << u"d ✓"_s << 1;
    QTest::newRow("sharp s") << u"straße"_s << 1;
    QTest::newRow("double s") << u"STRASSE"_s << 1;
    QTest::newRow("accented capitals") << u"ÉTÉ"_s << 1;
    QTest::newRow("greek capitals") << u"ΣΊΣΥΦΟΣ"_s << 1;
    QTest::newRow("greek") << u"σίσυ"_s << 1;
    // SQLite's own case folding (trigram without case_sensitive 1) makes "ſ" an "s": LIKE does not.
    QTest::newRow("long s is not s") << u"ſubj"_s << 0;
    QTest::newRow("quoted word") << uR"("hi")"_s << 1;
    QTest::newRow("open quote") << uR"(say ")"_s << 1;
    QTest::newRow("one quote") << uR"(")"_s << 1;
    QTest::newRow("three quotes") << uR"(""")"_s << 0;
    QTest::newRow("unbalanced quotes") << uR"(hi" now)"_s << 1;
    QTest::newRow("AND as text") << u"a AND b"_s << 1;
    QTest::newRow("and, also inside a word") << u"AND"_s << 2; // "a AND b" and "Wayland"
    QTest::newRow("OR NOT") << u"or not"_s << 1;
    QTest::newRow("star after") << u"foo*"_s << 1;
    QTest::newRow("star before") << u"*bar"_s << 1;
    QTest::newRow("star alone") << u"*"_s << 1;
    QTest::newRow("star, no match") << u"fo*ar"_s << 0; // not a wildcard
    QTest::newRow("minus first") << u"-12"_s << 1;
    QTest::newRow("minus last") << u"fix-"_s << 1;
    QTest::newRow("minus alone") << u"-"_s << 1;
    QTest::newRow("colon") << u"e: c"_s << 1;
    QTest::newRow("column filter syntax") << u"scope:"_s << 1;
    QTest::newRow("colon alone") << u":"_s << 2;
    QTest::newRow("NEAR group") << u"near(x"_s << 1;
    QTest::newRow("caret") << u"^car"_s << 1;
    QTest::newRow("parentheses") << u"(paren)"_s << 1;
    QTest::newRow("LIKE wildcards are literal") << u"100% _sub"_s << 1;
    QTest::newRow("LIKE wildcards, two characters") << u"0%"_s << 1;
    QTest::newRow("underscore, no match") << u"1_0"_s << 0;
    QTest::newRow("backslash") << uR"(k\sl)"_s << 1;
    QTest::newRow("backslash alone") << uR"(\)"_s << 1;
    QTest::newRow("emoji and two") << u"t 🚀x"_s << 1;
    // Two characters for SQLite, three UTF-16 units: too short for the index, found by LIKE.
    QTest::newRow("emoji and one") << u"🚀x"_s << 1;
    QTest::newRow("whole subject") << u"fix tray icon flicker — naïve repaint on wayland ✓"_s << 1;
}

void TestHistoryStore::searchMatchesLikeSemantics()
{
    QFETCH(QString, needle);
    QFETCH(int, matches);
    for (int i = 0; i < searchRows; ++i) {
        const QByteArray at = QStringLiteral("2026-03-14T10:%1:00.000Z").arg(i, 2, 10, QLatin1Char('0')).toLatin1();
        QVERIFY(m_store
                    ->record(workflowEvent(u"e%1"_s.arg(i), u"wf%1"_s.arg(i), i % 2 ? "failed" : "success",
                                           at.constData(), "main", searchSubjects[i]))
                    .workflowChanged);
    }
    // What LIKE finds, newest first: the meaning of a search before there was an index.
    auto like = [&](const QString &statusClass) {
        QString pattern = needle.trimmed().toLower();
        pattern.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
        QSqlQuery q(m_store->database());
        q.prepare(u"SELECT workflow_id FROM workflows WHERE search LIKE ? ESCAPE '\\' AND status_class LIKE ? "
                  "ORDER BY finished_at DESC"_s);
        q.addBindValue(QString(u'%' + pattern + u'%'));
        q.addBindValue(statusClass.isEmpty() ? u"%"_s : statusClass);
        QStringList out;
        if (!q.exec())
            qWarning("%s", qPrintable(q.lastError().text()));
        while (q.next())
            out.append(q.value(0).toString());
        return out;
    };
    const QStringList expected = like(QString());
    QCOMPARE(expected.size(), matches);
    ct::HistoryFilter f;
    f.text = needle;
    QCOMPARE(m_store->count(f), matches);
    QCOMPARE(ids(m_store->page(f, 0, 100)), expected);
    QCOMPARE(ids(m_store->page(f, 0, 100, matches)), expected);
    // Told that every row matches, a page smaller than the whole history walks the time index.
    QCOMPARE(ids(m_store->page(f, 0, 3, searchRows)), expected.mid(0, 3));
    QCOMPARE(ids(m_store->page(f, 3, 3, searchRows)), expected.mid(3, 3));
    // With another filter, the count reads the rows the index found.
    f.statusClass = u"failure"_s;
    const QStringList failed = like(u"failure"_s);
    QCOMPARE(m_store->count(f), failed.size());
    QCOMPARE(ids(m_store->page(f, 0, 100, failed.size())), failed);
}

void TestHistoryStore::threeCharactersUseTheIndex()
{
    m_store->record(workflowEvent(u"e1"_s, u"wf-1"_s, "success", "2026-11-01T00:00:00.000Z"));
    ct::HistoryFilter three, two;
    three.text = u"Zoë"_s;
    two.text = u"Zo"_s;
    QCOMPARE(m_store->count(three), 1);
    QCOMPARE(m_store->count(two), 1);
    QSqlQuery q(m_store->database());
    QVERIFY(q.exec(u"INSERT INTO workflows_fts (workflows_fts) VALUES ('delete-all')"_s)); // an empty index
    QCOMPARE(m_store->count(three), 0); // answered by the index
    QVERIFY(m_store->page(three, 0, 10).isEmpty());
    QCOMPARE(m_store->count(two), 1); // by LIKE
    QCOMPARE(m_store->page(two, 0, 10).size(), 1);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
