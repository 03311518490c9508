// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// The page's files never parse strings as HTML and carry nothing the CSP (script-src 'self';
// style-src 'self') would block: no HTML sinks in scripts, no inline script bodies, no on…=
// handler attributes, no style attributes, no <style> elements, no javascript: URLs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../relay/dashboard/web');

function filesUnder(dir) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...filesUnder(p));
        else out.push(p);
    }
    return out.sort();
}

const RULES = [
    [/\binnerHTML\b/, 'innerHTML'],
    [/\bouterHTML\b/, 'outerHTML'],
    [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
    [/\bdocument\s*\.\s*write(ln)?\b/, 'document.write'],
    [/\bcreateContextualFragment\b/, 'createContextualFragment'],
    [/\bDOMParser\b/, 'DOMParser'],
    [/\bsetHTML(Unsafe)?\b/, 'setHTML'],
    [/\beval\s*\(/, 'eval('],
    [/\bnew\s+Function\s*\(/, 'new Function('],
    [/\bsrcdoc\b/i, 'srcdoc'],
    [/javascript:/i, 'a javascript: URL'],
];

/** HTML-ish files: attributes and elements the CSP would block. */
const MARKUP_RULES = [
    [/<script\b(?![^>]*\bsrc=)[^>]*>/i, 'an inline <script> (without src)'],
    [/<script\b[^>]*>[^<\s][\s\S]*?<\/script>/i, 'an inline <script> body'],
    [/<style\b/i, 'a <style> element'],
    [/\sstyle\s*=/i, 'a style= attribute'],
    [/\son[a-z]+\s*=/i, 'an on…= handler attribute'],
];

/** Script files: attribute strings that would end up in markup or setAttribute. */
const SCRIPT_RULES = [
    [/setAttribute\(\s*['"](on[a-z]+|style|srcdoc)['"]/i, 'setAttribute of a handler, style or srcdoc'],
    [/['"`]\s*style\s*=/, 'a style= attribute in a string'],
    [/\.on[a-z]+\s*=(?!=)/, 'an on… property handler (use addEventListener)'],
];

const files = filesUnder(WEB);

test('the page has its files', () => {
    const names = files.map((f) => path.relative(WEB, f));
    for (const want of ['index.html', 'login.html', 'dashboard.css', 'dashboard.js', 'model.js', 'favicon.svg']) {
        assert.ok(names.includes(want), want + ' is missing from ' + WEB);
    }
});

for (const file of files) {
    const rel = path.relative(WEB, file);
    test('no HTML sinks or inline code in ' + rel, () => {
        const text = fs.readFileSync(file, 'utf8');
        const ext = path.extname(file);
        const rules = [...RULES];
        if (ext === '.html' || ext === '.svg') rules.push(...MARKUP_RULES);
        if (ext === '.js' || ext === '.mjs') rules.push(...SCRIPT_RULES);
        if (ext === '.css') rules.push([/expression\s*\(/i, 'a CSS expression()'], [/@import\s+url\(\s*['"]?https?:/i, 'a remote @import']);
        const problems = [];
        text.split('\n').forEach((line, i) => {
            for (const [re, what] of rules) {
                if (re.test(line)) problems.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
            }
        });
        // Multi-line inline scripts.
        if (ext === '.html') {
            for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
                if (m[2].trim() !== '') problems.push(`${rel}: an inline <script> body`);
                if (!/\bsrc\s*=\s*"\/[a-z]+\.js"/.test(m[1])) problems.push(`${rel}: a <script> not loaded from the relay: <script${m[1]}>`);
            }
            for (const m of text.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)) {
                if (/^(https?:)?\/\//i.test(m[1])) problems.push(`${rel}: a resource from elsewhere (no CDN): ${m[1]}`);
            }
        }
        assert.deepEqual(problems, []);
    });
}

test('login.html has the form the relay fills in', () => {
    const html = fs.readFileSync(path.join(WEB, 'login.html'), 'utf8');
    assert.match(html, /<form method="post" action="\/login"/);
    assert.match(html, /<input id="token" name="token" type="password" autocomplete="current-password" required/);
    assert.match(html, /<button type="submit"/);
    assert.equal(html.split('<!--message-->').length, 2, 'exactly one <!--message--> marker');
    assert.match(html, /circletray-relay token add wallboard/);
    assert.doesNotMatch(html, /<script/i, 'the sign-in page needs no script');
});

test('index.html loads the page from the relay and signs out by POST', () => {
    const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
    assert.match(html, /<link rel="stylesheet" href="\/dashboard\.css">/);
    assert.match(html, /<script type="module" src="\/dashboard\.js"><\/script>/);
    assert.match(html, /<form method="post" action="\/logout"/);
    assert.match(html, /role="status"/);
    assert.match(html, /<link rel="icon"/);
});

test('dashboard.js imports the model from the relay and sets hrefs only through safeHref', () => {
    const js = fs.readFileSync(path.join(WEB, 'dashboard.js'), 'utf8');
    assert.match(js, /from '\/model\.js'/);
    const hrefSets = [...js.matchAll(/setAttribute\(\s*'href'\s*,\s*([^)]*)\)/g)].map((m) => m[1].trim());
    assert.deepEqual([...new Set(hrefSets)].sort(), ['favicon', 'href'].sort(),
        'href is set only from safeHref() (el) or the computed favicon data: URL');
    assert.doesNotMatch(js, /\.href\s*=(?!=)/, 'no href property assignments');
    assert.doesNotMatch(js, /\bfetch\(\s*['"`]https?:/, 'fetches only the relay');
});

test('model.js is pure: no DOM, no network', () => {
    const js = fs.readFileSync(path.join(WEB, 'model.js'), 'utf8');
    for (const word of ['document', 'window', 'fetch(', 'WebSocket', 'localStorage', 'navigator']) {
        assert.ok(!js.includes(word), 'model.js mentions ' + word);
    }
});
