// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// The build wall: asks /api/state, then follows /api/live (docs/dashboard-protocol.md).
// Untrusted text (commit subjects, branch, author, workflow and project names) only ever reaches
// the DOM as textContent, through el(); the only hrefs are https: workflow URLs.

import * as M from '/model.js';

// ---------------------------------------------------------------------------------------------
// DOM helpers

const ATTRIBUTES = new Set(['id', 'title', 'datetime', 'role', 'type', 'hidden', 'tabindex',
    'lang', 'dir']);

/**
 * Makes an element. \a props: class, text (textContent), href (only an https: URL; opens in a new
 * tab, without opener or referrer), aria-* and data-* attributes, and a few fixed ones (ATTRIBUTES).
 * Anything else throws, so no event handler or style attribute can be set through it.
 */
function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (name === 'class') {
            node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
        } else if (name === 'text') {
            node.textContent = String(value);
        } else if (name === 'href') {
            const href = M.safeHref(value);
            if (!href) continue;
            node.setAttribute('href', href);
            node.setAttribute('target', '_blank');
            node.setAttribute('rel', 'noopener noreferrer');
        } else if (ATTRIBUTES.has(name) || /^aria-[a-z]+$/.test(name) || /^data-[a-z-]+$/.test(name)) {
            node.setAttribute(name, value === true ? '' : String(value));
        } else {
            throw new Error('el(): attribute not allowed: ' + name);
        }
    }
    for (const child of children) {
        if (child === null || child === undefined || child === false) continue;
        node.append(child); // a string is appended as a text node
    }
    return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// A distinct shape per state (never colour alone). Fixed path data; nothing from events.
const ICON_PATHS = {
    failed: ['M6 6l12 12M18 6L6 18'],
    success: ['M4.5 12.5l5 5L19.5 7'],
    canceled: ['M5.6 18.4L18.4 5.6', 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18'],
    running: ['M12 3a9 9 0 1 1-9 9'],
    unknown: ['M9 9a3 3 0 1 1 4.5 2.6c-1 .6-1.5 1.2-1.5 2.4', 'M12 18v.5'],
};

function icon(state) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    const kind = Object.hasOwn(ICON_PATHS, state) ? state : 'unknown';
    svg.setAttribute('class', 'icon icon-' + kind);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    for (const d of ICON_PATHS[kind]) {
        const path = document.createElementNS(SVG_NS, 'path');
        path.setAttribute('d', d);
        svg.append(path);
    }
    return svg;
}

function timeEl(iso, now, cls) {
    if (!iso) return null;
    return el('time', {
        class: ['reltime', cls],
        datetime: iso,
        title: M.formatExact(iso),
        text: M.relativeTime(iso, now),
    });
}

/** Replaces \a node's children without touching \a node itself (so its focus stays). */
function setChildren(node, children) {
    node.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

/**
 * Puts \a elements into \a container in order, moving only what is out of place, and gives focus
 * back to the element that had it if a move took it away (updates never move focus).
 */
function placeInOrder(container, elements) {
    const focused = document.activeElement;
    const keep = new Set(elements);
    for (const child of [...container.children]) {
        if (!keep.has(child)) child.remove();
    }
    let cursor = container.firstElementChild;
    for (const node of elements) {
        if (node === cursor) {
            cursor = cursor.nextElementSibling;
        } else {
            container.insertBefore(node, cursor);
        }
    }
    if (focused && focused !== document.activeElement && focused.isConnected
        && container.contains(focused)) {
        focused.focus({ preventScroll: true });
    }
}

// ---------------------------------------------------------------------------------------------
// State

const settings = M.parseSettings(location.search);

const page = {
    state: null, // the protocol's State
    seq: 0, // the last seq applied: the live socket resumes after it
    connection: 'connecting',
    disconnectedSince: null,
    showGreen: settings.showGreen,
    sound: { enabled: false, ctx: null },
    recent: { q: '', offset: 0, view: null, request: 0 }, // view: a fetched page, or null for live
    tileNodes: new Map(), // key → <li>
};

const RECENT_PAGE = 20;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Rendering: tiles

function renderTile(li, tile, now) {
    const state = M.knownState(tile.state);
    const commitEvent = M.tileCommitEvent(tile);
    const pipeline = commitEvent?.pipeline ?? {};
    const project = M.projectName(tile);
    const ref = M.refLabel(tile.ref);
    const workflow = String(tile.workflow ?? '');
    const failedJobs = M.tileFailedJobs(tile);
    const streak = M.streakText(tile, now);
    const running = tile.state === 'running' ? tile.running : null;
    const href = running ? (running.event?.workflow?.url) : tile.event?.workflow?.url;
    const safe = M.safeHref(href);

    const verdict = tile.verdict && tile.verdict !== tile.state ? M.verdictLabel(tile.verdict) : '';
    let note = '';
    if (running) {
        const prev = M.previousState(tile);
        if (prev === 'failed') note = 'failing, rerunning';
        else if (prev) note = 'last ' + M.stateLabel(prev).toLowerCase();
        const done = running.jobs_done ?? 0;
        note = [note, done === 1 ? '1 job done' : done + ' jobs done'].filter(Boolean).join(' · ');
    }

    const finishedAt = running ? (running.event?.happened_at ?? running.since)
        : (tile.event?.workflow?.stopped_at ?? tile.event?.happened_at);
    const duration = running ? '' : M.workflowDuration(tile.event?.workflow);
    const pipelineNumber = running?.pipeline_number ?? pipeline.number;

    const accessible = [project, ref, workflow].join(' · ') + ': ' + M.stateLabel(state)
        + (verdict && verdict !== M.stateLabel(state) ? ', ' + verdict : '')
        + (streak ? ', ' + streak : '')
        + (failedJobs.length ? ', failed jobs ' + failedJobs.join(', ') : '');

    const body = el(safe ? 'a' : 'div', {
        class: 'tile',
        href: safe,
        'data-state': state,
        'aria-label': accessible + (safe ? ' (opens CircleCI)' : ''),
        role: safe ? null : 'group',
    }, [
        el('div', { class: 'tile-status' }, [
            icon(state),
            el('span', { class: 'state-word', text: M.stateLabel(state) }),
            verdict && verdict !== M.stateLabel(state) ? el('span', { class: 'verdict', text: verdict }) : null,
        ]),
        el('div', { class: 'tile-name' }, [
            el('span', { class: 'project', text: project, title: String(tile.project ?? '') }),
            el('span', { class: 'ref', text: ref }),
            el('span', { class: 'workflow', text: workflow }),
        ]),
        streak ? el('p', { class: 'streak', text: streak }) : null,
        note ? el('p', { class: 'running-note', text: note }) : null,
        failedJobs.length
            ? el('p', { class: 'jobs' }, [el('span', { class: 'jobs-label', text: 'Failed: ' }), failedJobs.join(', ')])
            : null,
        pipeline.commit_subject ? el('p', { class: 'commit', text: pipeline.commit_subject }) : null,
        el('p', { class: 'meta' }, interleave([
            pipeline.commit_author_name ? el('span', { class: 'author', text: pipeline.commit_author_name }) : null,
            pipelineNumber != null ? el('span', { class: 'pipeline', text: '#' + pipelineNumber }) : null,
            duration ? el('span', { class: 'duration', text: duration }) : null,
            timeEl(finishedAt, now, 'finished'),
        ])),
    ]);

    // Keep the <li> and, when the kind of element is the same, the tile element too, so a
    // focused tile keeps its focus across updates.
    const old = li.firstElementChild;
    if (old && old.tagName === body.tagName) {
        for (const name of old.getAttributeNames()) old.removeAttribute(name);
        for (const name of body.getAttributeNames()) old.setAttribute(name, body.getAttribute(name));
        old.replaceChildren(...body.childNodes);
    } else {
        li.replaceChildren(body);
    }
    li.dataset.state = state;
}

function interleave(nodes) {
    const out = [];
    for (const n of nodes) {
        if (!n) continue;
        if (out.length) out.push(el('span', { class: 'sep', 'aria-hidden': 'true', text: ' · ' }));
        out.push(n);
    }
    return out;
}

function renderWall(now) {
    const tiles = page.state?.tiles ?? [];
    const view = M.wallView(tiles, { ...settings, showGreen: page.showGreen });

    const nodes = [];
    const seen = new Set();
    for (const tile of view.shown) {
        let li = page.tileNodes.get(tile.key);
        if (!li) {
            li = el('li', { class: 'tile-item' });
            page.tileNodes.set(tile.key, li);
        }
        renderTile(li, tile, now);
        seen.add(tile.key);
        nodes.push(li);
    }
    for (const key of [...page.tileNodes.keys()]) {
        if (!seen.has(key)) page.tileNodes.delete(key);
    }
    if (view.notShown) {
        nodes.push(el('li', { class: 'tile-item more-item' }, [
            el('div', { class: 'tile more', role: 'note', text: M.notShownText(view.notShown, view.notShownCounts) }),
        ]));
    }
    placeInOrder($('tiles'), nodes);

    const loaded = page.state !== null;
    const allGreen = loaded && view.allGreen && !page.showGreen;
    $('all-green').hidden = !allGreen;
    if (allGreen) {
        $('all-green-text').textContent = M.allGreenText(view.counts.total);
        const last = page.state.last_event_at;
        $('all-green-detail').textContent = (last
            ? 'Last event ' + M.relativeTime(last, now) + ' (' + M.formatWhen(last, now) + ')'
            : 'No events yet') + ' · ' + M.connectionText(page.connection, page.disconnectedSince);
    }
    $('empty').hidden = !(loaded && tiles.length === 0);
    const filtered = $('filtered-empty');
    filtered.hidden = !(loaded && view.all.length === 0 && tiles.length > 0);
    if (!filtered.hidden) {
        filtered.textContent = 'None of the ' + tiles.length + ' workflows matches this page\'s filters ('
            + [settings.project && 'project=' + settings.project, settings.branch && 'branch=' + settings.branch,
                settings.workflow && 'workflow=' + settings.workflow].filter(Boolean).join(', ') + ').';
    }
    const greenNote = $('green-note');
    greenNote.hidden = !(view.hiddenGreen && !allGreen);
    if (!greenNote.hidden) {
        greenNote.textContent = view.hiddenGreen + ' green ' + (view.hiddenGreen === 1 ? 'workflow' : 'workflows')
            + ' hidden · press g to show';
    }

    const summary = M.summaryText(view.counts, {
        lastEventAt: page.state?.last_event_at, now,
        connection: page.connection, disconnectedSince: page.disconnectedSince,
    });
    if ($('summary').textContent !== summary) $('summary').textContent = summary;

    const title = loaded ? M.titleText(view.all) : M.APP_NAME;
    if (document.title !== title) document.title = title;
    const favicon = M.faviconDataUrl(loaded ? M.worstState(view.all) : 'none');
    const link = $('favicon');
    if (link.getAttribute('href') !== favicon) link.setAttribute('href', favicon);
    document.documentElement.dataset.worst = loaded ? M.worstState(view.all) : 'none';
}

// ---------------------------------------------------------------------------------------------
// Rendering: recent results

function renderRecentRow(item, now) {
    const r = M.recentRow(item, now);
    const name = el('span', { class: 'recent-name' }, [
        el('span', { class: 'project', text: r.project }),
        el('span', { class: 'ref', text: r.ref }),
        el('span', { class: 'workflow', text: r.workflow }),
    ]);
    return el('li', { class: 'recent-item', 'data-state': r.state, 'data-key': r.key }, [
        el('span', { class: 'recent-status' }, [
            icon(r.state),
            el('span', { class: 'state-word', text: r.stateLabel }),
        ]),
        el('span', { class: 'verdict', text: r.verdictLabel === r.stateLabel ? '' : r.verdictLabel }),
        r.href ? el('a', { class: 'recent-link', href: r.href, 'aria-label': r.project + ' · ' + r.ref + ' · ' + r.workflow + ': ' + r.stateLabel + ' (opens CircleCI)' }, [name]) : name,
        el('span', { class: 'commit', text: r.subject }),
        el('span', { class: 'meta' }, interleave([
            r.author ? el('span', { class: 'author', text: r.author }) : null,
            r.pipeline ? el('span', { class: 'pipeline', text: r.pipeline }) : null,
            r.duration ? el('span', { class: 'duration', text: r.duration }) : null,
            r.failedJobs.length ? el('span', { class: 'jobs', text: 'failed: ' + r.failedJobs.join(', ') }) : null,
            timeEl(r.finished, now, 'finished'),
        ])),
    ]);
}

function renderRecent(now) {
    $('recent').hidden = !settings.showRecent;
    if (!settings.showRecent || !page.state) return;
    const live = page.recent.view === null;
    const data = live
        ? { items: page.state.recent.items.slice(0, RECENT_PAGE), total: page.state.recent.total ?? 0, offset: 0 }
        : page.recent.view;
    const list = $('recent-list');
    const focusedKey = list.contains(document.activeElement)
        ? document.activeElement.closest('[data-key]')?.dataset.key : null;
    list.replaceChildren(...data.items.map((item) => renderRecentRow(item, now)));
    if (focusedKey) {
        for (const li of list.children) {
            if (li.dataset.key === focusedKey) li.querySelector('a')?.focus({ preventScroll: true });
        }
    }
    $('recent-empty').hidden = data.items.length > 0;
    const from = data.items.length ? data.offset + 1 : 0;
    const to = data.offset + data.items.length;
    $('page-info').textContent = data.items.length ? from + '–' + to + ' of ' + data.total : '';
    $('page-prev').disabled = data.offset === 0;
    $('page-next').disabled = to >= data.total;
}

function render() {
    const now = Date.now();
    renderWall(now);
    renderRecent(now);
    renderBanner();
}

function renderBanner() {
    const banner = $('banner');
    const down = page.connection === 'disconnected';
    banner.hidden = !down;
    if (down) banner.textContent = M.bannerText(page.disconnectedSince);
}

// ---------------------------------------------------------------------------------------------
// Recent results: search and pages

let searchTimer = 0;

async function loadRecentPage(q, offset) {
    const request = ++page.recent.request;
    page.recent.q = q;
    page.recent.offset = offset;
    if (q === '' && offset === 0) {
        page.recent.view = null;
        renderRecent(Date.now());
        return;
    }
    try {
        const res = await fetch(M.recentUrl(q, offset, RECENT_PAGE), { credentials: 'same-origin', cache: 'no-store' });
        if (res.status === 401) return signedOut();
        if (!res.ok) throw new Error('HTTP ' + res.status);
        const data = await res.json();
        if (request !== page.recent.request) return; // a newer search overtook this one
        page.recent.view = { items: data.items ?? [], total: data.total ?? 0, offset: data.offset ?? offset };
        renderRecent(Date.now());
    } catch (e) {
        if (request === page.recent.request) {
            $('recent-empty').hidden = false;
            $('recent-empty').textContent = 'Could not load results (' + e.message + ').';
        }
    }
}

function refreshRecentSoon() {
    if (page.recent.view === null) return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => loadRecentPage(page.recent.q, page.recent.offset), 500);
}

// ---------------------------------------------------------------------------------------------
// Sound: a short falling two-tone beep on a new failure, opt in (browsers want a gesture first)

function setSound(enabled) {
    page.sound.enabled = enabled;
    if (enabled && !page.sound.ctx && window.AudioContext) page.sound.ctx = new AudioContext();
    if (enabled) page.sound.ctx?.resume();
    const button = $('toggle-sound');
    button.setAttribute('aria-pressed', String(enabled));
    button.textContent = enabled ? 'Sound on' : 'Sound off';
}

function beep() {
    const ctx = page.sound.ctx;
    if (!page.sound.enabled || !ctx) return;
    const t0 = ctx.currentTime + 0.02;
    [[660, 0], [440, 0.22]].forEach(([freq, at]) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'triangle';
        osc.frequency.setValueAtTime(freq, t0 + at);
        gain.gain.setValueAtTime(0.0001, t0 + at);
        gain.gain.exponentialRampToValueAtTime(0.25, t0 + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0 + at);
        osc.stop(t0 + at + 0.22);
    });
}

function announceNewFailures(prevTiles, nextTiles) {
    const filter = M.makeTileFilter(settings);
    const fresh = M.newFailures(prevTiles?.filter(filter) ?? null, nextTiles.filter(filter));
    if (fresh.length) beep();
}

// ---------------------------------------------------------------------------------------------
// Network: state, live socket, reconnects

let socket = null;
let attempt = 0;
let retryTimer = 0;

// Set when this page's own Sign out is submitted: the relay then also closes this page's live socket
// (4001), and following that to /login would abort the form's own navigation there.
let signingOut = false;

function signedOut() {
    if (signingOut) return;
    location.replace('/login');
}

function applyState(state) {
    const prev = page.state?.tiles ?? null;
    page.state = {
        ...state,
        tiles: state.tiles ?? [],
        recent: state.recent ?? { items: [], total: 0, offset: 0, next: null },
    };
    page.seq = state.head_seq ?? 0;
    announceNewFailures(prev, page.state.tiles);
    render();
    refreshRecentSoon();
}

function applyUpdate(msg) {
    if (!page.state) return;
    if (typeof msg.seq === 'number' && msg.seq <= page.seq) return; // already applied
    const prev = page.state.tiles;
    page.state = M.applyUpdate(page.state, msg);
    page.seq = page.state.head_seq;
    announceNewFailures(prev, page.state.tiles);
    render();
    refreshRecentSoon();
}

async function fetchState() {
    const res = await fetch('/api/state', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401) {
        signedOut();
        return null;
    }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
}

function setDisconnected() {
    if (page.connection !== 'disconnected') {
        page.connection = 'disconnected';
        page.disconnectedSince = new Date().toISOString();
    }
    render();
}

function scheduleReconnect(probe) {
    clearTimeout(retryTimer);
    const delay = M.backoffDelay(attempt++);
    retryTimer = setTimeout(() => (probe ? probeThenConnect() : connect()), delay);
}

/**
 * After a socket that never opened: ask /api/state, which tells a signed-out session (401) from a
 * relay that is down (no answer), and brings what was missed.
 */
async function probeThenConnect() {
    let state;
    try {
        state = await fetchState();
    } catch {
        setDisconnected();
        scheduleReconnect(true);
        return;
    }
    if (!state) return; // signed out
    applyState(state);
    connect();
}

function connect() {
    clearTimeout(retryTimer);
    let opened = false;
    let ws;
    try {
        ws = new WebSocket(M.liveUrl(location, page.seq));
    } catch {
        setDisconnected();
        scheduleReconnect(true);
        return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
        opened = true;
    });
    ws.addEventListener('message', (ev) => {
        if (ws !== socket) return;
        let msg;
        try {
            msg = JSON.parse(ev.data);
        } catch {
            return;
        }
        if (msg.type === 'state') {
            applyState(msg);
        } else if (msg.type === 'update') {
            applyUpdate(msg);
        } else if (msg.type !== 'hello') {
            return;
        }
        if (page.connection !== 'live') {
            attempt = 0;
            page.connection = 'live';
            page.disconnectedSince = null;
            render();
        }
    });
    ws.addEventListener('close', (ev) => {
        if (ws !== socket) return;
        socket = null;
        if (signingOut) return; // leaving for /login through the form
        if (ev.code === 4001) {
            signedOut();
            return;
        }
        setDisconnected();
        scheduleReconnect(!opened);
    });
}

document.querySelector('form.signout')?.addEventListener('submit', () => {
    signingOut = true;
});

async function start() {
    try {
        const state = await fetchState();
        if (!state) return;
        page.connection = 'connecting';
        applyState(state);
        connect();
    } catch {
        setDisconnected();
        scheduleReconnect(true);
    }
}

// ---------------------------------------------------------------------------------------------
// Controls and keys

function setShowGreen(on) {
    page.showGreen = on;
    const button = $('toggle-green');
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Hide green' : 'Show green';
    renderWall(Date.now());
}

function toggleFullscreen() {
    if (document.fullscreenElement) document.exitFullscreen?.();
    else document.documentElement.requestFullscreen?.().catch(() => {});
}

function toggleHelp() {
    const help = $('help');
    if (help.open) help.close();
    else help.showModal();
}

function setupControls() {
    const root = document.documentElement;
    if (settings.theme !== 'auto') root.dataset.theme = settings.theme;
    root.dataset.density = settings.density;

    $('toggle-green').addEventListener('click', () => setShowGreen(!page.showGreen));
    $('toggle-sound').addEventListener('click', () => setSound(!page.sound.enabled));
    $('toggle-fullscreen').addEventListener('click', toggleFullscreen);
    $('show-help').addEventListener('click', toggleHelp);
    $('search').addEventListener('input', (e) => {
        clearTimeout(searchTimer);
        const q = e.target.value.trim();
        searchTimer = setTimeout(() => loadRecentPage(q, 0), 200);
    });
    $('page-prev').addEventListener('click', () =>
        loadRecentPage(page.recent.q, Math.max(0, page.recent.offset - RECENT_PAGE)));
    $('page-next').addEventListener('click', () =>
        loadRecentPage(page.recent.q, page.recent.offset + RECENT_PAGE));

    document.addEventListener('keydown', (e) => {
        if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
        const t = e.target;
        if (t instanceof HTMLElement && (t.isContentEditable || t.closest('input, textarea, select'))) return;
        if ($('help').open && e.key !== '?') return;
        switch (e.key) {
        case 'f':
            toggleFullscreen();
            break;
        case 'g':
            setShowGreen(!page.showGreen);
            break;
        case ' ':
            if (t instanceof HTMLElement && t.closest('button, a')) return; // the focused control's own key
            setSound(!page.sound.enabled);
            break;
        case '?':
            toggleHelp();
            break;
        case '/':
            $('search').focus();
            break;
        default:
            return;
        }
        e.preventDefault();
    });

    // Relative times move on without asking the relay anything.
    setInterval(() => render(), 30000);
}

setupControls();
setShowGreen(page.showGreen);
start();
