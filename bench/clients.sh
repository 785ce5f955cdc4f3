#!/usr/bin/env bash
# Benchmarks sayhi-sync and sayhi-async against public reference tools run in
# the same script on the same servers, and prints one table of ratios
# (machines here are shared and noisy: ratios, not absolute figures).
#
#   a) sayhi-async vs wrk -t1 -c50, delay 0, 200,000 requests,
#      against nginx (one worker) and sayhi-server       target >= 0.9x wrk req/s
#   b) sayhi-sync vs ab -k -c 1 -n 20000, delay 0          target >= 0.9x ab req/s
#   c) sayhi-async N=C=10,000 vs h2load --h1 -n 10000 -c 10000, delay 1s
#                                     target wall <= 1.0x h2load, peak RSS <= 64 MB
#   d) sayhi-sync --threads 100 vs sayhi-async, N=1,000, delay 1s: wall, peak RSS
#
# Every figure is the median of 3 runs. nginx and sayhi-server are started on
# free loopback ports and stopped (by pid) at the end.
#
#   bench/clients.sh             (BUILD=build by default; builds if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SERVER=$BUILD/server/sayhi-server
SYNC=$BUILD/client_sync/sayhi-sync
ASYNC=$BUILD/client_async/sayhi-async

need=()
for tool in wrk ab h2load nginx /usr/bin/time python3; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "clients.sh: missing ${need[*]}: installing the bench tools" >&2
    scripts/install-deps.sh --bench
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null

# 10,000 connections on each side need far more than the usual 1024 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 20100 ]; then
    echo "clients.sh: note: open-file limit is $(ulimit -n); case c needs ~20,100 (raise the hard limit)" >&2
fi

tmp=$(mktemp -d /tmp/sayhi-bench-clients.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | sed -n 2p; }           # of exactly 3 lines
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b if b else 0))" "$1" "$2"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

# --- servers ---------------------------------------------------------------
"$SERVER" --port 0 --delay 0 --quiet --max-connections 20000 >"$tmp/server.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^listening on' "$tmp/server.out" && break; sleep 0.1; done
sayhi_base=$(sed -n 's/^listening on //p' "$tmp/server.out" | head -1)
[ -n "$sayhi_base" ] || { echo "clients.sh: sayhi-server did not start: $(cat "$tmp/server.out")" >&2; exit 1; }

nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"   # workers must reach the temp prefix
cat >"$tmp/nginx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$nginx_port;
        location /say-hi { default_type application/json; return 200 '{"message":"Hi","delay_ms":0}'; }
    }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break; sleep 0.1; done
nginx_base="http://127.0.0.1:$nginx_port"

rows=()
row() { rows+=("$(printf '%-44s %-24s %-24s %7s  %s' "$@")"); printf '%-44s %-24s %-24s %7s  %s\n' "$@" >&2; }

# --- a) async vs wrk and b) sync vs ab, delay 0: req/s -----------------------
reqs_wrk() { wrk -t1 -c50 -d3s "$1" | awk '/^Requests\/sec/ {print $2}'; }
reqs_async() { "$ASYNC" --url "$1" --number 200000 --concurrency 50 --json | json requests_per_s; }
reqs_ab() { ab -k -q -c 1 -n 20000 "$1" 2>/dev/null | awk '/^Requests per second/ {print $4}'; }
reqs_sync() { "$SYNC" --url "$1" --number 20000 --json | json requests_per_s; }
compare() { # label reference client url: medians of 3 interleaved runs each
    local w=() s=() wm sm
    for _ in 1 2 3; do
        w+=("$("reqs_$2" "$4")")
        s+=("$("reqs_$3" "$4")")
    done
    wm=$(printf '%s\n' "${w[@]}" | median)
    sm=$(printf '%s\n' "${s[@]}" | median)
    row "$1" "$2 $(printf %.0f "$wm") req/s" "$3 $(printf %.0f "$sm") req/s" "$(ratio "$sm" "$wm")x" ">= 0.9x"
}
compare "a) async vs wrk -c50, delay 0, nginx" wrk async "$nginx_base/say-hi"
compare "a) async vs wrk -c50, delay 0, sayhi-server" wrk async "$sayhi_base/say-hi?delay=0"
compare "b) sync vs ab -k -c1, delay 0, nginx" ab sync "$nginx_base/say-hi"
compare "b) sync vs ab -k -c1, delay 0, sayhi-server" ab sync "$sayhi_base/say-hi?delay=0"

# --- c) and d): wall time and peak RSS of whole processes ------------------
timed() { # out-file cmd...: "wall_s rss_kb" of the command into out-file; its stdout discarded
    /usr/bin/time -f '%e %M' -o "$1.t" "${@:2}" >/dev/null 2>"$1.err" || true
    cat "$1.t" >"$1"
}
median_of() { awk "{print \$$1}" "${@:2}" | median; }
mb() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / 1024))" "$1"; }

slow="$sayhi_base/say-hi?delay=1s"
for i in 1 2 3; do
    timed "$tmp/c-h2load-$i" h2load --h1 -n 10000 -c 10000 "$slow"
    timed "$tmp/c-async-$i" "$ASYNC" --url "$slow" --number 10000 --concurrency 10000 --quiet
done
hw=$(median_of 1 "$tmp"/c-h2load-?); hr=$(median_of 2 "$tmp"/c-h2load-?)
aw=$(median_of 1 "$tmp"/c-async-?); ar=$(median_of 2 "$tmp"/c-async-?)
row "c) async vs h2load, N=C=10000, delay 1s: wall" "h2load ${hw} s" "async ${aw} s" "$(ratio "$aw" "$hw")x" "<= 1.0x"
row "c) same runs: peak RSS" "h2load $(mb "$hr") MB" "async $(mb "$ar") MB" "" "async <= 64 MB"
if grep -q . "$tmp"/c-async-?.err; then echo "clients.sh: sayhi-async reported: $(head -1 "$tmp"/c-async-1.err)" >&2; fi

for i in 1 2 3; do
    timed "$tmp/d-threads-$i" "$SYNC" --url "$slow" --number 1000 --threads 100 --quiet
    timed "$tmp/d-async-$i" "$ASYNC" --url "$slow" --number 1000 --quiet
done
tw=$(median_of 1 "$tmp"/d-threads-?); tr=$(median_of 2 "$tmp"/d-threads-?)
aw=$(median_of 1 "$tmp"/d-async-?); ar=$(median_of 2 "$tmp"/d-async-?)
row "d) threads T=100 vs async, N=1000, delay 1s" "threads ${tw} s" "async ${aw} s" "$(ratio "$tw" "$aw")x" "(lesson)"
row "d) same runs: peak RSS" "threads $(mb "$tr") MB" "async $(mb "$ar") MB" "$(ratio "$tr" "$ar")x" ""

# --- syscalls per request (what decides a): informational -----------------
if command -v strace >/dev/null 2>&1; then
    strace -c -f -o "$tmp/strace" "$ASYNC" --url "$sayhi_base/say-hi?delay=0" --number 20000 --concurrency 50 --quiet || true
    calls=$(awk '$NF == "total" {print $4}' "$tmp/strace")
    row "async syscalls per request (strace -c)" "wrk: ~4 (DESIGN.md)" "async $(python3 -c "print('%.2f' % ($calls/20000))")" "" ""
fi

echo
printf '%-44s %-24s %-24s %7s  %s\n' "case" "reference" "sayhi" "ratio" "target"
printf '%s\n' "${rows[@]}"
