-- SPDX-FileCopyrightText: 2026 CircleTray contributors
-- SPDX-License-Identifier: MIT
--
-- The PostgreSQL role and database that several circletray-relay processes share (README, "Run
-- relays for a team"). Run as a superuser: sudo -u postgres psql -f circletray-relay.sql
-- then set the password: sudo -u postgres psql -c "\password circletray"
-- The relays create and migrate their tables at start (whichever starts first; the others wait).

CREATE ROLE circletray LOGIN;
CREATE DATABASE circletray OWNER circletray;

-- A relay that hangs inside a transaction holds the append lock: cut it off, so the other relays
-- go on (their blocked appends answer 503, which CircleCI retries, instead of hanging).
ALTER ROLE circletray SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE circletray SET lock_timeout = '5s';
ALTER ROLE circletray SET statement_timeout = '8s';
-- "200" must mean "on disk": keep the default (the relay also sets it for its own sessions).
ALTER ROLE circletray SET synchronous_commit = 'on';

-- postgresql.conf on the server (not per role):
--   listen_addresses = 'the private address the relays reach'
--   ssl = on                          (and sslmode=verify-full in the relays' --database URL)
--   max_connections >= 10 per relay   (each relay holds a few: log, listener, checkpoint-free)
-- pg_hba.conf:
--   hostssl circletray circletray 10.0.0.0/24 scram-sha-256
-- With a standby for failover, make it synchronous, or a failover can lose events that were
-- answered 200:  synchronous_standby_names = 'FIRST 1 (standby1)'
-- Never put pgbouncer in transaction mode between the relays and the database: it breaks LISTEN
-- (the relays' wake-ups) and the transaction-scoped append lock's guarantees. Session mode is fine.
