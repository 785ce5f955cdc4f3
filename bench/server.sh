#!/usr/bin/env bash
# bench/server.sh: sayhi-server against nginx, measured in the same run.
#
# a) requests/s at delay 0, `wrk -t1 -c50 -d5s`, sayhi-server vs nginx (one
#    worker, a static /say-hi), median of 3 interleaved runs, servers on CPU 0
#    and wrk on CPU 1                                target: >= 1.0x nginx
# b) 10,000 concurrent requests, `hey -n 10000 -c 10000`, median of 3 runs:
#    sayhi at delay 1s vs nginx at delay 0; opening 10,000 connections costs
#    over a second by itself, so the server may add only the delay:
#                                target: wall(sayhi) <= 1 s + 1.1 x wall(nginx)
#    and the server's peak RSS                       target: <= 64 MB
#
# Machines here are shared and noisy: the figures are ratios to a reference run
# in the same script. Exit 0 when every target is met, 1 otherwise.
# Environment: BUILD (build dir, default build), RUNS (hey runs, default 3),
# WRK_SECONDS (default 5).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-5}
. bench/lib.sh
bench_prepare

wrk_rps() { taskset -c 1 wrk -t1 -c50 -d"${WRK_SECONDS}s" "$1" | awk '/^Requests\/sec:/ {print $2}'; }

start_nginx
nginx_url="http://127.0.0.1:$nginx_port/say-hi"

# a) Both servers are single-threaded here: each gets CPU 0 and wrk CPU 1, so
# that neither figure depends on where the scheduler puts the two processes
# (unpinned, single runs of the same pair ranged from 0.86x to 1.13x).
echo "a) wrk -t1 -c50 -d${WRK_SECONDS}s at delay 0, $RUNS interleaved runs ..." >&2
start_sayhi --delay 0
pin_servers 0
sayhi_rpss=() nginx_rpss=()
for _ in $(seq "$RUNS"); do
    sayhi_rpss+=("$(wrk_rps "http://127.0.0.1:$sayhi_port/say-hi")")
    nginx_rpss+=("$(wrk_rps "$nginx_url")")
done
pin_servers "0-$(($(nproc) - 1))"
stop_pid "$sayhi_pid"
sayhi_rps=$(printf '%s\n' "${sayhi_rpss[@]}" | median)
nginx_rps=$(printf '%s\n' "${nginx_rpss[@]}" | median)

echo "b) hey -n 10000 -c 10000, $RUNS runs each ..." >&2
nginx_walls=()
for _ in $(seq "$RUNS"); do nginx_walls+=("$(hey_wave "$nginx_url")"); done
start_sayhi --delay 1s
sayhi_walls=()
for _ in $(seq "$RUNS"); do sayhi_walls+=("$(hey_wave "http://127.0.0.1:$sayhi_port/say-hi")"); done
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$sayhi_pid/status")
stop_pid "$sayhi_pid"
stop_pid "$nginx_pid"

nginx_wall=$(printf '%s\n' "${nginx_walls[@]}" | median)
sayhi_wall=$(printf '%s\n' "${sayhi_walls[@]}" | median)

awk -v srps="$sayhi_rps" -v nrps="$nginx_rps" -v sw="$sayhi_wall" -v nw="$nginx_wall" -v rss="$rss_kb" \
    -v sws="${sayhi_walls[*]}" -v nws="${nginx_walls[*]}" -v srs="${sayhi_rpss[*]}" -v nrs="${nginx_rpss[*]}" 'BEGIN {
    fails = 0
    ratio = srps / nrps; ok_a = ratio >= 1.0
    limit = 1 + 1.1 * nw; ok_b = sw <= limit
    mb = rss / 1024; ok_rss = mb <= 64
    fails = !ok_a + !ok_b + !ok_rss
    printf "%-44s %12s %12s %10s %8s\n", "benchmark", "sayhi", "nginx", "measure", "target"
    printf "%-44s %12.0f %12.0f %9.2fx %8s  %s\n", "a) req/s, wrk -t1 -c50, delay 0", srps, nrps, ratio, ">= 1.0x", ok_a ? "met" : "MISSED"
    printf "%-44s %11.2fs %11.2fs %9.2fs %8s  %s\n", "b) wall, hey -n 10000 -c 10000 (sayhi 1s delay)", sw, nw, limit, "<= limit", ok_b ? "met" : "MISSED"
    printf "%-44s %11.1fM %12s %10s %8s  %s\n", "b) sayhi-server peak RSS", mb, "-", "", "<= 64M", ok_rss ? "met" : "MISSED"
    printf "wrk runs (req/s): sayhi %s | nginx %s\n", srs, nrs
    printf "hey runs (s): sayhi %s | nginx %s\n", sws, nws
    exit fails > 0
}'
