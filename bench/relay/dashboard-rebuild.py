#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
"""How long the relay takes to rebuild the dashboard's state from its event log at start.

Fills a fresh event log with N workflow-completed events (the relay's default retention cap is
100,000) across 200 projects, starts `circletray-relay serve` on it and reads the time it logs for
the rebuild, then its resident memory once listening.

    bench/relay/dashboard-rebuild.py build [N]
"""
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

build = sys.argv[1] if len(sys.argv) > 1 else "build"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
relay = os.path.join(build, "relay", "circletray-relay")
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
template = json.load(open(os.path.join(root, "tests", "data", "github-app-workflow-completed.json")))

with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "data")
    secret = os.path.join(tmp, "secret")
    with open(secret, "w") as f:
        f.write("bench-secret\n")
    # The relay creates and migrates the log; the rows go in directly (signatures are not re-checked).
    subprocess.run([relay, "token", "add", "bench", "--data-dir", data], check=True, capture_output=True)
    db = sqlite3.connect(os.path.join(data, "events.sqlite"))
    now = int(time.time() * 1000)
    rng = random.Random(7)
    rows = []
    for i in range(1, count + 1):
        body = dict(template)
        body["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        body["workflow"] = dict(template["workflow"], id=str(uuid.UUID(int=rng.getrandbits(128))),
                                status=rng.choice(["success", "success", "failed", "canceled"]))
        body["project"] = dict(template["project"], slug="gh/acme/p%d" % (i % 200))
        rows.append((i, body["id"], now - (count + 1 - i) * 1000, "workflow-completed", "v1=00",
                     json.dumps(body).encode()))
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()

    def start(extra):
        started = time.monotonic()
        p = subprocess.Popen([relay, "serve", "--port", "0", "--secret-file", secret, "--data-dir", data] + extra,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        rebuilt = None
        for line in p.stdout:
            if "dashboard state rebuilt" in line:
                rebuilt = line.strip()
            if line.startswith("listening on"):
                break
        up = time.monotonic() - started
        with open("/proc/%d/status" % p.pid) as f:
            rss = next(l.split()[1] for l in f if l.startswith("VmRSS:"))
        p.terminate()
        p.wait(timeout=15)
        return up, int(rss) // 1024, rebuilt

    off = start(["--dashboard", "off"])
    on = start([])
    print("events: %d" % count)
    print("relay log: %s" % on[2])
    print("start to listening: %.2f s with the dashboard, %.2f s without (%.1fx); resident memory %d vs %d MiB"
          % (on[0], off[0], on[0] / off[0], on[1], off[1]))
