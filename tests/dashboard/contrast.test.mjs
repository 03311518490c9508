// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// The page's colour pairs reach WCAG AA (4.5:1 for text) in both themes: read from the
// custom properties of relay/dashboard/web/dashboard.css.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CSS = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '../../relay/dashboard/web/dashboard.css'), 'utf8');

/** The custom properties of the first rule whose selector is exactly \a selector. */
function variables(selector) {
    const at = CSS.indexOf(selector + ' {');
    assert.ok(at >= 0, 'no rule ' + selector);
    const body = CSS.slice(at, CSS.indexOf('}', at));
    const out = {};
    for (const m of body.matchAll(/(--[a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)) out[m[1]] = m[2];
    return out;
}

function luminance(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}

const light = variables(':root');
const dark = { ...light, ...variables(':root[data-theme="dark"]') };

const PAIRS = [
    ['--on-state', '--failed'], ['--on-state', '--success'], ['--on-state', '--running'],
    ['--on-state', '--canceled'], ['--on-state', '--unknown'],
    ['--text', '--bg'], ['--text', '--surface'], ['--text', '--surface-2'],
    ['--muted', '--bg'], ['--muted', '--surface'],
    ['--link', '--surface'], ['--on-focus', '--focus'], ['--banner-text', '--banner-bg'],
    ['--failed', '--surface'], ['--success', '--surface'], // the recent list's status words (light)
];

for (const [name, vars] of [['light', light], ['dark', dark]]) {
    test(`text contrast in the ${name} theme`, () => {
        const low = [];
        for (const [fg, bg] of PAIRS) {
            if (name === 'dark' && (fg === '--failed' || fg === '--success')) continue; // lighter tones in dark
            assert.ok(vars[fg] && vars[bg], `${fg} and ${bg} are set`);
            const ratio = contrast(vars[fg], vars[bg]);
            if (ratio < 4.5) low.push(`${fg} ${vars[fg]} on ${bg} ${vars[bg]}: ${ratio.toFixed(2)}`);
        }
        assert.deepEqual(low, []);
    });
}

test('the dark theme is the same in both places (prefers-color-scheme and data-theme=dark)', () => {
    const media = CSS.slice(CSS.indexOf('@media (prefers-color-scheme: dark)'));
    const inMedia = {};
    const body = media.slice(0, media.indexOf('}'));
    for (const m of body.matchAll(/(--[a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)) inMedia[m[1]] = m[2];
    assert.deepEqual(inMedia, variables(':root[data-theme="dark"]'));
});
