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
#    The same waves against bench/held.c (the least a server can do to answer
#    after 1 s) are printed beside it, as this machine's floor: no target.
# c) 10,000 concurrent requests with delay=lognormal:200ms,1s (hey), pinned
#    as in a): the server's own lateness, `took` minus the delay drawn in its
#    access log, at p99, median of 3 runs            target: <= 2 ms
#    and its peak RSS                                target: <= 64 MB
# d) 5,000 concurrent requests with size=100k&delay=1s (hey): all complete,
#    and the server's peak RSS                       target: <= 64 MB
# e) body bytes/s at size=100k, delay 0, `wrk -t1 -c50`, vs nginx serving a
#    100 KB file, median of 3 interleaved runs, pinned as in a)
#                                                    target: >= 0.9x nginx
# f) req/s at delay 0 with the live dashboard open in headless Chromium (on
#    CPU 1, with wrk: a client, as the class's projector is) against the same
#    server without it, median of 3 interleaved runs   target: >= 0.97x
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
# Body bytes per second: wrk's Transfer/sec counts headers too, so it is
# requests/s times the body size given.
wrk_bps() { awk -v rps="$(wrk_rps "$1")" -v size="$2" 'BEGIN {printf "%.0f\n", rps * size}'; }

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
sayhi_rps=$(printf '%s\n' "${sayhi_rpss[@]}" | median)
nginx_rps=$(printf '%s\n' "${nginx_rpss[@]}" | median)

echo "f) the same with the dashboard open in headless Chromium, $RUNS interleaved runs ..." >&2
plain_rpss=() dash_rpss=()
for _ in $(seq "$RUNS"); do
    plain_rpss+=("$(wrk_rps "http://127.0.0.1:$sayhi_port/say-hi")")
    taskset -c 1 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/chromium" "http://127.0.0.1:$sayhi_port/" >/dev/null 2>&1 &
    chromium_pid=$!
    track_pid "$chromium_pid"
    sleep 5 # the page is up and polling, chromium past its start-up work
    dash_rpss+=("$(wrk_rps "http://127.0.0.1:$sayhi_port/say-hi")")
    if ! kill -0 "$chromium_pid" 2>/dev/null; then
        echo "$bench_name: chromium exited before the run with the dashboard ended" >&2
        exit 1
    fi
    stop_pid "$chromium_pid"
done
pin_servers "0-$(($(nproc) - 1))"
stop_pid "$sayhi_pid"
plain_rps=$(printf '%s\n' "${plain_rpss[@]}" | median)
dash_rps=$(printf '%s\n' "${dash_rpss[@]}" | median)

echo "b) hey -n 10000 -c 10000, $RUNS runs each ..." >&2
nginx_walls=()
for _ in $(seq "$RUNS"); do nginx_walls+=("$(hey_wave "$nginx_url")"); done
# The same waves against bench/held.c, interleaved: the least a server can do
# to hold each request for 1 s. It has no target; it shows where this machine
# puts the floor (on the 2-core VMs here hey needs more CPU for 10,000
# connections held open than for 10,000 answered at once).
cc -O2 -o "$tmp/held" bench/held.c
"$tmp/held" 1000 >"$tmp/held.out" &
held_pid=$!
track_pid "$held_pid"
for _ in $(seq 50); do
    held_port=$(sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/held.out")
    [ -n "$held_port" ] && break
    sleep 0.1
done
start_sayhi --delay 1s
sayhi_walls=() held_walls=()
for _ in $(seq "$RUNS"); do
    sayhi_walls+=("$(hey_wave "http://127.0.0.1:$sayhi_port/say-hi")")
    held_walls+=("$(hey_wave "http://127.0.0.1:$held_port/say-hi")")
done
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$sayhi_pid/status")
stop_pid "$sayhi_pid"
stop_pid "$held_pid"

# c) The server on CPU 0 and hey on CPU 1, as in a): unpinned, hey's threads
# take the server's CPU for tens of ms at a time and the lateness measured is
# the scheduler's (p99 50-150 ms here), not the server's.
echo "c) hey -n 10000 -c 10000, delay=lognormal:200ms,1s, $RUNS runs ..." >&2
lates=() lognormal_rss_kb=0
c_ticks=$(cpu_ticks)
for _ in $(seq "$RUNS"); do
    start_sayhi --access-log --seed 1
    pin_servers 0
    taskset -c 1 hey -n 10000 -c 10000 "http://127.0.0.1:$sayhi_port/say-hi?delay=lognormal:200ms,1s" >/dev/null 2>&1
    rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$sayhi_pid/status")
    [ "$rss" -gt "$lognormal_rss_kb" ] && lognormal_rss_kb=$rss
    stop_pid "$sayhi_pid"
    # "... delay=D.DDDms took=T.TTTms": lateness in ms, p99 by nearest rank
    lates+=("$(awk '/ INFO GET \/say-hi\?delay=lognormal/ {
            d = $0; sub(/.* delay=/, "", d); sub(/ms .*/, "", d)
            t = $0; sub(/.* took=/, "", t); sub(/ms.*/, "", t)
            print t - d }' "$tmp/sayhi.out" | sort -g |
        awk '{v[NR] = $1} END {r = int(NR * 0.99); if (r < NR * 0.99) r++; print NR == 10000 ? v[r] : 99999}')")
done
late_p99=$(printf '%s\n' "${lates[@]}" | median)
c_steal=$(steal_share "$c_ticks" "$(cpu_ticks)")

echo "d) hey -n 5000 -c 5000, size=100k&delay=1s ..." >&2
start_sayhi --delay 0
hey -n 5000 -c 5000 "http://127.0.0.1:$sayhi_port/say-hi?size=100k&delay=1s" >"$tmp/hey-big.out" 2>&1
big_ok=$(awk '/\[200\]/ {print $2}' "$tmp/hey-big.out")
big_rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$sayhi_pid/status")

echo "e) wrk -t1 -c50 -d${WRK_SECONDS}s at size=100k, $RUNS interleaved runs ..." >&2
head -c 102400 /dev/zero | tr '\0' x >"$tmp/big.json"
pin_servers 0
sayhi_bpss=() nginx_bpss=()
for _ in $(seq "$RUNS"); do
    sayhi_bpss+=("$(wrk_bps "http://127.0.0.1:$sayhi_port/say-hi?size=100k" 102400)")
    nginx_bpss+=("$(wrk_bps "http://127.0.0.1:$nginx_port/big.json" 102400)")
done
pin_servers "0-$(($(nproc) - 1))"
stop_pid "$sayhi_pid"
stop_pid "$nginx_pid"

nginx_wall=$(printf '%s\n' "${nginx_walls[@]}" | median)
sayhi_wall=$(printf '%s\n' "${sayhi_walls[@]}" | median)
held_wall=$(printf '%s\n' "${held_walls[@]}" | median)
sayhi_bps=$(printf '%s\n' "${sayhi_bpss[@]}" | median)
nginx_bps=$(printf '%s\n' "${nginx_bpss[@]}" | median)

awk -v srps="$sayhi_rps" -v nrps="$nginx_rps" -v sw="$sayhi_wall" -v nw="$nginx_wall" -v rss="$rss_kb" \
    -v sws="${sayhi_walls[*]}" -v nws="${nginx_walls[*]}" -v hw="$held_wall" -v hws="${held_walls[*]}" -v srs="${sayhi_rpss[*]}" -v nrs="${nginx_rpss[*]}" \
    -v late="$late_p99" -v lrss="$lognormal_rss_kb" -v bigok="${big_ok:-0}" -v brss="$big_rss_kb" \
    -v sbps="$sayhi_bps" -v nbps="$nginx_bps" -v sbs="${sayhi_bpss[*]}" -v nbs="${nginx_bpss[*]}" \
    -v prps="$plain_rps" -v drps="$dash_rps" -v prs="${plain_rpss[*]}" -v drs="${dash_rpss[*]}" \
    -v lts="${lates[*]}" -v csteal="$c_steal" 'BEGIN {
    ratio = srps / nrps; ok_a = ratio >= 1.0
    limit = 1 + 1.1 * nw; ok_b = sw <= limit
    mb = rss / 1024; ok_rss = mb <= 64
    ok_late = late <= 2
    lmb = lrss / 1024; ok_lrss = lmb <= 64
    ok_big = bigok == 5000
    bmb = brss / 1024; ok_brss = bmb <= 64
    bratio = sbps / nbps; ok_e = bratio >= 0.9
    dratio = drps / prps; ok_f = dratio >= 0.97
    fails = !ok_a + !ok_b + !ok_rss + !ok_late + !ok_lrss + !ok_big + !ok_brss + !ok_e + !ok_f
    printf "%-48s %12s %12s %10s %8s\n", "benchmark", "sayhi", "nginx", "measure", "target"
    printf "%-48s %12.0f %12.0f %9.2fx %8s  %s\n", "a) req/s, wrk -t1 -c50, delay 0", srps, nrps, ratio, ">= 1.0x", ok_a ? "met" : "MISSED"
    printf "%-48s %11.2fs %11.2fs %9.2fs %8s  %s\n", "b) wall, hey -n 10000 -c 10000 (sayhi 1s delay)", sw, nw, limit, "<= limit", ok_b ? "met" : "MISSED"
    printf "%-48s %11.2fs %12s %10s %8s  %s\n", "b) the same waves at bench/held.c (1s delay)", hw, "-", "", "-", hw <= limit ? "(within the limit)" : "(over the limit too)"
    printf "%-48s %11.1fM %12s %10s %8s  %s\n", "b) sayhi-server peak RSS", mb, "-", "", "<= 64M", ok_rss ? "met" : "MISSED"
    printf "%-48s %10sms %12s %10s %8s  %s\n", "c) lateness p99, 10,000 x lognormal:200ms,1s", late, "-", "", "<= 2ms", ok_late ? "met" : "MISSED"
    printf "%-48s %11.1fM %12s %10s %8s  %s\n", "c) sayhi-server peak RSS", lmb, "-", "", "<= 64M", ok_lrss ? "met" : "MISSED"
    printf "%-48s %12d %12s %10s %8s  %s\n", "d) 200s of 5,000 x size=100k&delay=1s", bigok, "-", "", "5000", ok_big ? "met" : "MISSED"
    printf "%-48s %11.1fM %12s %10s %8s  %s\n", "d) sayhi-server peak RSS", bmb, "-", "", "<= 64M", ok_brss ? "met" : "MISSED"
    printf "%-48s %10.0fM %10.0fM %9.2fx %8s  %s\n", "e) body MB/s, wrk -t1 -c50, 100 KB, delay 0", sbps / 1e6, nbps / 1e6, bratio, ">= 0.9x", ok_e ? "met" : "MISSED"
    printf "%-48s %12.0f %12.0f %9.2fx %8s  %s\n", "f) req/s, dashboard open (vs not), delay 0", drps, prps, dratio, ">= 0.97x", ok_f ? "met" : "MISSED"
    printf "wrk runs (req/s): sayhi %s | nginx %s\n", srs, nrs
    printf "wrk runs with the dashboard open (req/s): %s | without: %s\n", drs, prs
    printf "hey runs (s): sayhi %s | nginx %s | held.c %s\n", sws, nws, hws
    printf "lognormal runs, lateness p99 (ms): %s; CPU time stolen by the hypervisor meanwhile: %s%%\n", lts, csteal
    printf "wrk runs at 100 KB (body bytes/s): sayhi %s | nginx %s\n", sbs, nbs
    exit fails > 0
}'
