#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
"""Self-test of the CircleCI stand-in: starts it as a real process (as the C++ tests will) and
checks the shapes and traps that CircleTray's client code will be tested against."""

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "circleci_standin.py")
FIXTURE = os.path.join(HERE, "fixture-default.json")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
with open(FIXTURE, encoding="utf-8") as f:
    FX = json.load(f)
PROJECT = {p["slug"]: p for p in FX["projects"]}
API_ID = PROJECT["gh/acme/api"]["id"]          # acme: alice is admin; already 4 webhooks
WEB_ID = PROJECT["gh/acme/web-ui"]["id"]       # one foreign webhook
MOBILE_ID = PROJECT["gh/globex/mobile"]["id"]  # globex: alice is a member


def start_standin(tmp, extra=()):
    port_file = os.path.join(tmp, "port-%d" % time.monotonic_ns())
    proc = subprocess.Popen([sys.executable, STANDIN, "--port", "0", "--fixtures", FIXTURE, "--port-file", port_file,
                             "--exit-on-stdin-eof", *extra],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stdout.readline().decode().strip()  # the port, once listening
    if not line.isdigit():
        proc.kill()
        raise RuntimeError("stand-in did not start: %r %s" % (line, proc.stderr.read().decode()))
    with open(port_file, encoding="utf-8") as f:
        assert f.read().strip() == line
    return proc, int(line)


def stop_standin(proc):
    proc.stdin.close()                 # --exit-on-stdin-eof
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()
    proc.stderr.close()


class Client:
    def __init__(self, base, context=None):
        self.base, self.context = base, context

    def call(self, method, path, body=None, token="tok-alice", headers=None, raw=None):
        h = dict(headers or {})
        if token is not None:
            h.setdefault("Circle-Token", token)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=20, context=self.context) as r:
                status, rh, text = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, rh, text = e.code, e.headers, e.read()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text.decode()
        return status, parsed, rh


class StandinTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="standin-test-")
        cls.proc, port = start_standin(cls.tmp)
        cls.c = Client("http://127.0.0.1:%d" % port)

    @classmethod
    def tearDownClass(cls):
        stop_standin(cls.proc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.ctl("POST", "/_standin/reset")[0], 200)

    def ctl(self, method, path, body=None):
        status, obj, _ = self.c.call(method, path, body, token=None)
        return status, obj

    def api(self, method, path, body=None, **kw):
        status, obj, _ = self.c.call(method, "/api/v2" + path, body, **kw)
        return status, obj

    def drain(self, path, limit=50):
        items, token, pages = [], None, 0
        while True:
            sep = "&" if "?" in path else "?"
            status, page = self.api("GET", path + (sep + "page-token=" + token if token else ""))
            self.assertEqual(status, 200, page)
            items += page["items"]
            pages += 1
            token = page["next_page_token"]
            if token is None or pages >= limit:
                return items, pages

    # -- auth and errors -------------------------------------------------------------------------

    def test_auth_variants(self):
        self.assertEqual(self.api("GET", "/me", token=None), (401, {"message": "You must log in first."}))
        self.assertEqual(self.api("GET", "/me", token="wrong")[0], 401)
        self.assertEqual(self.api("GET", "/me", token="tok-project-acme-api"), (403, {"message": "Forbidden."}))
        status, me = self.api("GET", "/me")
        self.assertEqual(status, 200)
        self.assertEqual(set(me), {"id", "login", "name", "avatar_url"})
        self.assertEqual(me["login"], "alice")
        for auth in ("Bearer tok-alice", "Basic " + base64.b64encode(b"tok-alice:").decode(),
                     "Basic " + base64.b64encode(b"tok-alice").decode()):
            self.assertEqual(self.api("GET", "/me", token=None, headers={"Authorization": auth}), (200, me), auth)
        self.assertEqual(self.api("GET", "/me", token=None, headers={"Authorization": "Bearer"})[0], 401)

    def test_unknown_route_and_bad_json(self):
        self.assertEqual(self.api("GET", "/nope"), (404, {"message": "Not Found"}))
        status, body, _ = self.c.call("POST", "/api/v2/webhook", raw=b"{not json")
        self.assertEqual(status, 400)
        self.assertIn("message", body)

    # -- discovery -------------------------------------------------------------------------------

    def test_collaborations_and_v1_projects(self):
        status, orgs = self.api("GET", "/me/collaborations")
        self.assertEqual(status, 200)
        self.assertIsInstance(orgs, list)
        self.assertTrue(all(set(o) == {"id", "vcs-type", "name", "slug", "avatar_url"} for o in orgs))
        self.assertIn(None, [o["id"] for o in orgs])
        self.assertIn("circleci", [o["vcs-type"] for o in orgs])
        self.assertNotIn("gh/initech", [o["slug"] for o in orgs])
        status, projects, _ = self.c.call("GET", "/api/v1.1/projects")
        self.assertEqual(status, 200)
        self.assertEqual({(p["username"], p["reponame"]) for p in projects},
                         {("acme", "api"), ("acme", "web-ui"), ("globex", "mobile")})  # classic, followed
        self.assertTrue(all("slug" not in p and p["vcs_type"] == "github" for p in projects))

    def test_project_slug_rules(self):
        status, p = self.api("GET", "/project/gh/acme/api")
        self.assertEqual(status, 200)
        self.assertEqual(set(p), {"id", "slug", "name", "organization_name", "organization_slug", "organization_id",
                                  "vcs_info"})
        self.assertEqual(p["id"], API_ID)
        self.assertEqual(self.api("GET", "/project/github/acme/api")[1], p)
        self.assertEqual(self.api("GET", "/project/" + API_ID)[1], p)
        self.assertEqual(self.api("GET", "/project/gh%2Facme%2Fapi"), (404, {"message": "Project not found"}))
        self.assertEqual(self.api("GET", "/project/gh/acme%2Fapi")[0], 404)
        self.assertEqual(self.api("GET", "/project/gh/initech/payroll"), (404, {"message": "Project not found"}))
        standalone = "circleci/UNsYvcXKsAR2vuPCLdB3aV/QpY4T63CYa1xwudJQPFwmU"
        status, s = self.api("GET", "/project/" + standalone)
        self.assertEqual((status, s["vcs_info"]["provider"]), (200, "CircleCI"))
        self.assertTrue(s["vcs_info"]["vcs_url"].startswith("//circleci.com/"))
        status, err = self.api("GET", "/project/circleci/UNsYvcXKsAR2vuPCLdB3aV/relay-server")
        self.assertEqual(status, 400)
        self.assertTrue(err["message"].startswith("Invalid project slug"))

    # -- pagination ------------------------------------------------------------------------------

    def test_pipelines_pagination_newest_first(self):
        self.ctl("PATCH", "/_standin/options", {"page_size": 3})
        items, pages = self.drain("/pipeline?org-slug=gh/acme")
        self.assertEqual(len(items), 8)  # api 101-105 (106 is after "now"), web-ui 56-58; legacy not followed
        self.assertEqual(pages, 3)
        created = [p["created_at"] for p in items]
        self.assertEqual(created, sorted(created, reverse=True))
        self.assertTrue(all(TS.match(t) for t in created))
        self.assertEqual(len({p["id"] for p in items}), len(items))
        status, err = self.api("GET", "/pipeline?org-slug=gh/acme&page-token=bogus")
        self.assertEqual((status, err), (400, {"message": "Invalid page token"}))
        # A token from another list is invalid too.
        _, first = self.api("GET", "/pipeline?org-slug=gh/acme")
        self.assertEqual(self.api("GET", "/project/gh/acme/api/pipeline?page-token=" + first["next_page_token"])[0],
                         400)
        mine, _ = self.drain("/pipeline?org-slug=gh/acme&mine=true")
        self.assertEqual(len(mine), 7)
        branch, _ = self.drain("/project/gh/acme/api/pipeline?branch=main")
        self.assertEqual([p["number"] for p in branch], [104, 103, 101])
        # The clock moves on: pipeline 106 appears.
        self.ctl("POST", "/_standin/clock", {"advance": 3600 * 2})
        self.assertEqual(self.drain("/project/gh/acme/api/pipeline?branch=main")[0][0]["number"], 106)

    def test_repeated_page_token(self):
        self.ctl("PATCH", "/_standin/options", {"page_size": 2, "repeat_page_token": True})
        _, first = self.api("GET", "/pipeline?org-slug=gh/acme")
        token = first["next_page_token"]
        _, second = self.api("GET", "/pipeline?org-slug=gh/acme&page-token=" + token)
        self.assertEqual(second["next_page_token"], token)
        self.assertEqual(self.drain("/pipeline?org-slug=gh/acme", limit=5)[1], 5)  # would never end

    def test_workflows_jobs_and_rerun_in_old_pipeline(self):
        _, p101 = self.api("GET", "/project/gh/acme/api/pipeline/101")
        _, wfs = self.api("GET", "/pipeline/%s/workflow" % p101["id"])
        self.assertEqual([w["status"] for w in wfs["items"]], ["failed", "success"])  # the rerun came later
        w = wfs["items"][0]
        self.assertEqual((w["pipeline_number"], w["project_slug"]), (101, "gh/acme/api"))
        _, jobs = self.api("GET", "/workflow/%s/job" % w["id"])
        self.assertIn("failed", [j["status"] for j in jobs["items"]])
        self.assertTrue(all("job_number" in j and j["type"] == "build" for j in jobs["items"]))
        self.assertEqual(self.api("GET", "/workflow/nope"), (404, {"message": "Workflow not found"}))
        self.assertEqual(self.api("GET", "/pipeline/nope/workflow"), (404, {"message": "Pipeline not found"}))

    # -- webhooks --------------------------------------------------------------------------------

    def hook_body(self, project_id=WEB_ID, **over):
        body = {"name": "circletray:abc", "events": ["workflow-completed", "job-completed"],
                "url": "https://relay.example.com/circletray/v1/abc", "verify-tls": True, "signing-secret": "s3cr3t",
                "scope": {"id": project_id, "type": "project"}}
        body.update(over)
        return body

    def raw_hook(self, hid):
        return next(h for h in self.ctl("GET", "/_standin/webhooks")[1] if h["id"] == hid)

    def test_webhook_create_shapes(self):
        self.ctl("POST", "/_standin/clock", {"now": "2026-03-16T09:30:00.5Z"})
        status, h = self.api("POST", "/webhook", self.hook_body())
        self.assertEqual(status, 201)
        self.assertEqual(set(h), {"id", "name", "url", "verify_tls", "signing_secret", "scope", "events",
                                  "created_at", "updated_at"})
        self.assertEqual((h["verify_tls"], h["signing_secret"]), (True, "****"))
        self.assertEqual(h["events"], ["job-completed", "workflow-completed"])  # another order
        self.assertEqual(h["created_at"], "2026-03-16T09:30:00.500Z")
        self.assertEqual(self.raw_hook(h["id"])["signing_secret"], "s3cr3t")
        # snake_case keys are silently ignored: no secret, verify_tls false.
        body = self.hook_body(name="snake")
        del body["verify-tls"], body["signing-secret"]
        body.update(verify_tls=True, signing_secret="s3cr3t")
        status, snake = self.api("POST", "/webhook", body)
        self.assertEqual(status, 201)
        self.assertFalse(snake["verify_tls"])
        self.assertNotIn("signing_secret", snake)
        _, listed = self.api("GET", "/webhook?scope-id=%s&scope-type=project" % WEB_ID)
        self.assertEqual(len(listed["items"]), 3)
        self.assertIsNone(listed["next_page_token"])
        self.assertEqual(self.api("GET", "/webhook?scope-id=" + WEB_ID)[0], 400)
        for bad in ({"url": "http://relay.example.com/x"}, {"events": ["ping"]}, {"events": []}, {"name": ""},
                    {"scope": {"id": WEB_ID, "type": "organization"}}):
            self.assertEqual(self.api("POST", "/webhook", self.hook_body(**bad))[0], 400, bad)
        self.assertEqual(self.api("POST", "/webhook", self.hook_body(project_id="nope"))[0], 404)

    def test_webhook_put_wipes_secret_and_delete(self):
        _, h = self.api("POST", "/webhook", self.hook_body())
        status, upd = self.api("PUT", "/webhook/" + h["id"], {"name": "renamed", "events": ["workflow-completed"]})
        self.assertEqual(status, 200)
        self.assertNotIn("signing_secret", upd)
        self.assertFalse(upd["verify_tls"])
        self.assertEqual((upd["name"], upd["url"]), ("renamed", h["url"]))
        self.assertIsNone(self.raw_hook(h["id"])["signing_secret"])
        status, upd = self.api("PUT", "/webhook/" + h["id"], {"signing-secret": "again", "verify-tls": True,
                                                               "scope": {"id": API_ID, "type": "project"}})
        self.assertEqual((upd["signing_secret"], upd["scope"]["id"]), ("****", WEB_ID))  # scope is ignored
        self.assertEqual(self.api("DELETE", "/webhook/" + h["id"]), (200, {"message": "Webhook deleted."}))
        self.assertEqual(self.api("GET", "/webhook/" + h["id"]), (404, {"message": "Webhook not found"}))
        self.assertEqual(self.api("PUT", "/webhook/" + h["id"], {})[0], 404)

    def test_webhook_limit_and_permissions(self):
        self.assertEqual(self.api("POST", "/webhook", self.hook_body(API_ID))[0], 201)  # the 5th
        self.assertEqual(self.api("POST", "/webhook", self.hook_body(API_ID)),
                         (400, {"message": "Projects are limited to 5 outbound webhooks"}))
        self.assertEqual(self.api("POST", "/webhook", self.hook_body(MOBILE_ID)), (403, {"message": "Permission denied"}))
        self.assertEqual(self.api("GET", "/webhook?scope-id=%s&scope-type=project" % MOBILE_ID)[0], 200)  # reads ok
        _, bobs = self.api("POST", "/webhook", self.hook_body(MOBILE_ID), token="tok-bob")
        self.assertEqual(self.api("DELETE", "/webhook/" + bobs["id"])[0], 403)
        self.assertEqual(self.api("PUT", "/webhook/" + bobs["id"], self.hook_body())[0], 403)

    def test_webhook_list_pages(self):
        self.ctl("PATCH", "/_standin/options", {"webhook_page_size": 3})
        items, pages = self.drain("/webhook?scope-id=%s&scope-type=project" % API_ID)
        self.assertEqual((len(items), pages), (4, 2))
        self.assertIn("datadog-ci", [h["name"] for h in items])

    # -- rerun, cancel, approve ------------------------------------------------------------------

    def workflow_id(self, key):
        return next(w["id"] for w in self.ctl("GET", "/_standin/workflows")[1] if w["pipeline_id"] == key[0]
                    and w["name"] == key[1])

    def pipeline_id(self, slug, number):
        return next(p["id"] for p in FX["pipelines"] if p["project_slug"] == slug and p["number"] == number)

    def test_rerun_rules(self):
        failed = self.workflow_id((self.pipeline_id("gh/acme/api", 101), "build-and-test"))
        running = self.workflow_id((self.pipeline_id("gh/acme/api", 105), "build-and-test"))
        self.assertEqual(self.api("POST", "/workflow/%s/rerun" % running, {}),
                         (400, {"message": "Workflow must be in a terminal state to be rerun"}))
        _, jobs = self.api("GET", "/workflow/%s/job" % failed)
        jid = jobs["items"][0]["id"]
        for bad in ({"from_failed": True, "jobs": [jid]}, {"enable_ssh": True}, {"sparse_tree": True},
                    {"jobs": ["not-a-job"]}):
            self.assertEqual(self.api("POST", "/workflow/%s/rerun" % failed, bad)[0], 400, bad)
        self.assertEqual(self.api("POST", "/workflow/nope/rerun", {})[0], 404)
        status, res = self.api("POST", "/workflow/%s/rerun" % failed, {"from_failed": True})
        self.assertEqual(status, 202)
        self.assertEqual(set(res), {"workflow_id"})
        _, new = self.api("GET", "/workflow/" + res["workflow_id"])
        self.assertEqual((new["status"], new["stopped_at"], new["pipeline_number"]), ("running", None, 101))
        _, wfs = self.api("GET", "/pipeline/%s/workflow" % new["pipeline_id"])
        self.assertEqual(wfs["items"][-1]["id"], new["id"])
        self.assertEqual(len(wfs["items"]), 3)
        self.assertEqual(self.api("POST", "/workflow/%s/rerun" % failed, "")[0], 400)  # "" is not an object
        self.assertEqual(self.c.call("POST", "/api/v2/workflow/%s/rerun" % failed, raw=b"")[0], 202)  # no body: ok

    def test_finish_rerun_delivers_signed_webhook(self):
        received = []

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict((k.lower(), v) for k, v in self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            url = "http://127.0.0.1:%d/hook" % srv.server_address[1]
            failed = self.workflow_id((self.pipeline_id("gh/acme/web-ui", 58), "ci"))
            _, res = self.api("POST", "/workflow/%s/rerun" % failed, {"from_failed": True})
            new = res["workflow_id"]
            self.ctl("PATCH", "/_standin/options", {"webhook_receiver": url})
            status, fin = self.ctl("POST", "/_standin/workflows/%s/finish" % new, {"status": "success"})
            self.assertEqual(status, 200, fin)
            self.assertEqual([d["status"] for d in fin["deliveries"]], [200])  # web-ui's one datadog hook
            headers, body = received[0]
            expect = "v1=" + hmac.new(b"dd-secret-2", body, hashlib.sha256).hexdigest()
            self.assertEqual(headers["circleci-signature"], expect)
            self.assertEqual(headers["circleci-event-type"], "workflow-completed")
            event = json.loads(body)
            self.assertEqual((event["workflow"]["id"], event["workflow"]["status"]), (new, "success"))
            self.assertEqual(event["project"]["slug"], "github/acme/web-ui")
            self.assertEqual(event["pipeline"]["number"], 58)
            _, wf = self.api("GET", "/workflow/" + new)
            self.assertEqual(wf["status"], "success")
            self.assertTrue(TS.match(wf["stopped_at"]))
            # An explicit receiver and secret.
            _, res = self.api("POST", "/workflow/%s/rerun" % failed, {})
            fin = self.ctl("POST", "/_standin/workflows/%s/finish" % res["workflow_id"],
                           {"status": "failed", "receiver": {"url": url, "secret": "hunter123"}})[1]
            self.assertEqual(len(fin["deliveries"]), 1)
            headers, body = received[-1]
            self.assertEqual(headers["circleci-signature"],
                             "v1=" + hmac.new(b"hunter123", body, hashlib.sha256).hexdigest())
            self.assertEqual(json.loads(body)["workflow"]["status"], "failed")
        finally:
            srv.shutdown()
            srv.server_close()

    def test_cancel_and_approve(self):
        running = self.workflow_id((self.pipeline_id("gh/acme/api", 105), "build-and-test"))
        self.assertEqual(self.api("POST", "/workflow/%s/cancel" % running), (202, {"message": "Accepted."}))
        _, w = self.api("GET", "/workflow/" + running)
        self.assertEqual(w["status"], "canceled")
        self.assertEqual(self.api("POST", "/workflow/%s/cancel" % running)[0], 202)  # terminal: no-op
        hold = self.workflow_id((self.pipeline_id("gh/acme/api", 104), "deploy"))
        _, jobs = self.api("GET", "/workflow/%s/job" % hold)
        approval = next(j for j in jobs["items"] if j["type"] == "approval")
        self.assertNotIn("job_number", approval)
        self.assertEqual(self.api("POST", "/workflow/%s/approve/nope" % hold)[0], 404)
        self.assertEqual(self.api("POST", "/workflow/%s/approve/%s" % (hold, approval["approval_request_id"])),
                         (202, {"message": "Accepted."}))
        self.assertEqual(self.api("GET", "/workflow/" + hold)[1]["status"], "running")

    # -- faults, rate limits, request log --------------------------------------------------------

    def test_429_fault_with_and_without_retry_after(self):
        self.ctl("POST", "/_standin/faults", {"method": "GET", "path": "/api/v2/webhook", "status": 429,
                                              "retry_after": 2, "count": 2})
        path = "/api/v2/webhook?scope-id=%s&scope-type=project" % API_ID
        for _ in range(2):
            status, body, headers = self.c.call("GET", path)
            self.assertEqual((status, body, headers["Retry-After"]), (429, "Rate limited.", "2"))
            self.assertTrue(headers["Content-Type"].startswith("text/plain"))
        self.assertEqual(self.c.call("GET", path)[0], 200)
        self.ctl("POST", "/_standin/faults", [{"path": "/api/v2/me", "status": 429, "count": 1},
                                              {"path": "/api/v2/pipeline/*", "status": 500, "count": 1}])
        status, _, headers = self.c.call("GET", "/api/v2/me")
        self.assertEqual(status, 429)
        self.assertIsNone(headers.get("Retry-After"))
        self.assertEqual(self.api("GET", "/pipeline/x/workflow"), (500, {"message": "Internal server error."}))
        self.assertEqual(self.api("GET", "/pipeline/x/workflow")[0], 404)
        log = self.ctl("GET", "/_standin/requests")[1]
        self.assertEqual([r["status"] for r in log], [429, 429, 200, 429, 500, 404])
        self.assertEqual(log[0]["fault"]["status"], 429)

    def test_delay_and_rate_limit_headers(self):
        self.ctl("POST", "/_standin/faults", {"path": "/api/v2/me", "delay": 0.3, "count": 1})
        t = time.monotonic()
        self.assertEqual(self.api("GET", "/me")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.3)
        self.ctl("PATCH", "/_standin/options", {"rate_limit": {"limit": 2, "window": 60, "enforce": True}})
        statuses = []
        for _ in range(3):
            status, _, headers = self.c.call("GET", "/api/v2/me")
            statuses.append((status, headers["RateLimit-Remaining"]))
        self.assertEqual(statuses, [(200, "1"), (200, "0"), (429, "0")])
        self.assertIsNotNone(headers["Retry-After"])

    def test_request_log(self):
        self.ctl("DELETE", "/_standin/requests")
        self.api("PUT", "/webhook/nope", {"signing-secret": "x"})
        self.api("GET", "/me", token=None, headers={"Authorization": "Bearer tok-alice"})
        log = self.ctl("GET", "/_standin/requests")[1]
        self.assertEqual([(r["method"], r["path"], r["status"]) for r in log],
                         [("PUT", "/api/v2/webhook/nope", 404), ("GET", "/api/v2/me", 200)])
        self.assertEqual(json.loads(log[0]["body"]), {"signing-secret": "x"})
        self.assertEqual(log[0]["headers"]["circle-token"], "tok-alice")
        self.assertEqual(log[1]["headers"]["authorization"], "Bearer tok-alice")
        self.assertNotIn("tok-alice", log[1]["query"])
        self.assertLessEqual(log[0]["finished"], log[1]["started"])  # sequential
        self.assertEqual(len(self.ctl("GET", "/_standin/requests?since=%d" % log[0]["seq"])[1]), 1)
        self.assertEqual(self.ctl("GET", "/_standin/nothing"), (404, {"message": "Not Found"}))

    def test_control_adds_pipeline_tree(self):
        status, p = self.ctl("POST", "/_standin/pipelines", {
            "project_slug": "gh/acme/web-ui", "created_at": "2026-03-16T08:59:00Z",
            "workflows": [{"name": "ci", "status": "failed", "created_at": "2026-03-16T08:59:01Z",
                           "stopped_at": "2026-03-16T08:59:30Z", "jobs": [{"name": "e2e", "status": "failed"}]}]})
        self.assertEqual(status, 201, p)
        self.assertEqual(p["number"], 59)
        _, top = self.api("GET", "/pipeline?org-slug=gh/acme")
        self.assertEqual(top["items"][0]["id"], p["id"])
        _, wfs = self.api("GET", "/pipeline/%s/workflow" % p["id"])
        self.assertEqual(wfs["items"][0]["stopped_at"], "2026-03-16T08:59:30.000Z")
        self.assertEqual(self.ctl("POST", "/_standin/pipelines", {"project_slug": "gh/nope/x"})[0], 400)


class TlsTest(unittest.TestCase):
    def test_https_with_test_ca(self):
        openssl = shutil.which("openssl")
        if not openssl:
            self.skipTest("no openssl command")
        tmp = tempfile.mkdtemp(prefix="standin-tls-")
        try:
            def run(*args):
                subprocess.run([openssl, *args], cwd=tmp, check=True, capture_output=True)
            with open(os.path.join(tmp, "ext.cnf"), "w") as f:
                f.write("subjectAltName=IP:127.0.0.1\n")
            run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Standin CA",
                "-keyout", "ca.key", "-out", "ca.pem")
            run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
                "-out", "server.csr")
            run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
            proc, port = start_standin(tmp, ["--tls-cert", os.path.join(tmp, "server.pem"),
                                             "--tls-key", os.path.join(tmp, "server.key")])
            try:
                ctx = ssl.create_default_context(cafile=os.path.join(tmp, "ca.pem"))
                c = Client("https://127.0.0.1:%d" % port, ctx)
                self.assertEqual(c.call("GET", "/api/v2/me")[0], 200)
                with self.assertRaises(urllib.error.URLError):  # the system CAs don't know it
                    Client("https://127.0.0.1:%d" % port, ssl.create_default_context()).call("GET", "/api/v2/me")
                self.assertEqual(c.call("GET", "/api/v2/me")[0], 200)  # still serving after a failed handshake
            finally:
                stop_standin(proc)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
