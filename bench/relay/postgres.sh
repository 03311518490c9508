#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
#
# Relay ingest on PostgreSQL beside SQLite, in one run (issue 13): wrk POSTs signed ~2.5 KB events,
# a unique event id per request, to one relay on SQLite, one relay on PostgreSQL, and two relays
# sharing one PostgreSQL database (two wrk processes at once, half the connections each; the
# requests/s are summed). PostgreSQL 15 is a throwaway cluster on a unix socket, fsync on,
# synchronous_commit on. Everything shares the machine's cores: read the ratios.
# First, in the same run, POST → WebSocket client latency (circletray-bench-delivery, 500 events/s
# on one keep-alive connection) through one relay on SQLite, one relay on PostgreSQL, and from relay
# A to a client on relay B sharing one PostgreSQL database (A commits, pg_notify wakes B's listener,
# B's tailer reads the new rows and sends them).
# Needs wrk, node, Debian's postgresql-15 (make deps), and the circletray-bench-delivery build.
#   bench/relay/postgres.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
seconds="${2:-10}"
conns=64
pgbin=/usr/lib/postgresql/15/bin
tmp=$(mktemp -d)
chmod 0755 "$tmp"
pids=()
pguser=postgres
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$pguser" -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$tmp/pg" ] && run_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
secret=bench-secret
printf '%s\n' "$secret" > "$tmp/secret"
node bench/relay/make-bodies.js "$tmp/bodies.tsv" 200000 "$secret"
export BODIES="$tmp/bodies.tsv"

# The two halves of the bodies for the two-relay run, so neither posts the other's event ids.
split -n l/2 -d "$tmp/bodies.tsv" "$tmp/half-"

mkdir "$tmp/pg"
[ "$(id -u)" -eq 0 ] && chown "$pguser" "$tmp/pg"
run_pg "$pgbin/initdb" -D "$tmp/pg" -U ct -A trust -E UTF8 --no-locale >/dev/null
run_pg "$pgbin/pg_ctl" -D "$tmp/pg" -w -l "$tmp/pg/log" \
  -o "-c listen_addresses='' -c unix_socket_directories='$tmp/pg' -c fsync=on -c synchronous_commit=on -c max_connections=50" \
  start >/dev/null
run_pg "$pgbin/psql" -h "$tmp/pg" -U ct -d postgres -qc "CREATE DATABASE one" -c "CREATE DATABASE two" \
  -c "CREATE DATABASE latency_one" -c "CREATE DATABASE latency_two"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
relay() { # port data-dir [args…]
  local port=$1 dir=$2; shift 2
  "$build/relay/circletray-relay" serve --port "$port" --secret-file "$tmp/secret" --data-dir "$dir" \
    --max-connections-per-address 0 "$@" >/dev/null 2>"$dir.log" &
  pids+=($!)
  wait_port "$port"
}
wrk_run() { # connections url bodies → "rps p50 p99 non2xx"
  local out
  out=$(BODIES=$3 wrk -t1 -c"$1" -d"${seconds}s" --latency -s bench/relay/post.lua "$2")
  awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {n=$5} END {print r, p50, p99, (n ? n : 0)}' <<<"$out"
}
row() { printf '| %-44s | %10s | %8s | %8s | %s |\n' "$@"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
latency() { # [bench-delivery args…] → p50 p99 of POST → client, of POST → 200, of 200 → client
  "$build/bench/circletray-bench-delivery" --relay "$build/relay/circletray-relay" --events 3000 --rate 500 \
    --clients 100 --fanout-events 5 "$@" 2>"$tmp/latency.err" \
    | awk -F'|' 'function v(i) { x = $i; gsub(/ /, "", x); return x }
                 /^\| POST.*client.*latency run/ { c = v(4) " " v(5) } /^\| POST -> 200/ { s = v(4) " " v(5) }
                 /^\| 200 -> / { d = v(4) " " v(5) } END { print c, s, d }'
}
lrow() { printf '| %-44s | %10s | %10s | %10s | %10s | %10s | %10s |\n' "$@"; }
lat_row() { # name [bench-delivery args…]
  local name=$1 p50= p99= s50= s99= d50= d99=
  shift
  read -r p50 p99 s50 s99 d50 d99 < <(latency "$@") || true
  lrow "$name" "${p50:-failed}" "${p99:-failed}" "${s50:-failed}" "${s99:-failed}" "${d50:-failed}" "${d99:-failed}"
}
echo "| 500 events/s on one connection | POST → client p50 | p99 | POST → 200 p50 | p99 | 200 → client p50 | p99 |"
echo "|---|---|---|---|---|---|---|"
lat_row "1 relay, SQLite"
lat_row "1 relay, PostgreSQL" --database "postgresql://ct@/latency_one?host=$tmp/pg"
lat_row "POST on relay A → client on relay B (PG)" --database "postgresql://ct@/latency_two?host=$tmp/pg" --second-relay
echo

echo "| relays | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"

port=$(free_port)
relay "$port" "$tmp/sqlite"
read -r rps p50 p99 bad < <(wrk_run "$conns" "http://127.0.0.1:$port/webhook" "$BODIES")
row "1 relay, SQLite" "$rps" "$p50" "$p99" "$bad"
sqlite_rps=$rps
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

port=$(free_port)
relay "$port" "$tmp/pg-one" --database "postgresql://ct@/one?host=$tmp/pg"
read -r rps p50 p99 bad < <(wrk_run "$conns" "http://127.0.0.1:$port/webhook" "$BODIES")
row "1 relay, PostgreSQL" "$rps" "$p50" "$p99" "$bad"
pg1_rps=$rps
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

a=$(free_port); relay "$a" "$tmp/pg-a" --database "postgresql://ct@/two?host=$tmp/pg"
b=$(free_port); relay "$b" "$tmp/pg-b" --database "postgresql://ct@/two?host=$tmp/pg"
wrk_run $((conns / 2)) "http://127.0.0.1:$a/webhook" "$tmp/half-00" > "$tmp/a.out" &
wa=$!
wrk_run $((conns / 2)) "http://127.0.0.1:$b/webhook" "$tmp/half-01" > "$tmp/b.out" &
wb=$!
wait "$wa" "$wb"
read -r ra pa50 pa99 bada < "$tmp/a.out"
read -r rb pb50 pb99 badb < "$tmp/b.out"
pg2_rps=$(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.2f", a + b }')
row "2 relays, one PostgreSQL (A + B)" "$pg2_rps" "$pa50 / $pb50" "$pa99 / $pb99" "$((bada + badb))"
stored=$(run_pg "$pgbin/psql" -h "$tmp/pg" -U ct -d two -Atc "SELECT count(*), count(DISTINCT event_id) FROM ct_events")
echo
echo "two relays stored (rows, distinct ids): $stored"
awk -v s="$sqlite_rps" -v p1="$pg1_rps" -v p2="$pg2_rps" \
  'BEGIN { printf "PostgreSQL 1 relay / SQLite = %.2fx; 2 relays / 1 relay on PostgreSQL = %.2fx\n", p1 / s, p2 / p1 }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
