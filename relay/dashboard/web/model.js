// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// The dashboard's pure logic: no DOM, no network, no clock of its own (every function that needs
// "now" takes it). Imported by the page (/model.js) and by node's test runner
// (tests/dashboard/model.test.mjs). Shapes are those of docs/dashboard-protocol.md.

export const APP_NAME = 'CircleTray';

/** Tile states of the protocol, with the word shown next to the icon and colour. */
export const STATE_LABELS = Object.freeze({
    failed: 'Failed',
    success: 'Passed',
    canceled: 'Canceled',
    running: 'Running',
    unknown: 'Unknown',
});

/** The core tracker's transitionName()s, worded as the tray app's popups word them. */
export const VERDICT_LABELS = Object.freeze({
    broken: 'Broken',
    'still-failing': 'Still failing',
    fixed: 'Fixed',
    passed: 'Passed',
    canceled: 'Canceled',
    unknown: 'Unknown',
    running: 'Running',
});

/** A status_class (success | failure | canceled | unknown) as a tile state. */
export function stateOfStatusClass(statusClass) {
    switch (statusClass) {
    case 'success': return 'success';
    case 'failure': return 'failed';
    case 'canceled': return 'canceled';
    default: return 'unknown';
    }
}

export function stateLabel(state) {
    return Object.hasOwn(STATE_LABELS, state) ? STATE_LABELS[state] : STATE_LABELS.unknown;
}

export function verdictLabel(verdict) {
    return Object.hasOwn(VERDICT_LABELS, verdict) ? VERDICT_LABELS[verdict] : VERDICT_LABELS.unknown;
}

/** A tile state from the wire, or "unknown" for anything else. */
export function knownState(state) {
    return Object.hasOwn(STATE_LABELS, state) ? state : 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Tiles: what they say and in which order

/** The state of the latest finished result of a tile (what a running tile was before), or null. */
export function previousState(tile) {
    const cls = tile?.event?.workflow?.status_class;
    return cls ? stateOfStatusClass(cls) : null;
}

/**
 * A tile whose branch is broken: failed, or running again after a failure ("failing, rerunning").
 * The wall, the title and the favicon count these as failing until a success arrives.
 */
export function isFailing(tile) {
    if (tile.state === 'failed') return true;
    return tile.state === 'running' && previousState(tile) === 'failed';
}

export function isGreen(tile) {
    return tile.state === 'success';
}

/** Lower sorts first: problems first, green last. */
export function severity(tile) {
    switch (tile.state) {
    case 'failed': return 0;
    case 'running': return isFailing(tile) ? 1 : 3;
    case 'unknown': return 2;
    case 'canceled': return 4;
    case 'success': return 5;
    default: return 2;
    }
}

/** The newest time a tile knows of, in ms since the epoch (0 when none). */
export function tileTime(tile) {
    const candidates = [
        tile.running?.event?.happened_at,
        tile.running?.since,
        tile.event?.workflow?.stopped_at,
        tile.event?.happened_at,
    ];
    let best = 0;
    for (const c of candidates) {
        const t = parseTime(c);
        if (t !== null && t > best) best = t;
    }
    return best;
}

/** Problems first, then the most recently changed, then by name so the order is stable. */
export function compareTiles(a, b) {
    return severity(a) - severity(b)
        || (b.seq ?? 0) - (a.seq ?? 0)
        || String(a.key).localeCompare(String(b.key));
}

export function sortTiles(tiles) {
    return [...tiles].sort(compareTiles);
}

/** The event whose pipeline names the commit a tile is about: the running one if any. */
export function tileCommitEvent(tile) {
    return tile.running?.event ?? tile.event ?? null;
}

/** The project's display name: the slug's last part ("gh/acme/api" → "api"), or project.name. */
export function projectName(tile) {
    const ev = tileCommitEvent(tile);
    const name = ev?.project?.name;
    const slug = String(tile.project ?? ev?.project?.slug ?? '');
    // A GitHub App slug is circleci/<org-uuid>/<project-uuid>: the name says more than the uuid.
    if (name && /^circleci\//.test(slug)) return name;
    const last = slug.split('/').filter(Boolean).pop();
    return last || name || slug;
}

/** The ref as shown: "main", "tag v1.2", or "no branch". */
export function refLabel(ref) {
    if (!ref) return 'no branch';
    if (ref.startsWith('tag:')) return 'tag ' + ref.slice(4);
    return ref;
}

/** "Failed jobs: test, lint" material: the failing jobs to name on a tile. */
export function tileFailedJobs(tile) {
    if (tile.state === 'running') return tile.running?.failed_jobs ?? [];
    return tile.failed_jobs ?? [];
}

// ---------------------------------------------------------------------------------------------
// Time

/** ISO 8601 → ms since the epoch, or null. */
export function parseTime(iso) {
    if (typeof iso !== 'string' || iso === '') return null;
    const t = Date.parse(iso);
    return Number.isFinite(t) ? t : null;
}

function pad2(n) {
    return String(n).padStart(2, '0');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "10:42", in the local time zone; "" for no time. */
export function formatClock(iso) {
    const t = typeof iso === 'number' ? iso : parseTime(iso);
    if (t === null) return '';
    const d = new Date(t);
    return pad2(d.getHours()) + ':' + pad2(d.getMinutes());
}

/** "10:42" today, "3 Dec 10:42" another day (local time). */
export function formatWhen(iso, now) {
    const t = typeof iso === 'number' ? iso : parseTime(iso);
    if (t === null) return '';
    const d = new Date(t);
    const n = new Date(now);
    const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth()
        && d.getDate() === n.getDate();
    if (sameDay) return formatClock(t);
    return d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + formatClock(t);
}

/** The exact time for a hover: "Tue 1 Dec 2026, 10:42:13". */
export function formatExact(iso) {
    const t = typeof iso === 'number' ? iso : parseTime(iso);
    if (t === null) return '';
    const d = new Date(t);
    return WEEKDAYS[d.getDay()] + ' ' + d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear()
        + ', ' + formatClock(t) + ':' + pad2(d.getSeconds());
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; a future time is "just now". */
export function relativeTime(iso, now) {
    const t = typeof iso === 'number' ? iso : parseTime(iso);
    if (t === null) return '';
    const s = Math.floor((now - t) / 1000);
    if (s < 10) return 'just now';
    if (s < 60) return s + ' s ago';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ago';
    const h = Math.floor(m / 60);
    if (h < 24) return h + ' h ago';
    return Math.floor(h / 24) + ' d ago';
}

/** A length of time in ms: "42s", "4m 12s", "1h 3m"; "" when unknown or negative. */
export function formatDuration(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '';
    const total = Math.round(ms / 1000);
    if (total < 60) return total + 's';
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0) return h + 'h ' + m + 'm';
    return m + 'm ' + s + 's';
}

/** A workflow's run time from created_at to stopped_at: "4m 12s", or "". */
export function workflowDuration(workflow) {
    const a = parseTime(workflow?.created_at);
    const b = parseTime(workflow?.stopped_at);
    if (a === null || b === null) return '';
    return formatDuration(b - a);
}

/**
 * "failing for 3 runs, since 10:42" / "failing since 10:42" / "passing for 5 runs, since 3 Dec 09:10";
 * "" when the streak says nothing (no streak, or a canceled or unknown result and no outcome).
 */
export function streakText(tile, now) {
    const runs = tile?.streak?.runs ?? 0;
    const since = formatWhen(tile?.streak?.since, now);
    if (!runs || !since) return '';
    // The relay names the streak's outcome (failed | success); without it, the latest result says.
    const outcome = tile.streak.outcome;
    const latest = outcome === 'failed' || outcome === 'success' ? outcome
        : tile.state === 'running' ? previousState(tile) : tile.state;
    let word;
    if (latest === 'failed') word = 'failing';
    else if (latest === 'success') word = 'passing';
    else return '';
    if (runs === 1) return word + ' since ' + since;
    return word + ' for ' + runs + ' runs, since ' + since;
}

// ---------------------------------------------------------------------------------------------
// Filters (URL globs)

/** A glob ("*" any run of characters, "?" one) as an anchored, case-insensitive RegExp. */
export function globToRegExp(glob) {
    let re = '^';
    for (const ch of String(glob)) {
        if (ch === '*') re += '.*';
        else if (ch === '?') re += '.';
        else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
    return new RegExp(re + '$', 'is');
}

/** "main, release/*,!dependabot/*" → {include: [RegExp…], exclude: [RegExp…]}. */
export function parseGlobList(text) {
    const include = [];
    const exclude = [];
    for (const part of String(text ?? '').split(',')) {
        const p = part.trim();
        if (!p) continue;
        if (p.startsWith('!')) {
            if (p.length > 1) exclude.push(globToRegExp(p.slice(1)));
        } else {
            include.push(globToRegExp(p));
        }
    }
    return { include, exclude };
}

/** Whether any of \a candidates passes a parsed glob list (no include patterns: everything). */
export function globListMatches(list, candidates) {
    const values = candidates.filter((c) => typeof c === 'string');
    if (list.exclude.some((re) => values.some((v) => re.test(v)))) return false;
    if (list.include.length === 0) return true;
    return list.include.some((re) => values.some((v) => re.test(v)));
}

/** The names a project filter is matched against: the slug, its last part and the project name. */
export function projectCandidates(tile) {
    const slug = String(tile.project ?? '');
    const out = [slug];
    const last = slug.split('/').filter(Boolean).pop();
    if (last) out.push(last);
    const name = tileCommitEvent(tile)?.project?.name;
    if (name) out.push(name);
    return out;
}

/** Builds the tile predicate of the URL's project/branch/workflow filters. */
export function makeTileFilter(settings) {
    const projects = parseGlobList(settings.project);
    const branches = parseGlobList(settings.branch);
    const workflows = parseGlobList(settings.workflow);
    return (tile) => globListMatches(projects, projectCandidates(tile))
        && globListMatches(branches, [String(tile.ref ?? '')])
        && globListMatches(workflows, [String(tile.workflow ?? '')]);
}

// ---------------------------------------------------------------------------------------------
// Settings in the URL

export const THEMES = ['auto', 'dark', 'light'];
export const DENSITIES = ['normal', 'compact', 'large'];
export const DEFAULT_MAX_TILES = { normal: 24, compact: 48, large: 12 };

function truthy(v) {
    return v === '' || v === '1' || v === 'true' || v === 'yes' || v === 'on';
}

/**
 * The non-secret settings a wall screen carries in its URL:
 * ?project=api,web*&branch=main,release/*&workflow=build&theme=dark&density=large&green=1&max=20&recent=0
 */
export function parseSettings(search) {
    const p = new URLSearchParams(search ?? '');
    const theme = THEMES.includes(p.get('theme')) ? p.get('theme') : 'auto';
    const density = DENSITIES.includes(p.get('density')) ? p.get('density') : 'normal';
    let maxTiles = DEFAULT_MAX_TILES[density];
    const max = Number.parseInt(p.get('max') ?? '', 10);
    if (Number.isFinite(max) && max >= 1) maxTiles = Math.min(max, 500);
    return {
        project: p.get('project') ?? '',
        branch: p.get('branch') ?? '',
        workflow: p.get('workflow') ?? '',
        theme,
        density,
        showGreen: p.has('green') && truthy(p.get('green')),
        maxTiles,
        showRecent: !(p.has('recent') && !truthy(p.get('recent'))),
    };
}

/** The settings back as a query string, leaving out defaults ("" when all are defaults). */
export function settingsToSearch(settings) {
    const p = new URLSearchParams();
    if (settings.project) p.set('project', settings.project);
    if (settings.branch) p.set('branch', settings.branch);
    if (settings.workflow) p.set('workflow', settings.workflow);
    if (settings.theme && settings.theme !== 'auto') p.set('theme', settings.theme);
    const density = settings.density ?? 'normal';
    if (density !== 'normal') p.set('density', density);
    if (settings.showGreen) p.set('green', '1');
    if (settings.maxTiles && settings.maxTiles !== DEFAULT_MAX_TILES[density]) {
        p.set('max', String(settings.maxTiles));
    }
    if (settings.showRecent === false) p.set('recent', '0');
    const s = p.toString();
    return s ? '?' + s : '';
}

// ---------------------------------------------------------------------------------------------
// Links

/** The URL as an href if it is an absolute https: URL without credentials, else null. */
export function safeHref(url) {
    if (typeof url !== 'string' || url === '') return null;
    let u;
    try {
        u = new URL(url);
    } catch {
        return null;
    }
    if (u.protocol !== 'https:' || u.username || u.password || !u.hostname) return null;
    return u.href;
}

// ---------------------------------------------------------------------------------------------
// What the wall shows

/**
 * The wall: the filtered tiles in order, the ones shown (at most maxTiles, green ones only with
 * showGreen), how many were cut ("+N not shown") and the counts for the summary.
 */
export function wallView(tiles, settings) {
    const filter = makeTileFilter(settings);
    const all = sortTiles(tiles.filter(filter));
    const counts = countStates(all);
    const candidates = settings.showGreen ? all : all.filter((t) => !isGreen(t));
    const max = Math.max(1, settings.maxTiles ?? DEFAULT_MAX_TILES.normal);
    const shown = candidates.slice(0, max);
    const cut = candidates.slice(max);
    return {
        all,
        shown,
        notShown: cut.length,
        notShownCounts: countStates(cut),
        hiddenGreen: settings.showGreen ? 0 : counts.green,
        counts,
        allGreen: all.length > 0 && counts.green === all.length,
    };
}

/** {total, failing, running, green, canceled, unknown}; a rerun of a failure counts as failing. */
export function countStates(tiles) {
    const c = { total: tiles.length, failing: 0, running: 0, green: 0, canceled: 0, unknown: 0 };
    for (const t of tiles) {
        if (isFailing(t)) c.failing++;
        else if (t.state === 'running') c.running++;
        else if (t.state === 'success') c.green++;
        else if (t.state === 'canceled') c.canceled++;
        else c.unknown++;
    }
    return c;
}

/** The worst state among tiles: failed > running > unknown > canceled > success; "none" when empty. */
export function worstState(tiles) {
    const c = countStates(tiles);
    if (c.failing) return 'failed';
    if (c.running) return 'running';
    if (c.unknown) return 'unknown';
    if (c.canceled) return 'canceled';
    if (c.green) return 'success';
    return 'none';
}

/** The tab title: "2 failing · CircleTray", "1 running · CircleTray", "All green · CircleTray". */
export function titleText(tiles) {
    const c = countStates(tiles);
    if (c.failing) return c.failing + ' failing · ' + APP_NAME;
    if (c.running) return c.running + ' running · ' + APP_NAME;
    if (c.unknown) return c.unknown + ' unknown · ' + APP_NAME;
    if (c.total && c.green === c.total) return 'All green · ' + APP_NAME;
    if (c.canceled) return c.canceled + ' canceled · ' + APP_NAME;
    return APP_NAME;
}

/** "All 14 workflows green" (and "1 workflow green"). */
export function allGreenText(count) {
    if (count === 1) return 'The 1 workflow is green';
    return 'All ' + count + ' workflows green';
}

/** "+3 not shown" and, when given, what they are: "+3 not shown (2 failing, 1 canceled)". */
export function notShownText(n, counts) {
    if (!n) return '';
    const parts = [];
    if (counts) {
        if (counts.failing) parts.push(counts.failing + ' failing');
        if (counts.running) parts.push(counts.running + ' running');
        if (counts.unknown) parts.push(counts.unknown + ' unknown');
        if (counts.canceled) parts.push(counts.canceled + ' canceled');
        if (counts.green) parts.push(counts.green + ' green');
    }
    return '+' + n + ' not shown' + (parts.length ? ' (' + parts.join(', ') + ')' : '');
}

export const CONNECTION_LABELS = Object.freeze({
    connecting: 'connecting',
    live: 'live',
    disconnected: 'disconnected',
});

/**
 * The one-line summary for role="status":
 * "2 failing, 1 running, 11 green · last event 3 min ago · live".
 */
export function summaryText(counts, { lastEventAt, now, connection, disconnectedSince }) {
    const parts = [];
    if (counts.total === 0) {
        parts.push('No workflows yet');
    } else if (counts.green === counts.total) {
        parts.push(allGreenText(counts.total));
    } else {
        if (counts.failing) parts.push(counts.failing + ' failing');
        if (counts.running) parts.push(counts.running + ' running');
        if (counts.unknown) parts.push(counts.unknown + ' unknown');
        if (counts.canceled) parts.push(counts.canceled + ' canceled');
        if (counts.green) parts.push(counts.green + ' green');
    }
    let line = parts.join(', ');
    const last = relativeTime(lastEventAt, now);
    line += last ? ' · last event ' + last : ' · no events yet';
    line += ' · ' + connectionText(connection, disconnectedSince);
    return line;
}

export function connectionText(connection, disconnectedSince) {
    if (connection === 'disconnected') {
        const at = formatClock(disconnectedSince);
        return at ? 'disconnected since ' + at : 'disconnected';
    }
    return Object.hasOwn(CONNECTION_LABELS, connection) ? CONNECTION_LABELS[connection] : 'connecting';
}

/** "Disconnected since 10:42 — retrying". */
export function bannerText(disconnectedSince) {
    const at = formatClock(disconnectedSince);
    return (at ? 'Disconnected since ' + at : 'Disconnected') + ' — retrying';
}

// ---------------------------------------------------------------------------------------------
// Favicon

const FAVICON_COLOURS = {
    failed: '#c62828',
    running: '#1565c0',
    unknown: '#6a4c93',
    canceled: '#5f6368',
    success: '#2e7d32',
    none: '#5f6368',
};

// One shape per state, so the tab says it without colour too.
const FAVICON_MARKS = {
    failed: '<path d="M20 20 44 44M44 20 20 44" stroke="#fff" stroke-width="8" stroke-linecap="round"/>',
    running: '<path d="M32 14a18 18 0 1 1-18 18" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/>',
    unknown: '<path d="M24 24a8 8 0 1 1 12 7c-3 2-4 3-4 7" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round"/><circle cx="32" cy="47" r="4" fill="#fff"/>',
    canceled: '<path d="M19 32h26" stroke="#fff" stroke-width="8" stroke-linecap="round"/>',
    success: '<path d="M18 33 28 43 46 22" fill="none" stroke="#fff" stroke-width="8" stroke-linecap="round" stroke-linejoin="round"/>',
    none: '<circle cx="32" cy="32" r="9" fill="#fff"/>',
};

/** The favicon for the worst state, as SVG text (fixed strings only; nothing from events). */
export function faviconSvg(worst) {
    const key = Object.hasOwn(FAVICON_COLOURS, worst) ? worst : 'none';
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        + '<circle cx="32" cy="32" r="30" fill="' + FAVICON_COLOURS[key] + '"/>'
        + FAVICON_MARKS[key] + '</svg>';
}

export function faviconDataUrl(worst) {
    return 'data:image/svg+xml,' + encodeURIComponent(faviconSvg(worst));
}

// ---------------------------------------------------------------------------------------------
// Live updates

/** A tile a sound should announce: a fresh break (verdict "broken") not already failed before. */
export function isNewFailure(prev, next) {
    if (!next || next.state !== 'failed' || next.verdict !== 'broken') return false;
    if (!prev) return true;
    // The same workflow again (a repeated delivery) was announced when it first arrived.
    return prev.event?.workflow?.id !== next.event?.workflow?.id;
}

/** The keys of tiles that newly broke between two tile lists (nothing on the first load). */
export function newFailures(prevTiles, nextTiles) {
    if (!prevTiles) return [];
    const before = new Map(prevTiles.map((t) => [t.key, t]));
    return nextTiles.filter((t) => isNewFailure(before.get(t.key), t)).map((t) => t.key);
}

/** Recent items kept in memory for the unsearched first page (the state brings 50). */
export const RECENT_KEPT = 200;

/** When a recent item's workflow finished (its stop, else the delivery's time); 0 when unknown. */
export function recentFinishedAt(item) {
    return parseTime(item?.event?.workflow?.stopped_at) ?? parseTime(item?.event?.happened_at) ?? 0;
}

/** \a items (newest finish first) with \a item in its place: before every item that finished earlier
 *  or at the same time, as the relay orders them. */
export function insertRecent(items, item) {
    const at = recentFinishedAt(item);
    const i = items.findIndex((r) => recentFinishedAt(r) <= at);
    return i < 0 ? [...items, item] : [...items.slice(0, i), item, ...items.slice(i)];
}

/** The state after an `update` message: the tile replaced by key, the recent item by workflow id. */
export function applyUpdate(state, msg) {
    const tiles = state.tiles.filter((t) => t.key !== msg.tile?.key);
    if (msg.tile) tiles.push(msg.tile);
    let recent = state.recent;
    if (msg.recent) {
        const wid = msg.recent.event?.workflow?.id;
        const items = recent.items.filter((r) => r.event?.workflow?.id !== wid);
        const replaced = items.length !== recent.items.length;
        recent = {
            ...recent,
            items: insertRecent(items, msg.recent).slice(0, RECENT_KEPT),
            total: (recent.total ?? 0) + (replaced ? 0 : 1),
        };
    }
    return {
        ...state,
        head_seq: Math.max(state.head_seq ?? 0, msg.seq ?? 0),
        last_event_at: msg.last_event_at ?? state.last_event_at,
        tiles,
        recent,
    };
}

/** Reconnect delays: 1, 2, 4, 8, 16, 30, 30… s, each ±25 % jitter (random in [0, 1)). In ms. */
export function backoffDelay(attempt, random = Math.random) {
    const base = Math.min(30000, 1000 * 2 ** Math.max(0, Math.min(attempt, 10)));
    const jittered = base * (0.75 + 0.5 * random());
    return Math.round(Math.min(30000, Math.max(500, jittered)));
}

/** The live socket's URL for a page at \a loc (a Location or URL) resuming after \a since. */
export function liveUrl(loc, since) {
    const scheme = loc.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + loc.host + '/api/live?since=' + encodeURIComponent(String(since ?? 0));
}

/** The /api/recent URL for a search page. */
export function recentUrl(q, offset, limit) {
    const p = new URLSearchParams({ q: q ?? '', offset: String(offset ?? 0), limit: String(limit ?? 50) });
    return '/api/recent?' + p.toString();
}

// ---------------------------------------------------------------------------------------------
// Recent results

/** One recent item as the few strings a row shows. */
export function recentRow(item, now) {
    const ev = item.event ?? {};
    const wf = ev.workflow ?? {};
    const pl = ev.pipeline ?? {};
    const state = stateOfStatusClass(wf.status_class);
    const ref = pl.branch ?? (pl.tag ? 'tag:' + pl.tag : '');
    const finished = wf.stopped_at ?? ev.happened_at ?? null;
    return {
        key: String(wf.id ?? ev.id ?? item.seq),
        state,
        stateLabel: stateLabel(state),
        verdict: item.verdict ?? 'unknown',
        verdictLabel: verdictLabel(item.verdict),
        project: projectName({ project: ev.project?.slug, event: ev }),
        ref: refLabel(ref),
        workflow: String(wf.name ?? ''),
        subject: String(pl.commit_subject ?? ''),
        author: String(pl.commit_author_name ?? ''),
        pipeline: pl.number != null ? '#' + pl.number : '',
        duration: workflowDuration(wf),
        finished,
        relative: relativeTime(finished, now),
        exact: formatExact(finished),
        href: safeHref(wf.url),
        failedJobs: item.failed_jobs ?? [],
    };
}
