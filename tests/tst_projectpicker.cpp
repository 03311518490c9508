// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
// ProjectPicker (issue 10) against the project's CircleCI API stand-in (tests/circleci-standin/) on
// 127.0.0.1: alice (tok-alice) is admin of gh/acme and of a standalone org, a member of gh/globex;
// gh/acme/api has 4 webhooks, gh/acme/web-ui a foreign one. Expected rows and counts come from the
// stand-in's control API. With CT_SCREENSHOT_DIR set, one window is shown and saved there as a PNG.
#include "app/account/projectpicker.h"
#include "circlecistandin.h"
#include "core/circleci/circleciclient.h"
#include "core/circleci/circlecitoken.h"

#include <QAbstractItemView>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <memory>

using namespace Qt::StringLiterals;
using namespace ct;
using namespace ct::test;

namespace {

struct Expected
{
    QString slug;
    QString name;
    QString org;
    int webhooks = 0;
};

//! Where the view draws the check box of \a index.
QPoint checkBoxCenter(QTreeView *view, const QModelIndex &index)
{
    QStyleOptionViewItem opt;
    opt.initFrom(view->viewport());
    opt.rect = view->visualRect(index);
    opt.features = QStyleOptionViewItem::HasCheckIndicator | QStyleOptionViewItem::HasDisplay;
    opt.text = index.data().toString();
    return view->style()->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &opt, view).center();
}

QStringList slugsOf(const QList<CircleCiProject> &projects)
{
    QStringList out;
    for (const CircleCiProject &p : projects)
        out.append(p.slug);
    return out;
}

} // namespace

class TestProjectPicker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void rowsAndCountsMatchTheStandIn();
    void accessibleAndKeyboard();
    void webhookLimit_data();
    void webhookLimit();
    void existingHookIsPrechecked_data();
    void existingHookIsPrechecked();
    void filterAndSelectVisibleRows_data();
    void filterAndSelectVisibleRows();
    void badTokenSaysSo();
    void failedListingShowsTheReason_data();
    void failedListingShowsTheReason();
    void rateLimitIsShown();
    void discoveryWarningsAreShown();
    void reloadIgnoresTheOldRun_data();
    void reloadIgnoresTheOldRun();
    void screenshot();

private:
    std::unique_ptr<CircleCiClient> client(const QString &user = u"alice"_s);
    //! load() and wait for loaded(); false when it did not come.
    bool loadAndWait(ProjectPicker &picker, const QString &name = u"CircleTray"_s, bool *ok = nullptr);
    QList<Expected> expectedRows();
    QString projectId(const QString &slug);
    void addWebhook(const QString &slug, const QString &name);
    QModelIndex indexOf(ProjectPicker &picker, const QString &slug, int column = ProjectPicker::ProjectColumn);
    QStringList visibleSlugs(ProjectPicker &picker);

    CircleCiStandIn m_api;
    QTemporaryDir m_dir;
};

void TestProjectPicker::initTestCase()
{
    QVERIFY2(m_api.start(), "the stand-in did not start (python3 missing?)");
    for (const char *user : {"alice", "wrong"}) {
        QFile f(m_dir.filePath(QString::fromLatin1(user) + u".token"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# personal API token\ntok-" + QByteArray(user) + '\n');
    }
}

void TestProjectPicker::init()
{
    m_api.reset();
}

std::unique_ptr<CircleCiClient> TestProjectPicker::client(const QString &user)
{
    QString error;
    const CircleCiToken token = CircleCiToken::find(m_dir.filePath(user + u".token"_s), &error);
    auto c = std::make_unique<CircleCiClient>();
    c->setHost(QUrl(m_api.host()));
    c->setToken(token.token);
    c->setRetryBudget(1, std::chrono::seconds(5)); // a fault injected for one call stays one failure
    return c;
}

bool TestProjectPicker::loadAndWait(ProjectPicker &picker, const QString &name, bool *ok)
{
    QSignalSpy spy(&picker, &ProjectPicker::loaded);
    picker.load(name);
    if (!spy.wait(60000))
        return false;
    if (ok)
        *ok = spy.first().first().toBool();
    return !picker.isLoading();
}

//! What alice can see, from the stand-in's own data: followed projects of orgs she has a role in.
QList<Expected> TestProjectPicker::expectedRows()
{
    QString alice;
    for (const QJsonValue &u : m_api.control("GET", u"users"_s).array()) {
        if (u[u"login"_s].toString() == u"alice"_s)
            alice = u[u"id"_s].toString();
    }
    QMap<QString, QString> orgNames; // slug -> name, orgs alice has a role in
    for (const QJsonValue &o : m_api.control("GET", u"orgs"_s).array()) {
        if (o[u"roles"_s].toObject().contains(alice))
            orgNames.insert(o[u"slug"_s].toString(), o[u"name"_s].toString());
    }
    QList<Expected> out;
    for (const QJsonValue &p : m_api.control("GET", u"projects"_s).array()) {
        const QString slug = p[u"slug"_s].toString();
        const QString org = slug.section(u'/', 0, 1);
        if (!orgNames.contains(org) || !p[u"followed"_s].toBool(true))
            continue;
        out.append({slug, p[u"name"_s].toString(), orgNames.value(org), int(m_api.webhooksOf(slug).size())});
    }
    std::sort(out.begin(), out.end(), [](const Expected &a, const Expected &b) {
        return a.org != b.org ? a.org.localeAwareCompare(b.org) < 0 : a.name.localeAwareCompare(b.name) < 0;
    });
    return out;
}

QString TestProjectPicker::projectId(const QString &slug)
{
    for (const QJsonValue &p : m_api.control("GET", u"projects"_s).array()) {
        if (p[u"slug"_s].toString() == slug)
            return p[u"id"_s].toString();
    }
    return {};
}

void TestProjectPicker::addWebhook(const QString &slug, const QString &name)
{
    const QJsonObject hook {{u"name"_s, name},
                            {u"url"_s, u"https://hooks.example.com/%1"_s.arg(name)},
                            {u"verify_tls"_s, true},
                            {u"events"_s, QJsonArray {u"workflow-completed"_s}},
                            {u"scope"_s, QJsonObject {{u"id"_s, projectId(slug)}, {u"type"_s, u"project"_s}}}};
    m_api.control("POST", u"webhooks"_s, QJsonDocument(hook));
    QCOMPARE(m_api.lastStatus(), 201);
}

QModelIndex TestProjectPicker::indexOf(ProjectPicker &picker, const QString &slug, int column)
{
    QAbstractItemModel *model = picker.view()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        const QModelIndex i = model->index(r, column);
        if (i.data(ProjectPicker::SlugRole).toString() == slug)
            return i;
    }
    return {};
}

QStringList TestProjectPicker::visibleSlugs(ProjectPicker &picker)
{
    QStringList out;
    QAbstractItemModel *model = picker.view()->model();
    for (int r = 0; r < model->rowCount(); ++r)
        out.append(model->index(r, 0).data(ProjectPicker::SlugRole).toString());
    return out;
}

void TestProjectPicker::rowsAndCountsMatchTheStandIn()
{
    const auto c = client();
    ProjectPicker picker(c.get());
    QSignalSpy changed(&picker, &ProjectPicker::selectionChanged);
    bool ok = false;
    QVERIFY(loadAndWait(picker, u"CircleTray"_s, &ok));
    QVERIFY(ok);

    const QList<Expected> expected = expectedRows();
    QVERIFY(expected.size() >= 3);
    QCOMPARE(visibleSlugs(picker).size(), expected.size());
    QCOMPARE(picker.projects().size(), expected.size());
    for (int r = 0; r < expected.size(); ++r) {
        const Expected &e = expected.at(r);
        QAbstractItemModel *model = picker.view()->model();
        QCOMPARE(model->index(r, ProjectPicker::ProjectColumn).data(ProjectPicker::SlugRole).toString(), e.slug);
        QCOMPARE(model->index(r, ProjectPicker::ProjectColumn).data().toString(), e.name);
        QCOMPARE(model->index(r, ProjectPicker::OrganizationColumn).data().toString(), e.org);
        const QModelIndex hooks = model->index(r, ProjectPicker::WebhooksColumn);
        QCOMPARE(hooks.data(ProjectPicker::WebhookCountRole).toInt(), e.webhooks);
        const QString text = e.webhooks == 0 ? u"none"_s
            : e.webhooks == 1                ? u"1 webhook"_s
                                             : u"%1 webhooks"_s.arg(e.webhooks);
        QCOMPARE(hooks.data().toString(), text);
        QVERIFY(model->index(r, 0).flags() & Qt::ItemIsUserCheckable); // none at the limit in the fixture
        QCOMPARE(model->index(r, 0).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    }
    QVERIFY(picker.checkedProjects().isEmpty());
    QVERIFY(picker.projectsWithWebhook().isEmpty()); // "circletray:9f3c1a" is not named "CircleTray"
    QCOMPARE(changed.count(), 0);
    QCOMPARE(picker.statusText(), u"%1 projects, 0 with CircleTray's webhook"_s.arg(expected.size()));
}

void TestProjectPicker::accessibleAndKeyboard()
{
    const auto c = client();
    ProjectPicker picker(c.get());
    QVERIFY(loadAndWait(picker));
    QCOMPARE(picker.filterEdit()->accessibleName(), u"Filter projects"_s);
    QCOMPARE(picker.filterEdit()->placeholderText(), u"Filter projects"_s);
    QCOMPARE(picker.view()->accessibleName(), u"Projects"_s);
    const QModelIndex api = indexOf(picker, u"gh/acme/api"_s);
    QCOMPARE(api.data(Qt::AccessibleTextRole).toString(), u"api, gh/acme/api"_s);

    // Space toggles the current row, also when the focus is on another column of it.
    QSignalSpy changed(&picker, &ProjectPicker::selectionChanged);
    picker.view()->setCurrentIndex(indexOf(picker, u"gh/acme/api"_s, ProjectPicker::WebhooksColumn));
    QTest::keyClick(picker.view(), Qt::Key_Space);
    QCOMPARE(slugsOf(picker.checkedProjects()), QStringList {u"gh/acme/api"_s});
    QCOMPARE(changed.count(), 1);
    QTest::keyClick(picker.view(), Qt::Key_Space);
    QVERIFY(picker.checkedProjects().isEmpty());
    QCOMPARE(changed.count(), 2);

    // A click on the check box checks, as anywhere.
    picker.resize(800, 400);
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QTest::mouseClick(picker.view()->viewport(), Qt::LeftButton, {}, checkBoxCenter(picker.view(), api));
    QCOMPARE(slugsOf(picker.checkedProjects()), QStringList {u"gh/acme/api"_s});
    QCOMPARE(changed.count(), 3);

    // Down in the filter moves into the list.
    picker.activateWindow();
    picker.filterEdit()->setFocus();
    QTest::keyClick(picker.filterEdit(), Qt::Key_Down);
    QTRY_VERIFY(picker.view()->hasFocus());
    picker.view()->setCurrentIndex(picker.view()->model()->index(0, 0));
    QTest::keyClick(picker.view(), Qt::Key_Down);
    QCOMPARE(picker.view()->currentIndex().row(), 1);
}

void TestProjectPicker::webhookLimit_data()
{
    QTest::addColumn<QStringList>("added");
    QTest::addColumn<bool>("checkable");
    QTest::addColumn<bool>("checked");
    QTest::newRow("a 5th foreign hook") << QStringList {u"sentry"_s} << false << false;
    QTest::newRow("a 5th named CircleTray") << QStringList {u"CircleTray"_s} << true << true;
}

void TestProjectPicker::webhookLimit()
{
    QFETCH(QStringList, added);
    QFETCH(bool, checkable);
    QFETCH(bool, checked);
    const QString slug = u"gh/acme/api"_s;
    for (const QString &name : added)
        addWebhook(slug, name);
    QCOMPARE(m_api.webhooksOf(slug).size(), 5);

    const auto c = client();
    ProjectPicker picker(c.get());
    QVERIFY(loadAndWait(picker));
    const QModelIndex row = indexOf(picker, slug);
    const QModelIndex hooks = indexOf(picker, slug, ProjectPicker::WebhooksColumn);
    QVERIFY(row.isValid());
    QCOMPARE(bool(row.flags() & Qt::ItemIsUserCheckable), checkable);
    QCOMPARE(row.data(ProjectPicker::UnavailableRole).toBool(), !checkable);
    QVERIFY(row.flags() & Qt::ItemIsEnabled); // reachable with the keyboard, to hear why
    QCOMPARE(hooks.data(ProjectPicker::WebhookCountRole).toInt(), 5);
    if (!checkable) {
        QCOMPARE(hooks.data().toString(),
                 u"5 webhooks: CircleCI's limit — remove one in Project Settings → Webhooks"_s);
        QVERIFY(row.data(Qt::ToolTipRole).toString().contains(u"Project Settings → Webhooks"_s));
        QVERIFY2(picker.statusText().endsWith(u"; 1 project at CircleCI's limit of 5 webhooks (remove one in Project "
                                              "Settings → Webhooks)"_s),
                 qPrintable(picker.statusText()));
    } else {
        QCOMPARE(hooks.data().toString(), u"5 webhooks, has CircleTray's"_s);
    }
    QCOMPARE(slugsOf(picker.checkedProjects()).contains(slug), checked);

    // Neither setChecked(), Select all, Space nor a click check a project at the limit.
    picker.setChecked({});
    picker.setChecked({slug});
    QCOMPARE(slugsOf(picker.checkedProjects()).contains(slug), checkable);
    picker.selectNoneButton()->click();
    picker.selectAllButton()->click();
    QCOMPARE(slugsOf(picker.checkedProjects()).contains(slug), checkable);
    if (!checkable) {
        picker.view()->setCurrentIndex(row);
        QTest::keyClick(picker.view(), Qt::Key_Space);
        picker.resize(800, 400);
        picker.show();
        QVERIFY(QTest::qWaitForWindowExposed(&picker));
        QTest::mouseClick(picker.view()->viewport(), Qt::LeftButton, {}, checkBoxCenter(picker.view(), row));
        QVERIFY(!slugsOf(picker.checkedProjects()).contains(slug));
        QCOMPARE(row.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    }
}

void TestProjectPicker::existingHookIsPrechecked_data()
{
    QTest::addColumn<QString>("seedSlug");
    QTest::addColumn<QString>("seedName");
    QTest::addColumn<QString>("webhookName");
    QTest::addColumn<QStringList>("prechecked");
    QTest::newRow("CircleTray on web-ui")
        << u"gh/acme/web-ui"_s << u"CircleTray"_s << u"CircleTray"_s << QStringList {u"gh/acme/web-ui"_s};
    QTest::newRow("another name is not ours")
        << u"gh/acme/web-ui"_s << u"circletray"_s << u"CircleTray"_s << QStringList {};
    QTest::newRow("the fixture's stale circletray:9f3c1a")
        << QString() << QString() << u"circletray:9f3c1a"_s << QStringList {u"gh/acme/api"_s};
    QTest::newRow("two projects") << u"gh/globex/mobile"_s << u"circletray:9f3c1a"_s << u"circletray:9f3c1a"_s
                                  << QStringList {u"gh/acme/api"_s, u"gh/globex/mobile"_s};
}

void TestProjectPicker::existingHookIsPrechecked()
{
    QFETCH(QString, seedSlug);
    QFETCH(QString, seedName);
    QFETCH(QString, webhookName);
    QFETCH(QStringList, prechecked);
    if (!seedSlug.isEmpty())
        addWebhook(seedSlug, seedName);

    const auto c = client();
    ProjectPicker picker(c.get());
    QVERIFY(loadAndWait(picker, webhookName));
    QCOMPARE(slugsOf(picker.checkedProjects()), prechecked);
    QCOMPARE(picker.projectsWithWebhook(), prechecked);
    for (const QString &slug : prechecked) {
        const QModelIndex hooks = indexOf(picker, slug, ProjectPicker::WebhooksColumn);
        QVERIFY2(hooks.data().toString().endsWith(u", has CircleTray's"_s), qPrintable(hooks.data().toString()));
        QVERIFY(hooks.data(ProjectPicker::HasWebhookRole).toBool());
    }
    QCOMPARE(picker.statusText(),
             u"%1 projects, %2 with CircleTray's webhook"_s.arg(expectedRows().size()).arg(prechecked.size()));
}

void TestProjectPicker::filterAndSelectVisibleRows_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("visible");
    // clang-format off
    QTest::newRow("organization, any case") << u"ACME"_s       << QStringList {u"gh/acme/api"_s, u"gh/acme/web-ui"_s};
    QTest::newRow("part of a slug")         << u"globex/mo"_s  << QStringList {u"gh/globex/mobile"_s};
    QTest::newRow("a name")                 << u"Relay"_s      << QStringList {u"circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"_s};
    QTest::newRow("a standalone org name")  << u"example-gr"_s << QStringList {u"circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"_s};
    QTest::newRow("nothing")                << u"zzz"_s        << QStringList {};
    // clang-format on
}

void TestProjectPicker::filterAndSelectVisibleRows()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, visible);
    const auto c = client();
    ProjectPicker picker(c.get());
    QVERIFY(loadAndWait(picker));
    const QStringList all = slugsOf(picker.projects());

    // One project checked before filtering; it stays checked while hidden and through Select none.
    QString outside;
    for (const QString &slug : all) {
        if (!visible.contains(slug))
            outside = slug;
    }
    QVERIFY(!outside.isEmpty());
    picker.setChecked({outside});

    QTest::keyClicks(picker.filterEdit(), filter);
    QCOMPARE(visibleSlugs(picker), visible);
    QCOMPARE(picker.selectAllButton()->isEnabled(), !visible.isEmpty());

    QSignalSpy changed(&picker, &ProjectPicker::selectionChanged);
    picker.selectAllButton()->click();
    QStringList expected = visible;
    expected.append(outside);
    std::sort(expected.begin(), expected.end());
    QStringList checked = slugsOf(picker.checkedProjects());
    std::sort(checked.begin(), checked.end());
    QCOMPARE(checked, expected);
    QCOMPARE(changed.count(), visible.isEmpty() ? 0 : 1); // one signal for the lot

    picker.selectNoneButton()->click();
    QCOMPARE(slugsOf(picker.checkedProjects()), QStringList {outside});

    picker.selectAllButton()->click();
    picker.filterEdit()->clear();
    QCOMPARE(visibleSlugs(picker).size(), all.size());
    checked = slugsOf(picker.checkedProjects());
    std::sort(checked.begin(), checked.end());
    QCOMPARE(checked, expected);
}

void TestProjectPicker::badTokenSaysSo()
{
    const auto c = client(u"wrong"_s);
    ProjectPicker picker(c.get());
    bool ok = true;
    QVERIFY(loadAndWait(picker, u"CircleTray"_s, &ok));
    QVERIFY(!ok);
    QVERIFY(!picker.isLoading());
    QVERIFY2(picker.statusText().startsWith(u"CircleCI token rejected"_s), qPrintable(picker.statusText()));
    QVERIFY(picker.projects().isEmpty());
    QCOMPARE(picker.view()->model()->rowCount(), 0);
}

void TestProjectPicker::failedListingShowsTheReason_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");
    QTest::newRow("403") << 403 << u"CircleCI refused this (403)"_s;
    QTest::newRow("404") << 404 << u"Not found on CircleCI (404)"_s;
    QTest::newRow("500 after its retry") << 500 << u"CircleCI had an internal error (500)"_s;
}

void TestProjectPicker::failedListingShowsTheReason()
{
    QFETCH(int, status);
    QFETCH(QString, reason);
    // The first listing is the first row's: fault it (and its one retry after a 5xx).
    m_api.addFault({{u"method"_s, u"GET"_s},
                    {u"path"_s, u"/api/v2/webhook"_s},
                    {u"status"_s, status},
                    {u"count"_s, status >= 500 ? 2 : 1}});
    const QList<Expected> expected = expectedRows();
    addWebhook(expected.first().slug, u"CircleTray"_s); // even with CircleTray's: it can't be known

    const auto c = client();
    ProjectPicker picker(c.get());
    bool ok = false;
    QVERIFY(loadAndWait(picker, u"CircleTray"_s, &ok));
    QVERIFY(ok); // the discovery worked
    QCOMPARE(picker.projects().size(), expected.size());
    const QModelIndex row = indexOf(picker, expected.first().slug);
    QCOMPARE(row.row(), 0);
    QVERIFY(!(row.flags() & Qt::ItemIsUserCheckable));
    QCOMPARE(row.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    QVERIFY2(row.data(Qt::ToolTipRole).toString().contains(reason), qPrintable(row.data(Qt::ToolTipRole).toString()));
    QVERIFY(row.data(Qt::AccessibleDescriptionRole).toString().contains(reason));
    const QModelIndex hooks = indexOf(picker, expected.first().slug, ProjectPicker::WebhooksColumn);
    QCOMPARE(hooks.data().toString(), u"could not be read (%1)"_s.arg(status));
    QVERIFY(hooks.data(Qt::ToolTipRole).toString().contains(reason));
    QVERIFY(picker.checkedProjects().isEmpty());
    picker.setChecked({expected.first().slug});
    QVERIFY(picker.checkedProjects().isEmpty());
    // The others were read.
    for (int r = 1; r < expected.size(); ++r)
        QVERIFY(picker.view()->model()->index(r, 0).flags() & Qt::ItemIsUserCheckable);
    QCOMPARE(picker.statusText(),
             u"%1 projects, 0 with CircleTray's webhook; the webhooks of 1 project could not be "
             "read (its row says why)"_s.arg(expected.size()));
}

void TestProjectPicker::rateLimitIsShown()
{
    m_api.addFault({{u"method"_s, u"GET"_s},
                    {u"path"_s, u"/api/v2/me"_s},
                    {u"status"_s, 429},
                    {u"retry_after"_s, 1},
                    {u"count"_s, 1}});
    const auto c = client();
    ProjectPicker picker(c.get());
    QStringList seen;
    // Connected after the picker's own slot: sees what it shows.
    connect(c.get(), &CircleCiClient::waiting, this, [&] { seen.append(picker.statusText()); });
    bool ok = false;
    QVERIFY(loadAndWait(picker, u"CircleTray"_s, &ok));
    QVERIFY(ok);
    QCOMPARE(seen, QStringList {u"CircleCI asked to wait 1 s…"_s});
}

void TestProjectPicker::discoveryWarningsAreShown()
{
    // v1.1 failing (and its one retry) is a warning; the projects come from the pipelines still.
    m_api.addFault(
        {{u"method"_s, u"GET"_s}, {u"path"_s, u"/api/v1.1/projects"_s}, {u"status"_s, 500}, {u"count"_s, 2}});
    const auto c = client();
    ProjectPicker picker(c.get());
    bool ok = false;
    QVERIFY(loadAndWait(picker, u"CircleTray"_s, &ok));
    QVERIFY(ok);
    QVERIFY(!picker.projects().isEmpty());
    QVERIFY2(picker.warningsText().startsWith(u"Classic projects (API v1.1) could not be listed"_s),
             qPrintable(picker.warningsText()));
    QVERIFY(picker.statusText().startsWith(u"%1 projects"_s.arg(picker.projects().size())));
}

void TestProjectPicker::reloadIgnoresTheOldRun_data()
{
    QTest::addColumn<bool>("whileReadingWebhooks");
    QTest::newRow("during the discovery") << false;
    QTest::newRow("while reading webhooks") << true;
}

void TestProjectPicker::reloadIgnoresTheOldRun()
{
    QFETCH(bool, whileReadingWebhooks);
    // Slow listings, so the first run is surely still reading when the second starts.
    m_api.addFault({{u"method"_s, u"GET"_s}, {u"path"_s, u"/api/v2/webhook"_s}, {u"delay"_s, 0.3}, {u"count"_s, 3}});
    addWebhook(u"gh/acme/web-ui"_s, u"CircleTray"_s);

    const auto c = client();
    ProjectPicker picker(c.get());
    QSignalSpy loaded(&picker, &ProjectPicker::loaded);
    picker.load(u"circletray:9f3c1a"_s); // the first run would check gh/acme/api
    QVERIFY(picker.isLoading());
    if (whileReadingWebhooks) {
        QTRY_VERIFY_WITH_TIMEOUT(picker.statusText().startsWith(u"Reading webhooks: 2 of"_s), 30000);
        QCOMPARE(loaded.count(), 0);
    } else {
        QCOMPARE(picker.statusText(), u"Looking for your projects…"_s);
    }
    picker.load(u"CircleTray"_s);
    QCOMPARE(picker.statusText(), u"Looking for your projects…"_s);
    QVERIFY(picker.projects().isEmpty());
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.count(), 1);
    QVERIFY(loaded.first().first().toBool());
    QVERIFY(c->isIdle()); // nothing of the first run left queued
    QCOMPARE(picker.projects().size(), expectedRows().size());
    QCOMPARE(picker.projectsWithWebhook(), QStringList {u"gh/acme/web-ui"_s});
    QCOMPARE(slugsOf(picker.checkedProjects()), QStringList {u"gh/acme/web-ui"_s});
    QCOMPARE(picker.statusText(), u"%1 projects, 1 with CircleTray's webhook"_s.arg(expectedRows().size()));
    QCOMPARE(loaded.count(), 1);
}

void TestProjectPicker::screenshot()
{
    const QString dir = qEnvironmentVariable("CT_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set CT_SCREENSHOT_DIR to save a screenshot of the picker");
    addWebhook(u"gh/acme/api"_s, u"sentry"_s); // at the limit
    addWebhook(u"gh/acme/web-ui"_s, u"CircleTray"_s);
    const QList<Expected> expected = expectedRows();
    m_api.addFault({{u"method"_s, u"GET"_s},
                    {u"path"_s, u"/api/v2/webhook"_s},
                    {u"status"_s, 403},
                    {u"skip"_s, int(expected.size()) - 1},
                    {u"count"_s, 1}});
    const auto c = client();
    ProjectPicker picker(c.get());
    picker.setWindowTitle(u"Watched projects"_s);
    picker.resize(760, 320);
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QVERIFY(loadAndWait(picker));
    picker.view()->setCurrentIndex(picker.view()->model()->index(1, 0));
    picker.view()->setFocus();
    QTest::qWait(200); // let the window manager and the style settle before grabbing
    QVERIFY(QDir().mkpath(dir));
    const QString file = QDir(dir).filePath(u"projectpicker.png"_s);
    QVERIFY(picker.grab().save(file));
    qInfo().noquote() << "saved" << file;
}

QTEST_MAIN(TestProjectPicker)
#include "tst_projectpicker.moc"
