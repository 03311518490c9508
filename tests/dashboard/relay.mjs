// SPDX-FileCopyrightText: 2026 CircleTray contributors
// SPDX-License-Identifier: MIT
//
// Helpers for the dashboard's browser tests: a real circletray-relay as a child process in a
// temporary directory, device tokens, and signed CircleCI webhook deliveries built from the
// fixtures in tests/data/.

import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const SECRET = 'dashboard-test-secret';

/** The relay binary: $CT_RELAY_PATH, else build/relay/circletray-relay in the source tree. */
export function relayPath() {
    return process.env.CT_RELAY_PATH || path.join(REPO, 'build/relay/circletray-relay');
}

export function chromiumPath() {
    return process.env.CT_CHROMIUM || '/usr/bin/chromium';
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One line saying what is missing to run the browser tests, or null when all is there. */
export function missingPrerequisite() {
    const relay = relayPath();
    if (!isExecutable(relay)) {
        return `circletray-relay not found or not executable at ${relay}: build it (cmake --build build --target ct_relay) or set CT_RELAY_PATH`;
    }
    const chromium = chromiumPath();
    if (!isExecutable(chromium)) {
        return `Chromium not found at ${chromium}: apt-get install -y chromium, or set CT_CHROMIUM`;
    }
    try {
        createRequire(import.meta.url).resolve('playwright-core');
    } catch {
        return 'playwright-core is not installed: cd tests/dashboard && npm ci';
    }
    return null;
}

function isExecutable(p) {
    try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

function run(args) {
    return new Promise((resolve, reject) => {
        execFile(relayPath(), args, { timeout: 15000 }, (error, stdout, stderr) => {
            if (error) reject(new Error(`circletray-relay ${args.join(' ')} failed: ${error.message}\n${stderr}`));
            else resolve(stdout);
        });
    });
}

/** A relay with its own data directory and secret file; start() and stop() it any number of times. */
export class Relay {
    constructor() {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-dashboard-'));
        this.dataDir = path.join(this.dir, 'data');
        fs.mkdirSync(this.dataDir);
        this.secretFile = path.join(this.dir, 'secret');
        fs.writeFileSync(this.secretFile, SECRET + '\n', { mode: 0o600 });
        this.port = 0;
        this.child = null;
        this.output = '';
    }

    get origin() {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Creates a device token; the token is the first line the command prints. */
    async addToken(name) {
        const out = await run(['token', 'add', name, '--data-dir', this.dataDir]);
        const token = out.split('\n')[0].trim();
        if (!token) throw new Error('token add printed no token: ' + out);
        return token;
    }

    async revokeToken(name) {
        await run(['token', 'revoke', name, '--data-dir', this.dataDir]);
    }

    /** Starts serving (on the previous port after a stop, else a free one) and waits until it listens. */
    start() {
        if (this.child) throw new Error('the relay is already running');
        const args = ['serve', '--port', String(this.port), '--secret-file', this.secretFile,
            '--data-dir', this.dataDir];
        const child = spawn(relayPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
        this.child = child;
        return new Promise((resolve, reject) => {
            let stdout = '';
            const timer = setTimeout(() => fail(new Error('the relay did not say "listening on" within 10 s')), 10000);
            const fail = (e) => {
                clearTimeout(timer);
                reject(new Error(e.message + '\n' + this.output));
            };
            child.stdout.setEncoding('utf8');
            child.stderr.setEncoding('utf8');
            child.stderr.on('data', (d) => { this.output = (this.output + d).slice(-20000); });
            child.stdout.on('data', (d) => {
                this.output = (this.output + d).slice(-20000);
                stdout += d;
                const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
                if (m) {
                    clearTimeout(timer);
                    this.port = Number(m[1]);
                    resolve(this.port);
                }
            });
            child.on('error', fail);
            child.on('exit', (code, signal) => {
                if (this.child === child) this.child = null;
                fail(new Error(`the relay exited (${code ?? signal}) before listening`));
            });
        });
    }

    /** Stops it: SIGKILL is a crash, SIGTERM a clean shutdown (pages get 1001). */
    async stop(signal = 'SIGTERM') {
        const child = this.child;
        if (!child) return;
        this.child = null;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
    }

    /** Stops it and removes its directory. */
    async dispose() {
        await this.stop('SIGKILL');
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** POSTs a signed webhook delivery; resolves with the HTTP status (200: stored). */
    async deliver(event) {
        const body = Buffer.from(JSON.stringify(event));
        const signature = crypto.createHmac('sha256', SECRET).update(body).digest('hex');
        const res = await fetch(this.origin + '/webhook', {
            method: 'POST',
            headers: {
                'circleci-event-type': event.type,
                'circleci-signature': 'v1=' + signature,
                'content-type': 'application/json',
            },
            body,
        });
        await res.arrayBuffer();
        return res.status;
    }
}

// ---------------------------------------------------------------------------------------------
// Webhook payloads, from the real fixtures

const WORKFLOW_FIXTURE = JSON.parse(fs.readFileSync(path.join(REPO, 'tests/data/github-app-workflow-completed.json'), 'utf8'));
const JOB_FIXTURE = JSON.parse(fs.readFileSync(path.join(REPO, 'tests/data/github-job-completed.json'), 'utf8'));

const iso = (ms) => new Date(ms).toISOString();

/**
 * A workflow-completed delivery (a GitHub App pipeline, as tests/data/github-app-workflow-completed.json).
 * \a finishedAgo and \a duration in seconds; every id fresh unless given.
 */
export function workflowCompleted({ project = 'gh/acme/api', branch = 'main', tag = null, workflow = 'build',
    status = 'failed', subject = 'Fix the thing', author = 'Sam Dev', number = 1, workflowId = crypto.randomUUID(),
    finishedAgo = 0, duration = 252 } = {}) {
    const e = structuredClone(WORKFLOW_FIXTURE);
    const stopped = Date.now() - finishedAgo * 1000;
    e.id = crypto.randomUUID();
    e.happened_at = iso(stopped);
    e.project.slug = project;
    e.project.name = project.split('/').pop();
    e.workflow.id = workflowId;
    e.workflow.name = workflow;
    e.workflow.status = status;
    e.workflow.created_at = iso(stopped - duration * 1000);
    e.workflow.stopped_at = iso(stopped - 100);
    e.workflow.url = `https://app.circleci.com/pipelines/${project.replace(/^gh\//, 'github/')}/${number}/workflows/${workflowId}`;
    e.pipeline.id = crypto.randomUUID();
    e.pipeline.number = number;
    e.pipeline.created_at = iso(stopped - duration * 1000 - 500);
    const app = e.pipeline.trigger_parameters.github_app;
    const git = e.pipeline.trigger_parameters.git;
    app.branch = tag ? '' : branch;
    git.tag = tag ?? '';
    app.ref = tag ? 'refs/tags/' + tag : 'refs/heads/' + branch;
    app.commit_title = subject;
    git.commit_message = subject;
    app.commit_author_name = author;
    app.commit_sha = crypto.randomBytes(20).toString('hex');
    return e;
}

/** A job-completed delivery (as tests/data/github-job-completed.json) of the workflow \a workflowId. */
export function jobCompleted({ project = 'gh/acme/api', branch = 'main', workflow = 'build', workflowId,
    job = 'test', status = 'failed', subject = 'Fix the thing', author = 'Sam Dev', number = 1, finishedAgo = 0,
    workflowStartedAgo = 120 } = {}) {
    const e = structuredClone(JOB_FIXTURE);
    const stopped = Date.now() - finishedAgo * 1000;
    e.id = crypto.randomUUID();
    e.happened_at = iso(stopped);
    e.project.slug = project;
    e.project.name = project.split('/').pop();
    e.workflow.id = workflowId;
    e.workflow.name = workflow;
    e.workflow.created_at = iso(Date.now() - workflowStartedAgo * 1000);
    e.workflow.stopped_at = iso(stopped);
    e.workflow.url = `https://app.circleci.com/pipelines/${project.replace(/^gh\//, 'github/')}/${number}/workflows/${workflowId}`;
    e.pipeline.id = crypto.randomUUID();
    e.pipeline.number = number;
    e.pipeline.vcs.branch = branch;
    e.pipeline.vcs.commit.subject = subject;
    e.pipeline.vcs.commit.author.name = author;
    e.job.id = crypto.randomUUID();
    e.job.name = job;
    e.job.number = Math.floor(Math.random() * 100000);
    e.job.status = status;
    e.job.started_at = iso(stopped - 60000);
    e.job.stopped_at = iso(stopped);
    return e;
}
