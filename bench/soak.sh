#!/usr/bin/env bash
# bench/soak.sh: waves of 10,000 concurrent delayed requests against one
# sayhi-server for SECONDS (default 60). After each wave it prints the server's
# resident memory and open file descriptors; they must not grow after the first
# wave (memory within 5% + 1 MB, descriptors back to where they started).
# Exit 0 when they did not grow and every request got 200, 1 otherwise.
# Environment: BUILD (build dir), SECONDS_TOTAL (default 60), DELAY (default 1s).
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_TOTAL=${SECONDS_TOTAL:-60}
DELAY=${DELAY:-1s}
. bench/lib.sh
bench_prepare

start_sayhi --delay "$DELAY" --max-connections 12000
url="http://127.0.0.1:$sayhi_port/say-hi"
fds() { find "/proc/$sayhi_pid/fd" -mindepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$sayhi_pid/status"; }

base_fds=$(fds)
printf '%-6s %8s %10s %9s %6s\n' wave wall_s requests rss_mb fds
start=$(date +%s)
wave=0 first_rss=0 fail=0
while [ $(( $(date +%s) - start )) -lt "$SECONDS_TOTAL" ]; do
    wave=$((wave + 1))
    wall=$(hey_wave "$url") || { fail=1; break; }
    sleep 1.5 # let the server see the closes and go idle (it trims its heap after 1 s)
    rss=$(rss_kb) n=$(fds)
    printf '%-6d %8.2f %10d %9.1f %6d\n' "$wave" "$wall" 10000 "$(echo "$rss / 1024" | bc -l)" "$n"
    [ "$wave" = 1 ] && first_rss=$rss
    if [ "$wave" -gt 1 ] && [ "$rss" -gt $(( first_rss * 105 / 100 + 1024 )) ]; then
        echo "$bench_name: memory grew from $first_rss kB after wave 1 to $rss kB after wave $wave" >&2
        fail=1
    fi
    if [ "$n" -gt "$base_fds" ]; then
        echo "$bench_name: $n open descriptors after wave $wave, $base_fds before the first" >&2
        fail=1
    fi
done
stop_pid "$sayhi_pid"
[ "$fail" = 0 ] && echo "soak: $wave waves, memory and descriptors steady" || echo "soak: FAILED"
exit "$fail"
