// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// Unit tests of the dashboard's pure logic (relay/dashboard/web/model.js): node --test tests/dashboard/

process.env.TZ = 'UTC'; // clock texts ("since 10:42") are local time; make local UTC

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../relay/dashboard/web/model.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ago = (s) => new Date(NOW - s * 1000).toISOString();

/** A workflow-completed event, normalised, with what a test cares about. */
function wfEvent({ wid = 'w1', status = 'failed', cls, created = ago(400), stopped = ago(148), url,
    subject = 'Fix it', author = 'Sam Dev', number = 7, branch = 'main', slug = 'gh/acme/api', name = slug.split('/').pop() } = {}) {
    const statusClass = cls ?? ({ failed: 'failure', error: 'failure', success: 'success', canceled: 'canceled' }[status] ?? 'unknown');
    return {
        type: 'workflow-completed', id: 'e-' + wid, happened_at: stopped,
        project: { id: 'p', name, slug },
        workflow: { id: wid, name: 'build', status, status_class: statusClass, url: url ?? 'https://app.circleci.com/pipelines/x/' + wid, created_at: created, stopped_at: stopped },
        job: null,
        pipeline: { id: 'pl', number, branch, tag: null, commit_subject: subject, commit_author_name: author },
    };
}

function tile({ key = 'k', project = 'gh/acme/api', ref = 'main', workflow = 'build', state = 'failed', verdict = 'broken',
    seq = 1, runs = 1, since = ago(600), event, running = null, failed_jobs = [] } = {}) {
    const ev = event === undefined
        ? wfEvent({ wid: 'w-' + key + '-' + seq, status: { failed: 'failed', success: 'success', canceled: 'canceled', unknown: 'weird' }[state] ?? 'failed', slug: project })
        : event;
    return { key, project, ref, workflow, state, verdict, streak: { runs, since }, seq, event: ev, failed_jobs, running };
}

function runningOf(prevState, { failed_jobs = [], jobs_done = 2 } = {}) {
    const event = prevState ? wfEvent({ status: { failed: 'failed', success: 'success', canceled: 'canceled' }[prevState] }) : null;
    return {
        state: 'running', verdict: 'running', event,
        running: { workflow_id: 'w9', pipeline_number: 8, since: ago(120), jobs_done, failed_jobs, event: { type: 'job-completed', happened_at: ago(30), pipeline: { commit_subject: 'Rerun' } } },
    };
}

test('relativeTime', () => {
    const cases = [
        [ago(0), 'just now'],
        [ago(9), 'just now'],
        [ago(-300), 'just now'], // the server's clock ahead of ours
        [ago(42), '42 s ago'],
        [ago(60), '1 min ago'],
        [ago(3 * 60 + 59), '3 min ago'],
        [ago(59 * 60), '59 min ago'],
        [ago(3600), '1 h ago'],
        [ago(23 * 3600 + 3599), '23 h ago'],
        [ago(2 * 86400 + 5), '2 d ago'],
        [null, ''],
        ['', ''],
        ['not a date', ''],
    ];
    for (const [iso, want] of cases) assert.equal(M.relativeTime(iso, NOW), want, String(iso));
});

test('formatDuration and workflowDuration', () => {
    const cases = [
        [0, '0s'], [400, '0s'], [1000, '1s'], [42000, '42s'], [59400, '59s'], [59600, '1m 0s'],
        [252000, '4m 12s'], [3599000, '59m 59s'], [3600000, '1h 0m'], [3780000, '1h 3m'],
        [-1, ''], [NaN, ''], [undefined, ''], ['12', ''],
    ];
    for (const [ms, want] of cases) assert.equal(M.formatDuration(ms), want, String(ms));
    assert.equal(M.workflowDuration({ created_at: '2026-12-01T10:00:00.000Z', stopped_at: '2026-12-01T10:04:12.000Z' }), '4m 12s');
    assert.equal(M.workflowDuration({ created_at: null, stopped_at: '2026-12-01T10:04:12.000Z' }), '');
    assert.equal(M.workflowDuration(null), '');
});

test('clock texts', () => {
    assert.equal(M.formatClock('2026-12-01T10:42:59.000Z'), '10:42');
    assert.equal(M.formatClock('2026-12-01T09:05:00.000Z'), '09:05');
    assert.equal(M.formatClock(null), '');
    assert.equal(M.formatWhen('2026-12-01T10:42:00.000Z', NOW), '10:42');
    assert.equal(M.formatWhen('2026-11-28T08:03:00.000Z', NOW), '28 Nov 08:03');
    assert.equal(M.formatExact('2026-12-01T10:42:13.500Z'), 'Tue 1 Dec 2026, 10:42:13');
    assert.equal(M.bannerText('2026-12-01T10:42:00.000Z'), 'Disconnected since 10:42 — retrying');
    assert.equal(M.bannerText(null), 'Disconnected — retrying');
});

test('streakText', () => {
    const since = '2026-12-01T10:42:00.000Z';
    const cases = [
        [{ state: 'failed', runs: 3, since }, 'failing for 3 runs, since 10:42'],
        [{ state: 'failed', runs: 1, since }, 'failing since 10:42'],
        [{ state: 'success', runs: 5, since: '2026-11-30T09:10:00.000Z' }, 'passing for 5 runs, since 30 Nov 09:10'],
        [{ state: 'success', runs: 1, since }, 'passing since 10:42'],
        [{ state: 'canceled', runs: 2, since }, ''], // a canceled result says nothing about the streak
        [{ state: 'unknown', runs: 2, since }, ''],
        [{ state: 'failed', runs: 0, since }, ''],
        [{ state: 'failed', runs: 2, since: null }, ''],
        [{ ...runningOf('failed'), runs: 4, since }, 'failing for 4 runs, since 10:42'],
        [{ ...runningOf('success'), runs: 2, since }, 'passing for 2 runs, since 10:42'],
        [{ ...runningOf(null), runs: 0, since: null }, ''],
    ];
    for (const [t, want] of cases) assert.equal(M.streakText(tile(t), NOW), want, JSON.stringify([t.state, t.runs]));
    // The relay also names the streak's outcome: a canceled run neither breaks nor extends it.
    const withOutcome = [
        ['canceled', 'failed', 'failing for 3 runs, since 10:42'],
        ['canceled', 'success', 'passing for 3 runs, since 10:42'],
        ['unknown', 'failed', 'failing for 3 runs, since 10:42'],
        ['canceled', 'bogus', ''],
    ];
    for (const [state, outcome, want] of withOutcome) {
        const t = tile({ state });
        t.streak = { runs: 3, since, outcome };
        assert.equal(M.streakText(t, NOW), want, state + ' ' + outcome);
    }
    assert.equal(M.streakText({ ...tile({ state: 'canceled' }), streak: null }, NOW), '', 'streak: null (only canceled so far)');
});

test('state and verdict words', () => {
    const states = [['failed', 'Failed'], ['success', 'Passed'], ['canceled', 'Canceled'], ['running', 'Running'],
        ['unknown', 'Unknown'], ['garbage', 'Unknown'], ['__proto__', 'Unknown'], [undefined, 'Unknown']];
    for (const [s, want] of states) assert.equal(M.stateLabel(s), want, String(s));
    const verdicts = [['broken', 'Broken'], ['still-failing', 'Still failing'], ['fixed', 'Fixed'], ['passed', 'Passed'],
        ['canceled', 'Canceled'], ['unknown', 'Unknown'], ['running', 'Running'], ['toString', 'Unknown'], [null, 'Unknown']];
    for (const [v, want] of verdicts) assert.equal(M.verdictLabel(v), want, String(v));
    for (const [s, want] of [['failed', 'failed'], ['running', 'running'], ['constructor', 'unknown'], [7, 'unknown']]) {
        assert.equal(M.knownState(s), want, String(s));
    }
    const classes = [['success', 'success'], ['failure', 'failed'], ['canceled', 'canceled'], ['unknown', 'unknown'], [null, 'unknown']];
    for (const [c, want] of classes) assert.equal(M.stateOfStatusClass(c), want, String(c));
});

test('problems first: sortTiles', () => {
    const tiles = [
        tile({ key: 'green-new', state: 'success', verdict: 'fixed', seq: 90 }),
        tile({ key: 'canceled', state: 'canceled', verdict: 'canceled', seq: 80 }),
        tile({ key: 'failed-old', state: 'failed', verdict: 'still-failing', seq: 10 }),
        tile({ key: 'running-green', ...runningOf('success'), seq: 70 }),
        tile({ key: 'failed-new', state: 'failed', verdict: 'broken', seq: 50 }),
        tile({ key: 'unknown', state: 'unknown', verdict: 'unknown', seq: 5 }),
        tile({ key: 'rerun-of-failure', ...runningOf('failed'), seq: 60 }),
        tile({ key: 'green-old', state: 'success', verdict: 'passed', seq: 1 }),
    ];
    assert.deepEqual(M.sortTiles(tiles).map((t) => t.key), [
        'failed-new', 'failed-old', 'rerun-of-failure', 'unknown', 'running-green', 'canceled', 'green-new', 'green-old',
    ]);
    // Same severity and seq: by key, so the order never flickers.
    assert.deepEqual(M.sortTiles([tile({ key: 'b' }), tile({ key: 'a' })]).map((t) => t.key), ['a', 'b']);
});

test('counts, worst state and the tab title', () => {
    const f = (state, verdict = 'broken', extra = {}) => tile({ key: Math.random().toString(36), state, verdict, ...extra });
    const cases = [
        [[], 'none', 'CircleTray'],
        [[f('success'), f('success')], 'success', 'All green · CircleTray'],
        [[f('failed'), f('failed'), f('success')], 'failed', '2 failing · CircleTray'],
        [[f('failed'), f('running', 'running', runningOf('failed')), f('running', 'running', runningOf('success'))], 'failed', '2 failing · CircleTray'],
        [[f('running', 'running', runningOf('success')), f('success')], 'running', '1 running · CircleTray'],
        [[f('unknown'), f('canceled'), f('success')], 'unknown', '1 unknown · CircleTray'],
        [[f('canceled'), f('success')], 'canceled', '1 canceled · CircleTray'],
    ];
    for (const [tiles, worst, title] of cases) {
        assert.equal(M.worstState(tiles), worst, title);
        assert.equal(M.titleText(tiles), title);
    }
    assert.deepEqual(M.countStates([f('failed'), f('running', 'running', runningOf('failed')), f('running', 'running', runningOf(null)), f('success'), f('canceled'), f('unknown')]),
        { total: 6, failing: 2, running: 1, green: 1, canceled: 1, unknown: 1 });
});

test('all-green, not-shown and summary texts', () => {
    assert.equal(M.allGreenText(14), 'All 14 workflows green');
    assert.equal(M.allGreenText(1), 'The 1 workflow is green');
    assert.equal(M.notShownText(0), '');
    assert.equal(M.notShownText(3), '+3 not shown');
    assert.equal(M.notShownText(3, { failing: 2, running: 0, unknown: 0, canceled: 1, green: 0 }), '+3 not shown (2 failing, 1 canceled)');
    const counts = { total: 14, failing: 2, running: 1, green: 11, canceled: 0, unknown: 0 };
    assert.equal(M.summaryText(counts, { lastEventAt: ago(180), now: NOW, connection: 'live' }),
        '2 failing, 1 running, 11 green · last event 3 min ago · live');
    assert.equal(M.summaryText({ ...counts, failing: 0, running: 0, green: 14 }, { lastEventAt: null, now: NOW, connection: 'disconnected', disconnectedSince: '2026-12-01T10:42:00Z' }),
        'All 14 workflows green · no events yet · disconnected since 10:42');
    assert.equal(M.summaryText({ total: 0, failing: 0, running: 0, green: 0, canceled: 0, unknown: 0 }, { now: NOW, connection: 'connecting' }),
        'No workflows yet · no events yet · connecting');
});

test('globs', () => {
    const cases = [
        ['main', 'main', true], ['main', 'Main', true], ['main', 'mainline', false], ['release/*', 'release/2.1', true],
        ['release/*', 'release', false], ['*', '', true], ['v?.?', 'v1.2', true], ['v?.?', 'v1.22', false],
        ['a.b', 'axb', false], ['(x)|y', '(x)|y', true], ['gh/acme/*', 'gh/acme/api', true], ['feat*', 'feat/a/b', true],
        ['[ab]', 'a', false], ['[ab]', '[ab]', true], ['\\d', '\\d', true], ['a$', 'a$', true],
    ];
    for (const [glob, value, want] of cases) assert.equal(M.globToRegExp(glob).test(value), want, glob + ' ~ ' + value);
});

test('tile filters from the URL', () => {
    const tiles = [
        tile({ key: '1', project: 'gh/acme/api', ref: 'main', workflow: 'build' }),
        tile({ key: '2', project: 'gh/acme/web', ref: 'release/2.1', workflow: 'deploy' }),
        tile({ key: '3', project: 'gh/other/api', ref: 'dependabot/npm/x', workflow: 'build' }),
        tile({ key: '4', project: 'circleci/UUID1/UUID2', ref: 'tag:v1.2', workflow: 'publish', event: wfEvent({ slug: 'circleci/UUID1/UUID2', name: 'shop' }) }),
    ];
    const cases = [
        [{}, ['1', '2', '3', '4']],
        [{ project: 'api' }, ['1', '3']], // the slug's last part
        [{ project: 'gh/acme/*' }, ['1', '2']],
        [{ project: 'shop' }, ['4']], // a GitHub App project by name
        [{ project: ' web , shop ' }, ['2', '4']],
        [{ branch: 'main,release/*' }, ['1', '2']],
        [{ branch: '!dependabot/*' }, ['1', '2', '4']],
        [{ branch: 'tag:*' }, ['4']],
        [{ project: 'api', branch: 'main' }, ['1']],
        [{ workflow: 'build' }, ['1', '3']],
        [{ project: 'nothing' }, []],
        [{ project: ',,' }, ['1', '2', '3', '4']],
    ];
    for (const [s, want] of cases) {
        const filter = M.makeTileFilter({ project: '', branch: '', workflow: '', ...s });
        assert.deepEqual(tiles.filter(filter).map((t) => t.key), want, JSON.stringify(s));
    }
});

test('parseSettings and settingsToSearch', () => {
    const defaults = { project: '', branch: '', workflow: '', theme: 'auto', density: 'normal', showGreen: false, maxTiles: 24, showRecent: true };
    const cases = [
        ['', {}],
        ['?theme=dark', { theme: 'dark' }],
        ['?theme=light&density=large', { theme: 'light', density: 'large', maxTiles: 12 }],
        ['?theme=neon&density=huge', {}],
        ['?density=compact', { density: 'compact', maxTiles: 48 }],
        ['?project=api,web-*&branch=main,release%2F*', { project: 'api,web-*', branch: 'main,release/*' }],
        ['?green=1', { showGreen: true }],
        ['?green', { showGreen: true }],
        ['?green=0', {}],
        ['?max=8', { maxTiles: 8 }],
        ['?max=0', {}],
        ['?max=-3', {}],
        ['?max=99999', { maxTiles: 500 }],
        ['?recent=0', { showRecent: false }],
        ['?recent=1', {}],
        ['?workflow=build', { workflow: 'build' }],
    ];
    for (const [search, want] of cases) {
        const s = M.parseSettings(search);
        assert.deepEqual(s, { ...defaults, ...want }, search);
        assert.deepEqual(M.parseSettings(M.settingsToSearch(s)), s, 'round trip of ' + search);
    }
    assert.equal(M.settingsToSearch(M.parseSettings('')), '');
});

test('safeHref: only https: URLs become links', () => {
    const cases = [
        ['https://app.circleci.com/pipelines/gh/acme/api/7/workflows/w1', 'https://app.circleci.com/pipelines/gh/acme/api/7/workflows/w1'],
        ['https://circleci.example.com/x', 'https://circleci.example.com/x'],
        ['HTTPS://APP.CIRCLECI.COM/a', 'https://app.circleci.com/a'],
        ['http://app.circleci.com/a', null],
        ['javascript:alert(1)', null],
        ['JaVaScRiPt:alert(1)', null],
        [' javascript:alert(1)', null],
        ['data:text/html,<script>alert(1)</script>', null],
        ['vbscript:x', null],
        ['//evil.example/x', null],
        ['/relative', null],
        ['https://user:pass@app.circleci.com/', null],
        ['', null],
        [null, null],
        [42, null],
        ['https://', null],
    ];
    for (const [url, want] of cases) assert.equal(M.safeHref(url), want, String(url));
});

test('wallView: hide green, cap, counts', () => {
    const tiles = [];
    for (let i = 0; i < 5; i++) tiles.push(tile({ key: 'f' + i, state: 'failed', seq: 100 + i }));
    for (let i = 0; i < 4; i++) tiles.push(tile({ key: 'g' + i, state: 'success', verdict: 'passed', seq: i }));
    const base = { project: '', branch: '', workflow: '', maxTiles: 24 };

    let v = M.wallView(tiles, { ...base, showGreen: false });
    assert.deepEqual(v.shown.map((t) => t.key), ['f4', 'f3', 'f2', 'f1', 'f0']);
    assert.equal(v.hiddenGreen, 4);
    assert.equal(v.notShown, 0);
    assert.equal(v.allGreen, false);

    v = M.wallView(tiles, { ...base, showGreen: true, maxTiles: 6 });
    assert.equal(v.shown.length, 6);
    assert.equal(v.notShown, 3);
    assert.deepEqual(v.notShownCounts, { total: 3, failing: 0, running: 0, green: 3, canceled: 0, unknown: 0 });

    v = M.wallView(tiles, { ...base, showGreen: false, maxTiles: 2 });
    assert.equal(v.notShown, 3);
    assert.equal(v.notShownCounts.failing, 3);

    v = M.wallView(tiles.filter((t) => t.state === 'success'), { ...base, showGreen: false });
    assert.equal(v.allGreen, true);
    assert.equal(v.shown.length, 0);
    assert.equal(v.counts.total, 4);

    v = M.wallView([], { ...base, showGreen: false });
    assert.equal(v.allGreen, false);

    v = M.wallView(tiles, { ...base, project: 'nothing', showGreen: true });
    assert.equal(v.all.length, 0);
});

test('isNewFailure / newFailures: the sound plays on a fresh break only', () => {
    const failed = (wid, verdict = 'broken') => tile({ key: 'k', state: 'failed', verdict, event: wfEvent({ wid }) });
    const passed = (wid) => tile({ key: 'k', state: 'success', verdict: 'passed', event: wfEvent({ wid, status: 'success' }) });
    const cases = [
        ['first sight of a failure', undefined, failed('a'), true],
        ['green to broken', passed('a'), failed('b'), true],
        ['running (was green) to broken', tile({ key: 'k', ...runningOf('success') }), failed('b'), true],
        ['the same failure again (repeat delivery)', failed('a'), failed('a'), false],
        ['still failing', failed('a'), failed('b', 'still-failing'), false],
        ['fixed', failed('a'), passed('b'), false],
        ['canceled', passed('a'), tile({ key: 'k', state: 'canceled', verdict: 'canceled' }), false],
        ['nothing', failed('a'), undefined, false],
    ];
    for (const [what, prev, next, want] of cases) assert.equal(M.isNewFailure(prev, next), want, what);

    assert.deepEqual(M.newFailures(null, [failed('a')]), [], 'nothing on the first load');
    assert.deepEqual(M.newFailures([passed('a')], [failed('b'), { ...failed('c'), key: 'other' }]), ['k', 'other']);
});

test('applyUpdate: replaces the tile by key and the recent item by workflow id', () => {
    const r = (wid, seq) => ({ seq, verdict: 'broken', event: wfEvent({ wid }), failed_jobs: [] });
    const state = {
        head_seq: 10, last_event_at: ago(100),
        tiles: [tile({ key: 'a', seq: 9 }), tile({ key: 'b', seq: 10 })],
        recent: { items: [r('w2', 10), r('w1', 9)], total: 30, offset: 0, next: 50 },
    };
    const newTile = tile({ key: 'a', seq: 11, state: 'success', verdict: 'fixed' });
    let s = M.applyUpdate(state, { type: 'update', seq: 11, last_event_at: ago(1), tile: newTile, recent: r('w3', 11) });
    assert.equal(s.head_seq, 11);
    assert.equal(s.last_event_at, ago(1));
    assert.equal(s.tiles.length, 2);
    assert.equal(s.tiles.find((t) => t.key === 'a').verdict, 'fixed');
    assert.deepEqual(s.recent.items.map((i) => i.event.workflow.id), ['w3', 'w2', 'w1']);
    assert.equal(s.recent.total, 31);
    assert.equal(state.tiles[0].verdict, 'broken', 'the old state is not modified');

    // A repeated delivery of w1 (N+1 cancel): replaced, moved to the top, total unchanged.
    s = M.applyUpdate(s, { type: 'update', seq: 12, last_event_at: ago(0), tile: tile({ key: 'c', seq: 12 }), recent: r('w1', 12) });
    assert.deepEqual(s.recent.items.map((i) => i.event.workflow.id), ['w1', 'w3', 'w2']);
    assert.equal(s.recent.total, 31);
    assert.equal(s.tiles.length, 3);

    // A late delivery of a workflow that finished earlier goes to its place, not the top.
    const late = { seq: 14, verdict: 'passed', event: wfEvent({ wid: 'w0', status: 'success', stopped: ago(3600) }), failed_jobs: [] };
    let t = M.applyUpdate(s, { type: 'update', seq: 14, last_event_at: ago(0), tile: null, recent: late });
    assert.deepEqual(t.recent.items.map((i) => i.event.workflow.id), ['w1', 'w3', 'w2', 'w0']);
    const newest = { seq: 15, verdict: 'passed', event: wfEvent({ wid: 'w9', status: 'success', stopped: ago(1) }), failed_jobs: [] };
    t = M.applyUpdate(t, { type: 'update', seq: 15, last_event_at: ago(0), tile: null, recent: newest });
    assert.deepEqual(t.recent.items.map((i) => i.event.workflow.id), ['w9', 'w1', 'w3', 'w2', 'w0']);

    // A job-completed update: a tile, no recent item.
    s = M.applyUpdate(s, { type: 'update', seq: 13, last_event_at: ago(0), tile: tile({ key: 'c', ...runningOf('failed'), seq: 13 }), recent: null });
    assert.equal(s.recent.items.length, 3);
    assert.equal(s.tiles.find((t) => t.key === 'c').state, 'running');
    assert.equal(s.head_seq, 13);
});

test('backoffDelay: 1, 2, 4 … 30 s with jitter', () => {
    const mid = () => 0.5;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 20, 1000].map((a) => M.backoffDelay(a, mid)),
        [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    assert.equal(M.backoffDelay(0, () => 0), 750);
    assert.equal(M.backoffDelay(0, () => 0.999999), 1250);
    assert.equal(M.backoffDelay(3, () => 0), 6000);
    assert.equal(M.backoffDelay(8, () => 0.999999), 30000, 'never past 30 s');
    assert.equal(M.backoffDelay(-5, mid), 1000);
    for (let a = 0; a < 12; a++) {
        const d = M.backoffDelay(a);
        assert.ok(d >= 500 && d <= 30000, String(d));
    }
});

test('liveUrl and recentUrl', () => {
    assert.equal(M.liveUrl({ protocol: 'http:', host: '127.0.0.1:8788' }, 812), 'ws://127.0.0.1:8788/api/live?since=812');
    assert.equal(M.liveUrl({ protocol: 'https:', host: 'relay.example.com' }, 0), 'wss://relay.example.com/api/live?since=0');
    assert.equal(M.recentUrl('api main', 20, 20), '/api/recent?q=api+main&offset=20&limit=20');
    assert.equal(M.recentUrl('a&b=c', 0, 50), '/api/recent?q=a%26b%3Dc&offset=0&limit=50');
});

test('favicon: a fixed SVG per worst state', () => {
    for (const s of ['failed', 'running', 'unknown', 'canceled', 'success', 'none']) {
        const svg = M.faviconSvg(s);
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.ok(M.faviconDataUrl(s).startsWith('data:image/svg+xml,'));
    }
    assert.notEqual(M.faviconSvg('failed'), M.faviconSvg('success'));
    assert.equal(M.faviconSvg('<script>'), M.faviconSvg('none'));
    assert.equal(M.faviconSvg('__proto__'), M.faviconSvg('none'));
});

test('names: projectName, refLabel, tileFailedJobs, recentRow', () => {
    assert.equal(M.projectName(tile({ project: 'gh/acme/api' })), 'api');
    assert.equal(M.projectName(tile({ project: 'circleci/U1/U2', event: wfEvent({ slug: 'circleci/U1/U2', name: 'shop' }) })), 'shop');
    assert.equal(M.projectName(tile({ project: '', event: null })), '');
    assert.equal(M.refLabel('main'), 'main');
    assert.equal(M.refLabel('tag:v1.2'), 'tag v1.2');
    assert.equal(M.refLabel(''), 'no branch');
    assert.deepEqual(M.tileFailedJobs(tile({ failed_jobs: ['test', 'lint'] })), ['test', 'lint']);
    assert.deepEqual(M.tileFailedJobs(tile(runningOf('failed', { failed_jobs: ['e2e'] }))), ['e2e']);

    const row = M.recentRow({ seq: 5, verdict: 'still-failing', failed_jobs: ['test'],
        event: wfEvent({ wid: 'w5', subject: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)', created: '2026-12-01T11:50:00.000Z', stopped: '2026-12-01T11:54:12.000Z' }) }, NOW);
    assert.equal(row.key, 'w5');
    assert.equal(row.state, 'failed');
    assert.equal(row.verdictLabel, 'Still failing');
    assert.equal(row.subject, '<img src=x onerror=alert(1)>');
    assert.equal(row.href, null);
    assert.equal(row.duration, '4m 12s');
    assert.equal(row.relative, '5 min ago');
    assert.equal(row.pipeline, '#7');
    assert.equal(row.ref, 'main');
    const tagRow = M.recentRow({ seq: 6, verdict: 'passed', event: { ...wfEvent({ status: 'success' }), pipeline: { number: 3, branch: null, tag: 'v2' } } }, NOW);
    assert.equal(tagRow.ref, 'tag v2');
    assert.equal(M.recentRow({ seq: 1, event: null }, NOW).state, 'unknown');
});
