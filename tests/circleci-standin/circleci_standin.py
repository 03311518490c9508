#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
"""CircleTray's stand-in for the CircleCI API v2, for offline tests.

A real HTTP(S) server on 127.0.0.1 that answers the routes CircleTray uses with the shapes, status
codes and traps recorded in the project's research note circleci-api.md (shared docs; its §10 is
this server's spec; webhook payloads follow circleci-webhooks.md). Python 3 standard library only.

    python3 circleci_standin.py --port 0 --fixtures fixture-default.json [--port-file F]
                                [--tls-cert server.pem --tls-key server.key] [--exit-on-stdin-eof]

When it listens it prints the port alone on the first line of stdout (and writes it to --port-file,
atomically). API base: http(s)://127.0.0.1:<port>/api/v2 (and /api/v1.1/projects). Test control:
/_standin/... (no auth). The fixture format, the options and the control API are in README.md beside
this file. Behaviour the note marks [INF] (unknown on the real API) is an option, see DEFAULT_OPTIONS.
"""

import argparse
import base64
import binascii
import copy
import fnmatch
import hashlib
import hmac
import json
import math
import os
import re
import ssl
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORKFLOW_TERMINAL = {"success", "failed", "canceled", "error", "unauthorized", "not_run"}
JOB_FAILED = {"failed", "infrastructure_fail", "timedout", "terminated-unknown"}
WEBHOOK_EVENTS = ("workflow-completed", "job-completed")
SHORT_VCS = {"gh": "gh", "github": "gh", "bb": "bb", "bitbucket": "bb", "circleci": "circleci"}
LONG_VCS = {"gh": "github", "bb": "bitbucket", "circleci": "circleci"}

# Every option, with its default. [INF] = the real behaviour is unknown; tests may change it
# (fixture "options", or PATCH /_standin/options).
DEFAULT_OPTIONS = {
    "page_size": 20,                 # items per page on every paginated list
    "webhook_page_size": None,       # GET /webhook: None = one page, next_page_token null (real today)
    "repeat_page_token": False,      # a request with page-token T answers next_page_token T again
    "webhook_limit": 5,              # per project (docs; one 2023 test saw 9)
    "webhook_limit_error": {"status": 400, "message": "Projects are limited to 5 outbound webhooks"},  # [INF]
    "non_admin_error": {"status": 403, "message": "Permission denied"},                             # [INF]
    "unset_secret": "omit",          # webhook without secret: "omit" the key, or "empty" -> ""
    "https_only": True,              # webhook url must start with https://
    "put_resets_verify_tls": True,   # PUT without verify-tls sets false [INF]
    "rerun_non_terminal_error": {"status": 400,
                                 "message": "Workflow must be in a terminal state to be rerun"},  # status [INF]
    "rerun_from_failed_requires_failed": False,  # True: from_failed on a non-failed workflow -> 400 [INF]
    "rerun_bumps_pipeline_updated_at": False,    # open question in the note [INF]
    "workflow_order": "oldest_first",  # GET /pipeline/{id}/workflow order [INF]: or "newest_first"
    "accept_query_token": True,      # ?circle-token= (deprecated, but accepted by the real API)
    "pretty_errors": False,          # errors as {"message" : "..."} (seen on the real API)
    "v1_edn_without_accept": False,  # v1.1 answers EDN unless Accept: application/json (real v1.1)
    "hide_future": True,             # pipelines/workflows created after "now" are not listed yet
    "rate_limit": None,              # {"limit": 100, "window": 60, "enforce": false}: RateLimit-* headers
    "webhook_receiver": None,        # URL that finished workflows' webhook deliveries go to
    "receiver_cafile": None,         # CA for an https receiver (None: no certificate check)
    "deliver_on_cancel": False,      # POST /workflow/{id}/cancel also delivers workflow-completed
}


# ---------------------------------------------------------------------------------------------
# Timestamps: stored as datetimes' string form YYYY-MM-DDTHH:MM:SS.mmmZ, as the API sends them.

def parse_ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def fmt_ts(when):
    when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (when.microsecond // 1000)


def fmt_ts_us(when):  # webhook happened_at has microseconds
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def norm_ts(value):
    return fmt_ts(parse_ts(value)) if isinstance(value, str) and value else value


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def new_id():
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# The data: fixtures in, normalised records; API objects are derived from them on output.

class Store:
    def __init__(self, fixture):
        self.lock = threading.RLock()
        self.started = time.monotonic()
        self.requests, self.faults, self.deliveries = [], [], []
        self.seq = 0
        self.rate_window = (0.0, 0)
        self.load(fixture)

    def load(self, fx):
        self.options = dict(DEFAULT_OPTIONS)
        self.options.update(fx.get("options", {}))
        self.clock = parse_ts(fx["now"]) if fx.get("now") else None
        self.users, self.orgs, self.projects = {}, [], []
        self.pipelines, self.workflows, self.jobs, self.webhooks = {}, {}, {}, {}
        self.tokens = dict(fx.get("tokens", {}))
        self.project_tokens = set(fx.get("project_tokens", []))
        for kind in ("users", "orgs", "projects", "pipelines", "workflows", "jobs", "webhooks"):
            for obj in fx.get(kind, []):
                self.add(kind, obj)

    def now(self):
        return self.clock or datetime.now(timezone.utc)

    def dump(self):
        return {"now": fmt_ts(self.now()) if self.clock else None, "options": self.options,
                "users": list(self.users.values()), "tokens": self.tokens,
                "project_tokens": sorted(self.project_tokens), "orgs": self.orgs, "projects": self.projects,
                "pipelines": list(self.pipelines.values()), "workflows": list(self.workflows.values()),
                "jobs": list(self.jobs.values()), "webhooks": list(self.webhooks.values())}

    # -- adding records (fixture load and POST /_standin/<kind>) --------------------------------

    def add(self, kind, obj):
        if not isinstance(obj, dict):
            raise ApiError(400, "%s: expected an object" % kind)
        obj = copy.deepcopy(obj)
        return getattr(self, "_add_" + kind)(obj)

    def _add_users(self, u):
        u.setdefault("id", new_id())
        u.setdefault("login", u["id"])
        u.setdefault("name", u["login"])
        u.setdefault("avatar_url", "https://avatars.example.com/%s" % u["login"])
        self.users[u["id"]] = u
        return u

    def _add_orgs(self, o):
        o.setdefault("id", new_id())                    # may be null: known to the VCS, never used
        o.setdefault("vcs_type", {"gh": "github", "bb": "bitbucket"}.get(o["slug"].split("/")[0], "circleci"))
        o.setdefault("name", o["slug"].split("/")[1])
        o.setdefault("avatar_url", "https://avatars.example.com/%s" % o["name"])
        o.setdefault("roles", {})                       # user id -> "admin" | "member"
        self.orgs.append(o)
        return o

    def _add_projects(self, p):
        p.setdefault("id", new_id())
        vcs, org_part, name_part = p["slug"].split("/")
        p.setdefault("org", "%s/%s" % (vcs, org_part))
        p.setdefault("name", name_part)
        p.setdefault("followed", True)
        org = self.org_by_slug(p["org"])
        if org is None:
            raise ApiError(400, "project %s: unknown org %s" % (p["slug"], p["org"]))
        host = {"gh": "https://github.com", "bb": "https://bitbucket.org"}.get(vcs)
        p.setdefault("vcs_info", {
            "vcs_url": "%s/%s/%s" % (host, org_part, name_part) if host
            else "//circleci.com/%s/%s" % (org["id"], p["id"]),
            "provider": {"gh": "GitHub", "bb": "Bitbucket"}.get(vcs, "CircleCI"),
            "default_branch": p.pop("default_branch", "main")})
        self.projects.append(p)
        return p

    def _add_pipelines(self, p):
        workflows = p.pop("workflows", [])
        p.setdefault("id", new_id())
        if self.project_by_slug(p.get("project_slug")) is None:
            raise ApiError(400, "pipeline: unknown project_slug %r" % p.get("project_slug"))
        p.setdefault("number", 1 + max([q["number"] for q in self.pipelines.values()
                                        if q["project_slug"] == p["project_slug"]], default=0))
        p.setdefault("state", "created")
        p["created_at"] = norm_ts(p.get("created_at")) or fmt_ts(self.now())
        p["updated_at"] = norm_ts(p.get("updated_at")) or p["created_at"]
        p.setdefault("errors", [])
        login = next(iter(self.users.values()), {}).get("login", "someone")
        p.setdefault("trigger", {"type": "webhook", "received_at": p["created_at"],
                                 "actor": {"login": login, "avatar_url": "https://avatars.example.com/" + login}})
        p["trigger"]["received_at"] = norm_ts(p["trigger"].get("received_at")) or p["created_at"]
        self.pipelines[p["id"]] = p
        p = dict(p)
        p["workflows"] = [self.add("workflows", dict(w, pipeline_id=p["id"])) for w in workflows]
        return p

    def _add_workflows(self, w):
        jobs = w.pop("jobs", [])
        w.setdefault("id", new_id())
        if w.get("pipeline_id") not in self.pipelines:
            raise ApiError(400, "workflow: unknown pipeline_id %r" % w.get("pipeline_id"))
        w.setdefault("name", "build")
        w.setdefault("status", "success")
        w["created_at"] = norm_ts(w.get("created_at")) or fmt_ts(self.now())
        w["stopped_at"] = norm_ts(w.get("stopped_at"))
        w.setdefault("started_by", next(iter(self.users), None))
        self.workflows[w["id"]] = w
        w = dict(w)
        w["jobs"] = [self.add("jobs", dict(j, workflow_id=w["id"])) for j in jobs]
        return w

    def _add_jobs(self, j):
        j.setdefault("id", new_id())
        wf = self.workflows.get(j.get("workflow_id"))
        if wf is None:
            raise ApiError(400, "job: unknown workflow_id %r" % j.get("workflow_id"))
        j.setdefault("name", "build")
        j.setdefault("type", "build")
        j.setdefault("status", "success")
        j.setdefault("dependencies", [])
        if j["type"] == "approval":
            j.setdefault("approval_request_id", j["id"])
            j.pop("job_number", None)
        else:
            slug = self.pipelines[wf["pipeline_id"]]["project_slug"]
            j.setdefault("job_number", 1 + max([k.get("job_number", 0) for k in self.jobs.values()
                                                if self.job_project_slug(k) == slug], default=0))
        j["started_at"] = norm_ts(j.get("started_at")) or (None if j["type"] == "approval" else wf["created_at"])
        j["stopped_at"] = norm_ts(j.get("stopped_at"))
        self.jobs[j["id"]] = j
        return j

    def _add_webhooks(self, h):
        h.setdefault("id", new_id())
        h.setdefault("name", "webhook")
        h.setdefault("url", "https://example.com/hook")
        h.setdefault("verify_tls", False)
        h.setdefault("signing_secret", None)            # the real secret, never sent by the API
        h.setdefault("events", ["workflow-completed"])
        if not isinstance(h.get("scope"), dict) or self.project_by_id(h["scope"].get("id")) is None:
            raise ApiError(400, "webhook: scope.id must be a known project id")
        h["scope"].setdefault("type", "project")
        h["created_at"] = norm_ts(h.get("created_at")) or fmt_ts(self.now())
        h["updated_at"] = norm_ts(h.get("updated_at")) or h["created_at"]
        self.webhooks[h["id"]] = h
        return h

    # -- lookups ---------------------------------------------------------------------------------

    def org_by_slug(self, slug):
        """gh/acme, github/acme (any case); circleci/<fragment> or circleci/<org uuid>."""
        parts = (slug or "").split("/")
        if len(parts) != 2 or parts[0].lower() not in SHORT_VCS:
            return None
        vcs, name = SHORT_VCS[parts[0].lower()], parts[1]
        for o in self.orgs:
            ovcs, oname = o["slug"].split("/")
            if ovcs != vcs:
                continue
            if (vcs == "circleci" and name in (oname, o["id"])) or (vcs != "circleci" and name.lower() == oname.lower()):
                return o
        return None

    def project_by_slug(self, slug):
        return next((p for p in self.projects if p["slug"] == slug), None)

    def project_by_id(self, pid):
        return next((p for p in self.projects if p["id"] == pid), None)

    def job_project_slug(self, job):
        return self.pipelines[self.workflows[job["workflow_id"]]["pipeline_id"]]["project_slug"]

    def role(self, user, org):
        return org["roles"].get(user["id"]) if org else None

    def visible(self, obj):
        return not self.options["hide_future"] or parse_ts(obj["created_at"]) <= self.now()

    # -- API objects -----------------------------------------------------------------------------

    def project_json(self, p):
        org = self.org_by_slug(p["org"])
        return {"id": p["id"], "slug": p["slug"], "name": p["name"], "organization_name": org["name"],
                "organization_slug": org["slug"], "organization_id": org["id"], "vcs_info": p["vcs_info"]}

    def pipeline_json(self, p):
        return {k: v for k, v in p.items() if not k.startswith("_")}

    def workflow_json(self, w):
        pl = self.pipelines[w["pipeline_id"]]
        out = {k: v for k, v in w.items() if not k.startswith("_")}
        out.update(pipeline_number=pl["number"], project_slug=pl["project_slug"])
        return out

    def job_json(self, j):
        out = {k: v for k, v in j.items() if not k.startswith("_") and k != "workflow_id"}
        out["project_slug"] = self.job_project_slug(j)
        return out

    def webhook_json(self, h):
        out = {"id": h["id"], "name": h["name"], "url": h["url"], "verify_tls": h["verify_tls"]}
        if h["signing_secret"]:
            out["signing_secret"] = "****"
        elif self.options["unset_secret"] == "empty":
            out["signing_secret"] = ""
        # Events come back in another order than they were sent (compare as sets).
        out.update(scope=h["scope"], events=list(reversed(h["events"])),
                   created_at=h["created_at"], updated_at=h["updated_at"])
        return out


# ---------------------------------------------------------------------------------------------
# One request, parsed.

class Request:
    def __init__(self, method, raw_path, query_string, headers, body):
        self.method, self.raw_path, self.headers, self.body = method, raw_path, headers, body
        self.params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        self.user = None

    def arg(self, name):
        values = self.params.get(name)
        return values[0] if values else None

    def json(self, empty_ok=False):
        if empty_ok and not self.body.strip():
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "Invalid JSON body.")  # text [INF]

    def json_object(self, empty_ok=False):
        body = self.json(empty_ok)
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object.")
        return body


ROUTES = []  # (method, compiled path regex, function); matched on the raw (undecoded) path


def route(method, pattern):
    def register(fn):
        seg = r"([^/]+)"
        rx = pattern.replace("{slug}", seg + "/" + seg + "/" + seg).replace("{id}", seg)
        ROUTES.append((method, re.compile(rx), fn))
        return fn
    return register


# ---------------------------------------------------------------------------------------------
# The CircleCI API. Each handler runs under the store lock and returns (status, JSON object).

class Api:
    def __init__(self, store):
        self.s = store

    # -- auth ------------------------------------------------------------------------------------

    def authenticate(self, req):
        token = None
        auth = req.headers.get("Authorization")
        if req.headers.get("Circle-Token") is not None:
            token = req.headers["Circle-Token"].strip()
        elif auth is not None:
            scheme, _, cred = auth.strip().partition(" ")
            if scheme.lower() == "bearer":
                token = cred.strip()  # a valueless "Bearer" is malformed -> 401
            elif scheme.lower() == "basic":
                try:
                    token = base64.b64decode(cred.strip(), validate=True).decode("utf-8").split(":", 1)[0]
                except (binascii.Error, UnicodeDecodeError):
                    token = None
        elif self.s.options["accept_query_token"]:
            token = req.arg("circle-token")
        if token and token in self.s.project_tokens:
            raise ApiError(403, "Forbidden.")
        user = self.s.users.get(self.s.tokens.get(token)) if token else None
        if user is None:
            raise ApiError(401, "You must log in first.")
        req.user = user

    # -- helpers ---------------------------------------------------------------------------------

    def paginate(self, req, items, key, page_size=None):
        """{"items", "next_page_token"}; the token is opaque (base64 of offset and list) and bound
        to the list it came from: any other token is 400 "Invalid page token"."""
        size = max(1, int(page_size or self.s.options["page_size"]))
        token, offset = req.arg("page-token"), 0
        if token:
            try:
                data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
                if data["k"] != key or not isinstance(data["o"], int) or data["o"] < 0:
                    raise ValueError
                offset = data["o"]
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise ApiError(400, "Invalid page token")  # [INF]
        nxt = None
        if offset + size < len(items):
            raw = json.dumps({"o": offset + size, "k": key}, separators=(",", ":")).encode()
            nxt = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if token and self.s.options["repeat_page_token"]:
            nxt = token
        return {"items": items[offset:offset + size], "next_page_token": nxt}

    def project_from_path(self, req, segments):
        """A project from path segments: gh/<org>/<repo>, github/..., circleci/<org>/<project>, or a
        bare project UUID. Only a literal / separates segments: %2F lands in one segment -> 404."""
        segs = [urllib.parse.unquote(s) for s in segments]
        if any("/" in s or s in ("", ".", "..") for s in segs):
            raise ApiError(404, "Project not found")
        project = None
        if len(segs) == 1:
            project = self.s.project_by_id(segs[0])
        else:
            org = self.s.org_by_slug(segs[0] + "/" + segs[1])
            vcs = SHORT_VCS.get(segs[0].lower())
            if org is not None and vcs == "circleci":
                in_org = [p for p in self.s.projects if p["org"] == org["slug"]]
                project = next((p for p in in_org if segs[2] in (p["slug"].split("/")[2], p["id"])), None)
                if project is None and any(p["name"] == segs[2] for p in in_org):
                    raise ApiError(400, "Invalid project slug: standalone projects are circleci/<org-id>/<project-id>")
            elif org is not None:
                project = next((p for p in self.s.projects if p["org"] == org["slug"]
                                and p["slug"].split("/")[2].lower() == segs[2].lower()), None)
            elif vcs == "circleci" and any(o["name"] == segs[1] for o in self.s.orgs):
                raise ApiError(400, "Invalid project slug: standalone projects are circleci/<org-id>/<project-id>")
        if project is None or self.s.role(req.user, self.s.org_by_slug(project["org"])) is None:
            raise ApiError(404, "Project not found")
        return project

    def workflow_for(self, req, wid):
        w = self.s.workflows.get(urllib.parse.unquote(wid))
        if w is None or not self.s.visible(w) or not self.can_read(req, self.s.pipelines[w["pipeline_id"]]):
            raise ApiError(404, "Workflow not found")
        return w

    def can_read(self, req, pipeline):
        p = self.s.project_by_slug(pipeline["project_slug"])
        return self.s.role(req.user, self.s.org_by_slug(p["org"])) is not None

    def newest_first(self, pipelines):
        return sorted((p for p in pipelines if self.s.visible(p)), key=lambda p: parse_ts(p["created_at"]),
                      reverse=True)

    def mine(self, req, pipelines):
        return [p for p in pipelines if p.get("trigger", {}).get("actor", {}).get("login") == req.user["login"]]

    # -- user and discovery ----------------------------------------------------------------------

    @route("GET", r"/api/v2/me")
    def me(self, req):
        u = req.user
        return 200, {"id": u["id"], "login": u["login"], "name": u["name"], "avatar_url": u["avatar_url"]}

    @route("GET", r"/api/v2/me/collaborations")
    def collaborations(self, req):  # a bare array, hyphenated vcs-type, no pagination
        return 200, [{"id": o["id"], "vcs-type": o["vcs_type"], "name": o["name"], "slug": o["slug"],
                      "avatar_url": o["avatar_url"]} for o in self.s.orgs if self.s.role(req.user, o)]

    @route("GET", r"/api/v1.1/projects")
    def v1_projects(self, req):  # classic (GitHub OAuth / Bitbucket) followed projects; no slug
        out = []
        for p in self.s.projects:
            org = self.s.org_by_slug(p["org"])
            if org["vcs_type"] in ("github", "bitbucket") and p["followed"] and self.s.role(req.user, org):
                branch = p["vcs_info"]["default_branch"]
                out.append({"vcs_url": p["vcs_info"]["vcs_url"], "vcs_type": org["vcs_type"],
                            "username": org["name"], "reponame": p["slug"].split("/")[2],
                            "default_branch": branch, "followed": True, "branches": {branch: {}}})
        return 200, out

    @route("GET", r"/api/v2/project/{slug}")
    def project(self, req, a, b, c):
        return 200, self.s.project_json(self.project_from_path(req, [a, b, c]))

    @route("GET", r"/api/v2/project/{id}")
    def project_by_uuid(self, req, pid):
        return 200, self.s.project_json(self.project_from_path(req, [pid]))

    # -- pipelines, workflows, jobs --------------------------------------------------------------

    @route("GET", r"/api/v2/pipeline")
    def org_pipelines(self, req):
        slug = req.arg("org-slug")
        if not slug:
            raise ApiError(400, "org-slug is required")  # [INF]
        org = self.s.org_by_slug(slug)
        pipelines = []
        if org is not None and self.s.role(req.user, org):  # unknown org or no access: empty list [INF]
            slugs = {p["slug"] for p in self.s.projects if p["org"] == org["slug"] and p["followed"]}
            pipelines = [p for p in self.s.pipelines.values() if p["project_slug"] in slugs]
        if req.arg("mine") == "true":
            pipelines = self.mine(req, pipelines)
        items = [self.s.pipeline_json(p) for p in self.newest_first(pipelines)]
        return 200, self.paginate(req, items, "org:%s:%s" % (slug, req.arg("mine")))

    def project_pipelines(self, req, segs, only_mine):
        project = self.project_from_path(req, segs)
        pipelines = [p for p in self.s.pipelines.values() if p["project_slug"] == project["slug"]]
        branch = req.arg("branch")
        if branch is not None and not only_mine:
            pipelines = [p for p in pipelines if (p.get("vcs") or {}).get("branch") == branch or
                         ((p.get("trigger_parameters") or {}).get("git") or {}).get("branch") == branch]
        if only_mine:
            pipelines = self.mine(req, pipelines)
        items = [self.s.pipeline_json(p) for p in self.newest_first(pipelines)]
        return 200, self.paginate(req, items, "project:%s:%s:%s" % (project["id"], branch, only_mine))

    @route("GET", r"/api/v2/project/{slug}/pipeline")
    def pipelines_of_project(self, req, a, b, c):
        return self.project_pipelines(req, [a, b, c], False)

    @route("GET", r"/api/v2/project/{slug}/pipeline/mine")
    def my_pipelines_of_project(self, req, a, b, c):
        return self.project_pipelines(req, [a, b, c], True)

    @route("GET", r"/api/v2/project/{slug}/pipeline/(\d+)")
    def pipeline_by_number(self, req, a, b, c, number):
        project = self.project_from_path(req, [a, b, c])
        for p in self.s.pipelines.values():
            if p["project_slug"] == project["slug"] and p["number"] == int(number) and self.s.visible(p):
                return 200, self.s.pipeline_json(p)
        raise ApiError(404, "Pipeline not found")

    def pipeline_for(self, req, pid):
        p = self.s.pipelines.get(urllib.parse.unquote(pid))
        if p is None or not self.s.visible(p) or not self.can_read(req, p):
            raise ApiError(404, "Pipeline not found")
        return p

    @route("GET", r"/api/v2/pipeline/{id}")
    def pipeline(self, req, pid):
        return 200, self.s.pipeline_json(self.pipeline_for(req, pid))

    @route("GET", r"/api/v2/pipeline/{id}/workflow")
    def pipeline_workflows(self, req, pid):
        p = self.pipeline_for(req, pid)
        wfs = sorted((w for w in self.s.workflows.values() if w["pipeline_id"] == p["id"] and self.s.visible(w)),
                     key=lambda w: parse_ts(w["created_at"]),
                     reverse=self.s.options["workflow_order"] == "newest_first")
        return 200, self.paginate(req, [self.s.workflow_json(w) for w in wfs], "pipeline:" + p["id"])

    @route("GET", r"/api/v2/workflow/{id}")
    def workflow(self, req, wid):
        return 200, self.s.workflow_json(self.workflow_for(req, wid))

    @route("GET", r"/api/v2/workflow/{id}/job")
    def workflow_jobs(self, req, wid):
        w = self.workflow_for(req, wid)
        jobs = [self.s.job_json(j) for j in self.s.jobs.values() if j["workflow_id"] == w["id"]]
        return 200, self.paginate(req, jobs, "workflow:" + w["id"])

    @route("POST", r"/api/v2/workflow/{id}/rerun")
    def rerun(self, req, wid):
        w = self.workflow_for(req, wid)
        body = req.json_object(empty_ok=True)
        jobs = body.get("jobs")
        for flag in ("from_failed", "enable_ssh", "sparse_tree"):
            if flag in body and not isinstance(body[flag], bool):
                raise ApiError(400, "%s must be a boolean" % flag)
        if "from_failed" in body and "jobs" in body:
            raise ApiError(400, "from_failed and jobs are mutually exclusive")  # text [INF]
        for flag in ("enable_ssh", "sparse_tree"):
            if body.get(flag) and not jobs:
                raise ApiError(400, "%s requires jobs" % flag)  # text [INF]
        own_jobs = [j for j in self.s.jobs.values() if j["workflow_id"] == w["id"]]
        if jobs is not None:
            if not isinstance(jobs, list) or not jobs or not set(jobs) <= {j["id"] for j in own_jobs}:
                raise ApiError(400, "jobs must be ids of jobs in this workflow")  # text [INF]
        if w["status"] not in WORKFLOW_TERMINAL:
            err = self.s.options["rerun_non_terminal_error"]
            raise ApiError(err["status"], err["message"])
        if body.get("from_failed") and w["status"] != "failed" and self.s.options["rerun_from_failed_requires_failed"]:
            raise ApiError(400, "Workflow is not failed, cannot rerun from failed")
        now = fmt_ts(self.s.now())
        # The new workflow joins the same pipeline, same name, running. The original stays listed.
        new = self.s.add("workflows", {"pipeline_id": w["pipeline_id"], "name": w["name"], "status": "running",
                                       "created_at": now, "stopped_at": None, "started_by": req.user["id"],
                                       "_rerun_of": w["id"]})
        for j in own_jobs:
            again = (jobs is None and not body.get("from_failed")) or (jobs is not None and j["id"] in jobs) \
                or (body.get("from_failed") and j["status"] in JOB_FAILED | {"canceled", "not_run"})
            copy_ = {k: v for k, v in j.items() if k not in ("id", "job_number", "approval_request_id")}
            copy_["workflow_id"] = new["id"]
            if again and j["type"] != "approval":
                copy_.update(status="running", started_at=now, stopped_at=None, _was=j["status"])
            self.s.add("jobs", copy_)
        if self.s.options["rerun_bumps_pipeline_updated_at"]:
            self.s.pipelines[w["pipeline_id"]]["updated_at"] = now
        return 202, {"workflow_id": new["id"]}

    @route("POST", r"/api/v2/workflow/{id}/cancel")
    def cancel(self, req, wid):
        w = self.workflow_for(req, wid)
        if w["status"] not in WORKFLOW_TERMINAL:  # terminal: 202 and nothing changes [INF]
            finish_workflow(self.s, w, "canceled", canceled_by=req.user["id"])
            if self.s.options["deliver_on_cancel"]:
                threading.Thread(target=deliver_all, args=(self.s, w, None), daemon=True).start()
        return 202, {"message": "Accepted."}

    @route("POST", r"/api/v2/workflow/{id}/approve/{id}")
    def approve(self, req, wid, rid):
        w = self.workflow_for(req, wid)
        rid = urllib.parse.unquote(rid)
        job = next((j for j in self.s.jobs.values() if j["workflow_id"] == w["id"] and j["type"] == "approval"
                    and j.get("approval_request_id") == rid and j["status"] == "on_hold"), None)
        if job is None:
            raise ApiError(404, "Not Found")  # [INF]
        job.update(status="success", approved_by=req.user["id"], stopped_at=fmt_ts(self.s.now()))
        if w["status"] == "on_hold":
            w["status"] = "running"
        return 202, {"message": "Accepted."}

    # -- outbound webhooks -----------------------------------------------------------------------

    def check_admin(self, req, project):
        if self.s.role(req.user, self.s.org_by_slug(project["org"])) != "admin":
            err = self.s.options["non_admin_error"]
            raise ApiError(err["status"], err["message"])

    def validate_webhook_fields(self, body, creating):
        """Reads only the hyphenated request keys; snake_case keys are silently ignored."""
        if creating or "name" in body:
            if not isinstance(body.get("name"), str) or not body["name"].strip():
                raise ApiError(400, "name is required")  # texts [INF]
        if creating or "events" in body:
            ev = body.get("events")
            if not isinstance(ev, list) or not ev or not all(isinstance(e, str) and e in WEBHOOK_EVENTS for e in ev):
                raise ApiError(400, "events must be a non-empty list of workflow-completed, job-completed")
        if creating or "url" in body:
            url = body.get("url")
            if not isinstance(url, str) or not re.match(r"(?i)https?://[^/\s]+", url) or \
                    (self.s.options["https_only"] and not url.lower().startswith("https://")):
                raise ApiError(400, "url must be an https:// URL")
        if "verify-tls" in body and not isinstance(body["verify-tls"], bool):
            raise ApiError(400, "verify-tls must be a boolean")
        if "signing-secret" in body and not isinstance(body["signing-secret"], str):
            raise ApiError(400, "signing-secret must be a string")

    def webhook_for(self, req, hid):
        h = self.s.webhooks.get(urllib.parse.unquote(hid))
        project = self.s.project_by_id(h["scope"]["id"]) if h else None
        if h is None or self.s.role(req.user, self.s.org_by_slug(project["org"])) is None:
            raise ApiError(404, "Webhook not found")
        return h, project

    @route("POST", r"/api/v2/webhook")
    def create_webhook(self, req):
        body = req.json_object()
        self.validate_webhook_fields(body, creating=True)
        scope = body.get("scope")
        if not isinstance(scope, dict) or scope.get("type") != "project" or not isinstance(scope.get("id"), str):
            raise ApiError(400, "Invalid scope parameters")
        project = self.s.project_by_id(scope["id"])
        if project is None or self.s.role(req.user, self.s.org_by_slug(project["org"])) is None:
            raise ApiError(404, "Project not found")  # [INF]
        self.check_admin(req, project)
        if sum(h["scope"]["id"] == project["id"] for h in self.s.webhooks.values()) >= self.s.options["webhook_limit"]:
            err = self.s.options["webhook_limit_error"]
            raise ApiError(err["status"], err["message"])
        now = fmt_ts(self.s.now())
        h = self.s.add("webhooks", {"name": body["name"], "url": body["url"], "events": list(dict.fromkeys(body["events"])),
                                    "verify_tls": body.get("verify-tls", False),
                                    "signing_secret": body.get("signing-secret") or None,
                                    "scope": {"id": project["id"], "type": "project"},
                                    "created_at": now, "updated_at": now})
        return 201, self.s.webhook_json(h)

    @route("GET", r"/api/v2/webhook")
    def list_webhooks(self, req):
        sid, stype = req.arg("scope-id"), req.arg("scope-type")
        if not sid or stype != "project":
            raise ApiError(400, "Invalid scope parameters")
        project = self.s.project_by_id(sid)
        if project is None or self.s.role(req.user, self.s.org_by_slug(project["org"])) is None:
            raise ApiError(404, "Project not found")  # [INF]
        items = [self.s.webhook_json(h) for h in self.s.webhooks.values() if h["scope"]["id"] == sid]
        size = self.s.options["webhook_page_size"]
        if not size:
            return 200, {"items": items, "next_page_token": None}
        return 200, self.paginate(req, items, "webhook:" + sid, size)

    @route("GET", r"/api/v2/webhook/{id}")
    def get_webhook(self, req, hid):
        return 200, self.s.webhook_json(self.webhook_for(req, hid)[0])

    @route("PUT", r"/api/v2/webhook/{id}")
    def update_webhook(self, req, hid):
        h, project = self.webhook_for(req, hid)
        body = req.json_object()
        self.validate_webhook_fields(body, creating=False)
        self.check_admin(req, project)
        # A full replace for the secret: no signing-secret in the body removes it. scope is ignored.
        h["signing_secret"] = body.get("signing-secret") or None
        if "verify-tls" in body or self.s.options["put_resets_verify_tls"]:
            h["verify_tls"] = body.get("verify-tls", False)
        for key in ("name", "url"):
            if key in body:
                h[key] = body[key]
        if "events" in body:
            h["events"] = list(dict.fromkeys(body["events"]))
        h["updated_at"] = fmt_ts(self.s.now())
        return 200, self.s.webhook_json(h)

    @route("DELETE", r"/api/v2/webhook/{id}")
    def delete_webhook(self, req, hid):
        h, project = self.webhook_for(req, hid)
        self.check_admin(req, project)
        del self.s.webhooks[h["id"]]
        return 200, {"message": "Webhook deleted."}  # text [INF]


# ---------------------------------------------------------------------------------------------
# Finishing workflows and delivering signed workflow-completed webhooks.

def finish_workflow(store, w, status, stopped_at=None, canceled_by=None):
    stopped = stopped_at or fmt_ts(store.now())
    w.update(status=status, stopped_at=stopped)
    if canceled_by:
        w["canceled_by"] = canceled_by
    open_jobs = [j for j in store.jobs.values() if j["workflow_id"] == w["id"] and j["status"] in
                 ("running", "queued", "not_running", "blocked", "on_hold")]
    failing = [j for j in open_jobs if j.get("_was") in JOB_FAILED] or open_jobs[-1:]
    for j in open_jobs:
        if status == "success":
            j_status = "success"
        elif status == "failed":
            j_status = "failed" if j in failing else "success"
        else:
            j_status = "canceled"
        j.update(status=j_status, stopped_at=stopped)
        j.pop("_was", None)


def workflow_event(store, w, hook_id, hook_name):
    pl = store.pipelines[w["pipeline_id"]]
    project = store.project_by_slug(pl["project_slug"])
    org = store.org_by_slug(project["org"])
    vcs, rest = project["slug"].split("/", 1)
    slug = LONG_VCS[vcs] + "/" + rest                  # webhooks use github/..., the API gh/...
    pipeline = {"id": pl["id"], "number": pl["number"], "created_at": pl["created_at"],
                "trigger": {"type": pl["trigger"].get("type", "webhook")}}
    if pl.get("vcs"):
        pipeline["vcs"] = dict(pl["vcs"], provider_name=pl["vcs"].get("provider_name", "GitHub").lower())
    if pl.get("trigger_parameters"):
        pipeline["trigger_parameters"] = pl["trigger_parameters"]
    event_id = uuid.uuid3(uuid.NAMESPACE_URL, "%s/%s/%s/%s" % (hook_id, w["id"], w["status"], w["stopped_at"]))
    return {"type": "workflow-completed", "id": str(event_id), "happened_at": fmt_ts_us(store.now()),
            "webhook": {"id": hook_id, "name": hook_name},
            "project": {"id": project["id"], "name": project["name"], "slug": slug},
            "organization": {"id": org["id"], "name": org["name"]},
            "workflow": {"id": w["id"], "name": w["name"], "created_at": w["created_at"],
                         "stopped_at": w["stopped_at"], "status": w["status"],
                         "url": "https://app.circleci.com/pipelines/%s/%d/workflows/%s" % (slug, pl["number"], w["id"])},
            "pipeline": pipeline}


def deliver(store, url, secret, payload):
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {"content-type": "application/json", "user-agent": "CircleCI-Webhook/1.0",
               "circleci-event-type": payload["type"]}
    if secret:
        headers["circleci-signature"] = "v1=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    record = {"url": url, "headers": headers, "body": body.decode("utf-8"), "status": None, "error": None}
    context = None
    if url.lower().startswith("https://"):
        cafile = store.options["receiver_cafile"]
        context = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST"),
                                    timeout=10, context=context) as resp:
            record["status"] = resp.status
    except urllib.error.HTTPError as e:
        record["status"] = e.code
    except (OSError, ValueError) as e:
        record["error"] = str(e)
    with store.lock:
        store.deliveries.append(record)
    return record


def deliver_all(store, w, receiver):
    """receiver {"url", "secret"}: one delivery there. Otherwise one per workflow-completed webhook
    of the project, sent to options.webhook_receiver (never to the hooks' own, fictional, URLs)."""
    with store.lock:
        if receiver:
            jobs = [(receiver["url"], receiver.get("secret"), workflow_event(store, w, new_id(), "standin-receiver"))]
        elif store.options["webhook_receiver"]:
            project = store.project_by_slug(store.pipelines[w["pipeline_id"]]["project_slug"])
            jobs = [(store.options["webhook_receiver"], h["signing_secret"], workflow_event(store, w, h["id"], h["name"]))
                    for h in store.webhooks.values()
                    if h["scope"]["id"] == project["id"] and "workflow-completed" in h["events"]]
        else:
            jobs = []
    return [deliver(store, *job) for job in jobs]


# ---------------------------------------------------------------------------------------------
# Faults and rate limits.

FAULT_KEYS = {"method", "path", "status", "retry_after", "delay", "count", "skip", "body"}


def normalise_fault(f):
    if not isinstance(f, dict) or set(f) - FAULT_KEYS:
        raise ApiError(400, "fault: keys are %s" % ", ".join(sorted(FAULT_KEYS)))
    return {"method": f.get("method", "*").upper(), "path": f.get("path", "*"), "status": f.get("status"),
            "retry_after": f.get("retry_after"), "delay": float(f.get("delay", 0)), "count": f.get("count"),
            "skip": int(f.get("skip", 0)), "body": f.get("body")}


def take_fault(store, method, path):
    """The first fault matching method + path (a glob, or a regex when it starts with ^), counted."""
    for f in store.faults:
        if f["method"] not in ("*", method):
            continue
        if not (re.search(f["path"], path) if f["path"].startswith("^") else fnmatch.fnmatchcase(path, f["path"])):
            continue
        if f["skip"] > 0:
            f["skip"] -= 1
            return None
        if f["count"] is not None:
            f["count"] -= 1
            if f["count"] <= 0:
                store.faults.remove(f)
        return dict(f)
    return None


def fault_response(f):
    status = int(f["status"])
    headers = {}
    if status == 429:
        if f["retry_after"] is not None:
            headers["Retry-After"] = str(f["retry_after"])
        body = f["body"] if f["body"] is not None else "Rate limited."
    elif status == 500 and f["body"] is None:
        body = {"message": "Internal server error."}
    else:
        body = f["body"] if f["body"] is not None else {"message": HTTPStatus(status).phrase}
    if isinstance(body, str):
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return status, headers, body.encode("utf-8")
    return status, headers, json.dumps(body).encode("utf-8")


def rate_limit(store):
    """(headers, exceeded) when options.rate_limit is on: a fixed window of `window` seconds."""
    rl = store.options["rate_limit"]
    if not rl:
        return {}, False
    limit, window = int(rl.get("limit", 100)), float(rl.get("window", 60))
    start, count = store.rate_window
    now = time.monotonic()
    if now - start >= window:
        start, count = now, 0
    count += 1
    store.rate_window = (start, count)
    reset = max(1, math.ceil(window - (now - start)))
    headers = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(max(0, limit - count)),
               "RateLimit-Reset": str(reset)}
    exceeded = bool(rl.get("enforce")) and count > limit
    if exceeded:
        headers["Retry-After"] = str(reset)
    return headers, exceeded


# ---------------------------------------------------------------------------------------------
# The test-control API under /_standin/ (no auth; never logged).

CONTROL_KINDS = ("users", "orgs", "projects", "pipelines", "workflows", "jobs", "webhooks")


def control(store, fixture_path, method, path, req):
    s = store
    if (method, path) == ("GET", "/_standin/health"):
        return 200, {"ok": True}
    if path == "/_standin/state":
        if method == "GET":
            return 200, s.dump()
        if method == "PUT":
            fx = req.json_object()
            old = s.dump()
            try:
                s.load(fx)
            except (ApiError, KeyError, ValueError, TypeError, AttributeError) as e:
                s.load(old)
                raise ApiError(400, "bad fixture: %s" % e)
            return 200, {"ok": True}
    if (method, path) == ("POST", "/_standin/reset"):
        with open(fixture_path, encoding="utf-8") as f:
            s.load(json.load(f))
        s.requests.clear()
        s.faults.clear()
        s.deliveries.clear()
        return 200, {"ok": True}
    if path == "/_standin/options":
        if method in ("PATCH", "POST", "PUT"):
            body = req.json_object()
            unknown = set(body) - set(DEFAULT_OPTIONS)
            if unknown:
                raise ApiError(400, "unknown options: %s" % ", ".join(sorted(unknown)))
            s.options.update(body)
        return 200, s.options
    if path == "/_standin/clock":
        if method in ("POST", "PUT"):
            body = req.json_object()
            if "now" in body:
                s.clock = parse_ts(body["now"]) if body["now"] else None
            if "advance" in body:
                s.clock = s.now() + timedelta(seconds=float(body["advance"]))
        return 200, {"now": fmt_ts(s.now()), "fixed": s.clock is not None}
    kind = path[len("/_standin/"):]
    if kind in CONTROL_KINDS and method == "POST":
        body = req.json()
        added = []
        try:
            for obj in body if isinstance(body, list) else [body]:
                added.append(s.add(kind, obj))
        except (KeyError, ValueError, TypeError, AttributeError) as e:
            raise ApiError(400, "bad %s: %s" % (kind, e))
        return 201, added if isinstance(body, list) else added[0]
    if kind in CONTROL_KINDS and method == "GET":
        return 200, s.dump()[kind]
    if path == "/_standin/faults":
        if method == "POST":
            body = req.json()
            s.faults.extend(normalise_fault(f) for f in (body if isinstance(body, list) else [body]))
        elif method == "DELETE":
            s.faults.clear()
        return 200, s.faults
    if path == "/_standin/requests":
        if method == "DELETE":
            s.requests.clear()
            return 200, []
        since = int(req.arg("since") or 0)
        return 200, [r for r in s.requests if r["seq"] > since]
    if path == "/_standin/deliveries":
        if method == "DELETE":
            s.deliveries.clear()
        return 200, s.deliveries
    m = re.fullmatch(r"/_standin/workflows/([^/]+)/finish", path)
    if m and method == "POST":
        w = s.workflows.get(m.group(1))
        if w is None:
            raise ApiError(404, "Workflow not found")
        body = req.json_object(empty_ok=True)
        status = body.get("status", "success")
        if status not in WORKFLOW_TERMINAL:
            raise ApiError(400, "status must be terminal: %s" % ", ".join(sorted(WORKFLOW_TERMINAL)))
        finish_workflow(s, w, status, norm_ts(body.get("stopped_at")))
        return 200, {"workflow": s.workflow_json(w), "deliver": body.get("deliver", True),
                     "receiver": body.get("receiver")}
    raise ApiError(404, "Not Found")


# ---------------------------------------------------------------------------------------------
# HTTP plumbing.

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as Qt's QNetworkAccessManager expects
    server_version = "circleci-standin/1.0"
    store = api = fixture_path = None
    verbose = False

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):  # handshake here, not in the accept loop
            self.connection.settimeout(10)
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True
                self.rfile = self.wfile = None
            self.connection.settimeout(None)

    def handle(self):
        if self.rfile is not None:
            super().handle()

    def finish(self):
        if self.rfile is not None:
            try:
                super().finish()
            except OSError:
                pass

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("standin: %s\n" % (fmt % args))

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def dispatch(self):
        began = time.monotonic()
        raw_path, _, query = self.path.partition("?")
        req = Request(self.command, raw_path, query, self.headers, self.read_body())
        if raw_path.startswith("/_standin/"):
            return self.control(req)
        s = self.store
        entry = {"method": self.command, "path": raw_path, "query": query, "params": req.params,
                 "headers": {k.lower(): v for k, v in self.headers.items()},
                 "body": req.body.decode("utf-8", "replace"), "started": round(began - s.started, 6)}
        with s.lock:
            s.seq += 1
            entry["seq"] = s.seq
            s.requests.append(entry)
            fault = take_fault(s, self.command, raw_path)
            rl_headers, rl_exceeded = rate_limit(s)
        if fault and fault["delay"] > 0:
            time.sleep(fault["delay"])
        if fault and fault["status"] is not None:
            status, headers, body = fault_response(fault)
        elif rl_exceeded:
            status, headers, body = 429, {"Content-Type": "text/plain; charset=utf-8"}, b"Rate limited."
        else:
            status, obj = self.call_api(req)
            headers, body = {}, self.encode(obj, status)
            if isinstance(obj, tuple):  # (content-type, bytes): v1.1 EDN
                headers["Content-Type"], body = obj
        headers.update(rl_headers)
        with s.lock:
            entry.update(status=status, fault=fault, finished=round(time.monotonic() - s.started, 6))
        self.respond(status, headers, body)

    def call_api(self, req):
        for method, rx, fn in ROUTES:
            m = rx.fullmatch(req.raw_path)
            if m and method == req.method:
                try:
                    with self.store.lock:
                        self.api.authenticate(req)
                        status, obj = fn(self.api, req, *m.groups())
                    if fn is Api.v1_projects and self.store.options["v1_edn_without_accept"] and \
                            "application/json" not in (req.headers.get("Accept") or ""):
                        return status, ("application/edn", to_edn(obj).encode("utf-8"))
                    return status, obj
                except ApiError as e:
                    return e.status, {"message": e.message}
                except Exception:  # a bug here, or a fixture it cannot handle: say so, keep serving
                    traceback.print_exc()
                    return 500, {"message": "Internal server error."}
        return 404, {"message": "Not Found"}

    def encode(self, obj, status):
        if isinstance(obj, tuple):
            return obj[1]
        if status >= 400 and self.store.options["pretty_errors"] and set(obj) == {"message"}:
            return ('{"message" : %s}' % json.dumps(obj["message"])).encode("utf-8")
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")

    def control(self, req):
        s = self.store
        try:
            with s.lock:
                status, obj = control(s, self.fixture_path, self.command, req.raw_path, req)
            if req.raw_path.endswith("/finish") and status == 200:  # deliver outside the lock
                deliveries = deliver_all(s, s.workflows[obj["workflow"]["id"]], obj["receiver"]) \
                    if obj["deliver"] else []
                obj = {"workflow": obj["workflow"], "deliveries": deliveries}
        except ApiError as e:
            status, obj = e.status, {"message": e.message}
        except (ValueError, TypeError, KeyError) as e:
            status, obj = 400, {"message": "bad control request: %s" % e}
        self.respond(status, {}, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    def respond(self, status, headers, body):
        headers.setdefault("Content-Type", "application/json")
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = dispatch


def to_edn(value):
    if isinstance(value, dict):
        return "{" + ", ".join(":%s %s" % (k, to_edn(v)) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + " ".join(to_edn(v) for v in value) + "]"
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser(description="Stand-in for the CircleCI API v2 (offline tests).")
    ap.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    ap.add_argument("--fixtures", required=True, help="fixture JSON file (see README.md)")
    ap.add_argument("--port-file", help="write the port here once listening (atomically)")
    ap.add_argument("--tls-cert", help="PEM certificate: serve https")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--exit-on-stdin-eof", action="store_true", help="quit when stdin closes (parent died)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)

    with open(args.fixtures, encoding="utf-8") as f:
        store = Store(json.load(f))
    Handler.store, Handler.api, Handler.verbose = store, Api(store), args.verbose
    Handler.fixture_path = os.path.abspath(args.fixtures)
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    sys.stderr.write("circleci-standin: listening on %s://127.0.0.1:%d/api/v2\n"
                     % ("https" if args.tls_cert else "http", port))
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.read()
            server.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
