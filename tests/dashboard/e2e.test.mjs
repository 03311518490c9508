// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
// circletray-relay: sign-in, live tiles from signed webhooks, Broken → Fixed, hostile text,
// reconnect after a relay restart, sign-out on token revocation, no script error or CSP
// violation, and light/dark screenshots ($CT_SCREENSHOT_DIR).
//
//   node --test tests/dashboard/            (CT_RELAY_PATH=…/circletray-relay, CT_CHROMIUM=…)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Relay, CHROMIUM_ARGS, chromiumPath, missingPrerequisite, workflowCompleted, jobCompleted } from './relay.mjs';

const missing = missingPrerequisite();

if (missing) {
    // Not a skip: a build that cannot run these tests must say so.
    test('dashboard browser tests', () => {
        assert.fail(missing);
    });
} else {
    defineTests();
}

function defineTests() {
    let chromium;
    let browser;
    let relay;
    let token;
    let kioskToken;
    let context; // signed in
    const problems = []; // page errors and CSP violations, on every page
    const consoleErrors = []; // console errors on pages that expect none

    /** Watches a page: errors, CSP violations, dialogs; \a strict pages must log no console error. */
    async function watch(page, { strict = true, allow = [] } = {}) {
        page.on('pageerror', (e) => problems.push('pageerror on ' + page.url() + ': ' + e.message));
        page.on('dialog', (d) => {
            problems.push('a dialog opened: ' + d.type() + ' ' + d.message());
            d.dismiss().catch(() => {});
        });
        page.on('console', (m) => {
            if (m.type() !== 'error') return;
            const text = m.text();
            if (/Content.Security.Policy|Refused to/i.test(text)) problems.push('CSP: ' + text);
            else if (strict && !allow.some((re) => re.test(text))) consoleErrors.push(page.url() + ': ' + text);
        });
        await page.exposeFunction('__ctCspViolation', (what) => problems.push('CSP violation: ' + what)).catch(() => {});
        await page.addInitScript(() => {
            document.addEventListener('securitypolicyviolation', (e) => {
                window.__ctCspViolation?.(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
            });
        });
        return page;
    }

    async function signedInPage(url = '/', options) {
        const page = await watch(await context.newPage(), options);
        await page.goto(relay.origin + url);
        await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });
        return page;
    }

    function tile(page, text) {
        return page.locator('.tile', { hasText: text });
    }

    async function deliver(event) {
        assert.equal(await relay.deliver(event), 200, 'the relay stores the webhook');
    }

    before(async () => {
        ({ chromium } = await import('playwright-core'));
        relay = new Relay();
        token = await relay.addToken('wallboard');
        kioskToken = await relay.addToken('kiosk');
        await relay.start();
        browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    });

    after(async () => {
        await browser?.close().catch(() => {});
        await relay?.dispose();
    });

    test('a wrong token is refused with a message; a good one signs in (303 to /)', async () => {
        const fresh = await browser.newContext();
        // The refused attempt is a 401 document, which Chromium logs as a failed load.
        const page = await watch(await fresh.newPage(), { allow: [/status of 401/] });
        const login = await page.goto(relay.origin + '/login');
        assert.match(login.headers()['content-security-policy'] ?? '', /script-src 'self'; style-src 'self'/,
            'the page is tested under the relay\'s CSP');
        await page.fill('#token', 'ctr_not-a-real-token');
        let [res] = await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
            page.click('button[type=submit]'),
        ]);
        assert.equal(res.status(), 401);
        await page.locator('p.message[role=alert]').waitFor();
        assert.match(await page.locator('p.message').textContent(), /not valid/i);
        assert.equal(await page.locator('#token').count(), 1, 'the form is there again');

        await page.fill('#token', token);
        [res] = await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
            page.click('button[type=submit]'),
        ]);
        assert.equal(res.status(), 303);
        await page.waitForURL(relay.origin + '/');
        await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });
        assert.match(await page.locator('#summary').textContent(), /No workflows yet/);
        assert.equal(await page.title(), 'CircleTray');

        // Keep this sign-in for the other tests.
        context = fresh;
        await page.close();
    });

    test('a webhook POSTed while the page is open shows as a tile within a second; the title says it', async () => {
        const page = await signedInPage('/');
        const wid = 'aaaaaaaa-0000-4000-8000-000000000001';
        const started = Date.now();
        await deliver(workflowCompleted({ project: 'gh/acme/api', branch: 'main', workflow: 'build', status: 'failed',
            subject: 'Retry the payment webhook on 502', author: 'Priya Raman', number: 41, workflowId: wid, duration: 252 }));
        const t = tile(page, 'Retry the payment webhook on 502');
        await t.waitFor({ timeout: 1000 });
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 1000, `the tile appeared after ${elapsed} ms`);
        await page.waitForFunction(() => document.title === '1 failing · CircleTray', null, { timeout: 1000 });

        assert.equal(await t.getAttribute('data-state'), 'failed');
        const text = await t.textContent();
        for (const want of ['Failed', 'Broken', 'api', 'main', 'build', 'Priya Raman', '#41', '4m 12s', 'failing since']) {
            assert.ok(text.includes(want), `the tile says ${want}: ${text}`);
        }
        assert.equal(await t.getAttribute('href'), `https://app.circleci.com/pipelines/github/acme/api/41/workflows/${wid}`);
        assert.equal(await t.getAttribute('target'), '_blank');
        assert.equal(await t.getAttribute('rel'), 'noopener noreferrer');
        assert.match(await t.getAttribute('aria-label'), /^api · main · build: Failed, Broken/);
        assert.match(await t.locator('time').getAttribute('title'), /\d\d:\d\d:\d\d$/, 'the exact time on hover');
        assert.match(await page.locator('#summary').textContent(), /^1 failing · last event just now · live$/);
        assert.match(await page.locator('#favicon').getAttribute('href'), /^data:image\/svg\+xml,/);
        await page.locator('#recent-list .recent-item', { hasText: 'Retry the payment webhook on 502' }).waitFor({ timeout: 1000 });
        await page.close();
    });

    test('running from job results, failing jobs named, then Broken → Still failing → Fixed as the tray app says', async () => {
        const page = await signedInPage('/');
        await page.evaluate(() => {
            window.__ctTones = 0;
            const create = AudioContext.prototype.createOscillator;
            AudioContext.prototype.createOscillator = function () {
                window.__ctTones++;
                return create.call(this);
            };
        });
        await page.click('#toggle-sound'); // the sound is opt-in, after a click
        assert.equal(await page.locator('#toggle-sound').getAttribute('aria-pressed'), 'true');
        const tones = () => page.evaluate(() => window.__ctTones);
        const key = { project: 'gh/acme/web', branch: 'main', workflow: 'deploy' };

        await deliver(workflowCompleted({ ...key, status: 'success', subject: 'Ship the new header', number: 10, finishedAgo: 600 }));
        assert.equal(await tile(page, 'Ship the new header').count(), 0, 'green tiles are hidden by default');

        // A job fails in the next workflow, which has no result yet: "running", with the failed job.
        const wid = 'bbbbbbbb-0000-4000-8000-000000000002';
        await deliver(jobCompleted({ ...key, workflowId: wid, job: 'e2e', status: 'failed', subject: 'Bump the router', number: 11 }));
        let t = tile(page, 'Bump the router');
        await t.waitFor({ timeout: 1000 });
        assert.equal(await t.getAttribute('data-state'), 'running');
        assert.match(await t.textContent(), /Running/);
        assert.match(await t.textContent(), /Failed: e2e/);

        await deliver(workflowCompleted({ ...key, status: 'failed', workflowId: wid, subject: 'Bump the router', number: 11 }));
        await page.waitForFunction(() => [...document.querySelectorAll('.tile[data-state=failed]')]
            .some((e) => e.textContent.includes('Bump the router')), null, { timeout: 1000 });
        t = tile(page, 'Bump the router');
        assert.match(await t.textContent(), /Broken/);
        assert.match(await t.textContent(), /Failed: e2e/);
        await page.waitForFunction(() => document.title === '2 failing · CircleTray', null, { timeout: 1000 });
        assert.ok(await tones() > 0, 'a new failure sounds');
        const afterBreak = await tones();

        await deliver(workflowCompleted({ ...key, status: 'failed', subject: 'Try the router again', number: 12 }));
        t = tile(page, 'Try the router again');
        await t.waitFor({ timeout: 1000 });
        assert.match(await t.textContent(), /Still failing/);
        assert.match(await t.textContent(), /failing for 2 runs, since \d\d:\d\d/);
        assert.equal(await tones(), afterBreak, 'still failing is not a new failure');

        await deliver(workflowCompleted({ ...key, status: 'success', subject: 'Pin the router', number: 13 }));
        await tile(page, 'Try the router again').waitFor({ state: 'detached', timeout: 1000 });
        assert.equal(await tile(page, 'Pin the router').count(), 0, 'fixed is green: hidden');
        await page.waitForFunction(() => document.title === '1 failing · CircleTray', null, { timeout: 1000 });
        assert.match(await page.locator('#green-note').textContent(), /1 green workflow hidden/);

        await page.keyboard.press('g'); // show green
        t = tile(page, 'Pin the router');
        await t.waitFor({ timeout: 1000 });
        assert.equal(await t.getAttribute('data-state'), 'success');
        assert.match(await t.textContent(), /Passed/);
        assert.match(await t.textContent(), /Fixed/);
        assert.equal(await page.locator('#toggle-green').getAttribute('aria-pressed'), 'true');
        await page.evaluate(() => document.activeElement?.blur());
        await page.keyboard.press(' '); // the mute key
        assert.equal(await page.locator('#toggle-sound').getAttribute('aria-pressed'), 'false');
        await deliver(workflowCompleted({ ...key, status: 'failed', subject: 'Drop the legacy CDN rewrite', number: 14 }));
        await tile(page, 'Drop the legacy CDN rewrite').waitFor({ timeout: 1000 });
        assert.equal(await tones(), afterBreak, 'muted');
        await page.close();
    });

    test('light and dark screenshots of a realistic wall', async () => {
        // A wall: a long failure, a fresh break, a rerun of a failure, a running green, canceled,
        // a tag build, a fix and some passes.
        const failing = { project: 'gh/acme/billing', branch: 'main', workflow: 'build-and-test' };
        await deliver(workflowCompleted({ ...failing, status: 'success', subject: 'Invoice PDF: embed the fonts', author: 'Lee Chen', number: 700, finishedAgo: 7200 }));
        for (const [i, ago] of [[701, 3000], [702, 1800], [703, 240]].entries()) {
            await deliver(workflowCompleted({ ...failing, status: 'failed', subject: ['Round tax per line', 'Round tax per invoice', 'Revert the rounding change'][i], author: 'Ana Lima', number: ago[0], finishedAgo: ago[1], duration: 400 + i * 13 }));
        }
        const rerun = { project: 'gh/acme/infra', branch: 'main', workflow: 'plan' };
        await deliver(workflowCompleted({ ...rerun, status: 'failed', subject: 'Terraform: widen the NAT gateway', author: 'Jo Park', number: 5011, finishedAgo: 900, duration: 95 }));
        await deliver(jobCompleted({ ...rerun, workflowId: 'cccccccc-0000-4000-8000-000000000003', job: 'fmt', status: 'success', subject: 'Terraform: fix the NAT CIDR', author: 'Jo Park', number: 5012, finishedAgo: 30 }));
        await deliver(jobCompleted({ project: 'gh/acme/search', branch: 'feature/synonyms', workflow: 'build', workflowId: 'dddddddd-0000-4000-8000-000000000004', job: 'unit', status: 'success', subject: 'Synonym lists per locale', author: 'Tom O\'Neil', number: 88, finishedAgo: 15 }));
        await deliver(workflowCompleted({ project: 'gh/acme/api', branch: 'main', workflow: 'nightly', status: 'canceled', subject: 'Nightly schedule', author: 'scheduler', number: 39, finishedAgo: 5400, duration: 60 }));
        await deliver(workflowCompleted({ project: 'gh/acme/docs', tag: 'v2.0.0', workflow: 'publish', status: 'success', subject: 'Release notes for 2.0', author: 'Sam Dev', number: 12, finishedAgo: 1500, duration: 48 }));
        await deliver(workflowCompleted({ project: 'gh/acme/api', branch: 'feature/rate-limits', workflow: 'build', status: 'success', subject: 'Token bucket per API key', author: 'Priya Raman', number: 44, finishedAgo: 3300, duration: 260 }));

        const dir = process.env.CT_SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'ct-dashboard-shots-'));
        fs.mkdirSync(dir, { recursive: true });
        for (const scheme of ['light', 'dark']) {
            const page = await watch(await context.newPage());
            await page.setViewportSize({ width: 1400, height: 1000 });
            await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
            await page.goto(relay.origin + '/?green=1');
            await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });
            await tile(page, 'Release notes for 2.0').waitFor();
            assert.ok(await page.locator('.tile[data-state=running]').count() >= 2, 'running tiles');
            assert.ok(await page.locator('.tile[data-state=canceled]').count() >= 1, 'a canceled tile');
            assert.match(await tile(page, 'Revert the rounding change').textContent(), /failing for 3 runs/);
            assert.match(await tile(page, 'Terraform: fix the NAT CIDR').textContent(), /failing, rerunning/);
            const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            const file = path.join(dir, `dashboard-${scheme}.png`);
            await page.screenshot({ path: file, fullPage: true });
            assert.ok(fs.statSync(file).size > 10000, file);
            await page.close();
            if (scheme === 'dark') assert.notEqual(bg, 'rgb(243, 244, 246)', 'the dark theme is dark');
        }
    });

    test('a hostile commit subject shows as text and runs nothing', async () => {
        const page = await signedInPage('/');
        const subject = '<img src=x onerror=alert(1)>';
        await deliver(workflowCompleted({ project: 'gh/acme/mobile', branch: '<b>release</b>', workflow: 'build',
            status: 'failed', subject, author: '<script>alert(2)</script>', number: 320 }));
        const t = tile(page, subject);
        await t.waitFor({ timeout: 1000 });
        assert.ok((await t.textContent()).includes('<script>alert(2)</script>'));
        assert.ok((await t.textContent()).includes('<b>release</b>'));
        await page.locator('#recent-list .recent-item', { hasText: subject }).waitFor({ timeout: 1000 });
        assert.equal(await page.locator('img[src="x"]').count(), 0);
        assert.equal(await page.locator('main script, main b').count(), 0);
        await page.waitForTimeout(200);
        assert.deepEqual(problems, [], 'no dialog, no page error');

        // Search as you type finds it through /api/recent, still as text.
        await page.fill('#search', 'onerror');
        await page.locator('#recent-list .recent-item').first().waitFor();
        await page.waitForFunction(() => document.querySelectorAll('#recent-list .recent-item').length === 1, null, { timeout: 2000 });
        assert.ok((await page.locator('#recent-list').textContent()).includes(subject));
        assert.equal(await page.locator('img[src="x"]').count(), 0);
        await page.close();
    });

    test('all green: "All N workflows green", the last event and the connection', async () => {
        const page = await signedInPage('/?project=docs,billing&branch=tag:*');
        await page.locator('#all-green').waitFor({ timeout: 1000 });
        assert.equal(await page.locator('#all-green-text').textContent(), 'The 1 workflow is green');
        assert.match(await page.locator('#all-green-detail').textContent(), /^Last event .* · live$/);
        assert.equal(await page.title(), 'All green · CircleTray');
        await page.close();
    });

    test('wall settings in the URL; updates never move focus; keys', async () => {
        const page = await signedInPage('/?theme=dark&density=compact&max=2');
        await page.emulateMedia({ colorScheme: 'light' });
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
        assert.equal(await page.evaluate(() => document.documentElement.dataset.density), 'compact');
        assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(243, 244, 246)',
            'theme=dark beats a light system theme');
        assert.match(await page.locator('.tile.more').textContent(), /^\+\d+ not shown \(\d+ failing/);
        assert.equal(await page.locator('a.tile').count(), 2);

        const first = page.locator('a.tile').first();
        await first.focus();
        const label = await first.getAttribute('aria-label');
        await deliver(workflowCompleted({ project: 'gh/acme/payments', branch: 'main', workflow: 'build', status: 'failed', subject: 'Focus stays put', number: 5 }));
        await tile(page, 'Focus stays put').waitFor({ timeout: 1000 });
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), label,
            'the focused tile keeps its focus');

        await page.keyboard.press('?');
        assert.equal(await page.locator('#help').evaluate((d) => d.open), true);
        await page.keyboard.press('Escape');
        assert.equal(await page.locator('#help').evaluate((d) => d.open), false);
        await page.close();
    });

    test('relative times move on every 30 s without asking the relay', async () => {
        const page = await watch(await context.newPage());
        await page.clock.install();
        await page.goto(relay.origin + '/');
        await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });
        const times = () => page.locator('.tile time').allTextContents();
        const before = await times();
        let requests = 0;
        page.on('request', () => requests++);
        await page.clock.fastForward('10:00');
        await page.waitForFunction((b) => [...document.querySelectorAll('.tile time')].map((e) => e.textContent).join() !== b,
            before.join(), { timeout: 2000 });
        assert.ok((await times()).some((t) => /min ago$/.test(t)), (await times()).join());
        assert.equal(requests, 0, 'no request for the refresh');
        await page.close();
    });

    test('the page reconnects after a relay restart and fills in what it missed', async () => {
        const page = await signedInPage('/', {
            strict: true,
            // While the relay is down the browser logs its refused connections; nothing else.
            allow: [/WebSocket connection to .* failed/, /Failed to load resource: net::ERR_CONNECTION_(REFUSED|RESET)/,
                /ERR_CONNECTION_REFUSED/],
        });
        await relay.stop('SIGKILL');
        await page.locator('#banner').waitFor({ state: 'visible', timeout: 3000 });
        assert.match(await page.locator('#banner').textContent(), /^Disconnected since \d\d:\d\d — retrying$/);
        assert.match(await page.locator('#summary').textContent(), /disconnected since \d\d:\d\d$/);

        await relay.start(); // the same port and data directory
        // Delivered before the page is back: it learns of it from the state message.
        await deliver(workflowCompleted({ project: 'gh/acme/queue', branch: 'main', workflow: 'build', status: 'failed', subject: 'Missed while away', number: 3 }));
        await page.locator('#banner').waitFor({ state: 'hidden', timeout: 15000 });
        await tile(page, 'Missed while away').waitFor({ timeout: 2000 });
        await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 1000 });

        await deliver(workflowCompleted({ project: 'gh/acme/queue', branch: 'main', workflow: 'build', status: 'failed', subject: 'Live again', number: 4 }));
        await tile(page, 'Live again').waitFor({ timeout: 1000 });
        await page.close();
    });

    test('no page error, console error or CSP violation on any page', () => {
        assert.deepEqual(problems, []);
        assert.deepEqual(consoleErrors, []);
    });

    test('revoking the token signs its page out (to /login within 5 s)', async () => {
        const page = await signedInPage('/');
        await relay.revokeToken('wallboard');
        await page.waitForURL(relay.origin + '/login', { timeout: 6000 });
        await page.locator('#token').waitFor();
        // And the old session cookie no longer reads the state.
        const res = await page.request.get(relay.origin + '/api/state');
        assert.equal(res.status(), 401);
        assert.deepEqual(problems, []);
        await page.close();
    });

    test('Sign out ends the session: that page and its other pages land on /login', async () => {
        const kiosk = await browser.newContext();
        const page = await watch(await kiosk.newPage());
        await page.goto(relay.origin + '/login');
        await page.fill('#token', kioskToken);
        await Promise.all([page.waitForURL(relay.origin + '/'), page.click('button[type=submit]')]);
        await page.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });
        const other = await watch(await kiosk.newPage());
        await other.goto(relay.origin + '/');
        await other.locator('#summary').filter({ hasText: / live$/ }).waitFor({ timeout: 5000 });

        // The form's POST /logout answers 303 to /login: waiting for that page, not for the
        // response event (under a loaded sanitizer run the redirect's event was once not seen).
        await Promise.all([
            page.waitForURL(relay.origin + '/login', { timeout: 15000 }),
            page.locator('form[action="/logout"] button').click(),
        ]);
        assert.deepEqual((await kiosk.cookies()).filter((c) => c.name.endsWith('ct_session')), [], 'the cookie is cleared');
        await other.waitForURL(relay.origin + '/login', { timeout: 3000 }); // its live socket closed with 4001
        assert.equal((await other.request.get(relay.origin + '/api/state')).status(), 401);
        assert.deepEqual(problems, []);
        await kiosk.close();
    });
}
