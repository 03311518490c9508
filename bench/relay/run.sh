#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
#
# Relay ingest, side by side with the references, in one run: wrk POSTs signed ~2.5 KB events
# (a unique event id per request) to circletray-relay, to nginx answering `return 200` (the
# ceiling, one worker) and to a Node.js server that verifies the HMAC and stores nothing.
# The server runs on core 0 and wrk on core 1 (taskset). Needs wrk, nginx, node (make bench-relay).
#   bench/relay/run.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
seconds="${2:-10}"
conns=64
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
secret=bench-secret
printf '%s\n' "$secret" > "$tmp/secret"
node bench/relay/make-bodies.js "$tmp/bodies.tsv" 200000 "$secret"
export BODIES="$tmp/bodies.tsv"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
measure() { # name url [env]
  local name=$1 url=$2
  local out
  out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${seconds}s" --latency -s bench/relay/post.lua "$url")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %-34s | %10s | %8s | %8s | %s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" > "$tmp/$3.rps"
}

echo "| server | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"

port=$(free_port)
cat > "$tmp/nginx.conf" <<NGINX
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $tmp/body; server { listen 127.0.0.1:$port; client_max_body_size 1m;
  location / { return 200 "ok\n"; } } }
NGINX
taskset -c 0 nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_port "$port"
measure "nginx return 200 (ceiling)" "http://127.0.0.1:$port/webhook" nginx
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

port=$(free_port)
SECRET=$secret PORT=$port taskset -c 0 node bench/relay/node-verify.js &
pids+=($!)
wait_port "$port"
measure "Node.js http + HMAC, no storage" "http://127.0.0.1:$port/webhook" node
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

for mode in normal full; do
  port=$(free_port)
  taskset -c 0 "$build/relay/circletray-relay" serve --port "$port" --secret-file "$tmp/secret" \
    --data-dir "$tmp/relay-$mode" --durability "$mode" >/dev/null 2>"$tmp/relay-$mode.log" &
  pids+=($!)
  wait_port "$port"
  measure "circletray-relay, durability $mode" "http://127.0.0.1:$port/webhook" "relay-$mode"
  if [ "$mode" = normal ]; then
    FIXED=1 measure "circletray-relay, duplicate path" "http://127.0.0.1:$port/webhook" relay-dup
  fi
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

ratio() { awk -v a="$(cat "$tmp/$1.rps")" -v b="$(cat "$tmp/$2.rps")" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "relay (normal) / nginx = $(ratio relay-normal nginx)x   (target >= 0.2x)"
echo "relay (normal) / Node  = $(ratio relay-normal node)x   (target >= 1.5x)"
