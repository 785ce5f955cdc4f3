# bench/lib.sh: what the bench scripts share. Source it after `set -euo pipefail`.
#
# Gives: $tmp (removed at exit), track_pid PID (killed at exit), bench_prepare,
# start_sayhi ARGS... (sets sayhi_pid, sayhi_port), start_nginx (sets nginx_pid,
# nginx_port), pin_servers CPUS, settle PID, stop_pid PID, free_port, median, hey_wave URL,
# cpu_ticks, steal_share BEFORE AFTER.

BUILD=${BUILD:-build}
SERVER=$BUILD/server/sayhi-server
bench_name=$(basename "$0")

tmp=$(mktemp -d)
bench_pids=()
bench_cleanup() {
    for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

track_pid() { bench_pids+=("$1"); }

# Installs the reference tools, builds, and raises the fd limit for 10,000 connections.
bench_prepare() {
    scripts/install-deps.sh --bench
    [ -x "$SERVER" ] || { meson setup "$BUILD" >/dev/null; ninja -C "$BUILD" >/dev/null; }
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
        echo "$bench_name: open-file limit $(ulimit -n) is below the 10,100 that 10,000 connections need" >&2
        exit 1
    fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_sayhi ARGS...: sayhi-server on a free port; sets sayhi_pid and sayhi_port.
start_sayhi() {
    "$SERVER" --port 0 --quiet "$@" >"$tmp/sayhi.out" 2>&1 &
    sayhi_pid=$!
    track_pid "$sayhi_pid"
    for _ in $(seq 50); do
        sayhi_port=$(sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/sayhi.out")
        [ -n "$sayhi_port" ] && return 0
        sleep 0.1
    done
    echo "$bench_name: sayhi-server did not start: $(cat "$tmp/sayhi.out")" >&2
    exit 1
}

# start_nginx: nginx with one worker and a static /say-hi on a free port; sets
# nginx_pid and nginx_port.
start_nginx() {
    nginx_port=$(free_port)
    local port=$nginx_port
    cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
worker_rlimit_nofile 30000;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 10000000; # the default 1000 would make wrk and ab reconnect: a slower reference
    client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp;
    uwsgi_temp_path $tmp; scgi_temp_path $tmp;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location /say-hi { default_type application/json; return 200 '{"message":"Hi","delay_ms":0}'; }
        location /big.json { root $tmp; default_type application/json; } # a 100 KB body for bench/server.sh e)
    }
}
EOF
    nginx -c "$tmp/nginx.conf" -p "$tmp" &
    nginx_pid=$!
    track_pid "$nginx_pid"
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/say-hi" && return 0; sleep 0.1; done
    echo "$bench_name: nginx did not start: $(cat "$tmp/nginx-error.log")" >&2
    exit 1
}

# pin_servers CPUS: moves sayhi-server and every nginx process to CPUS.
pin_servers() {
    for p in "$sayhi_pid" "${nginx_pid:-}" $([ -n "${nginx_pid:-}" ] && pgrep -P "$nginx_pid"); do
        [ -n "$p" ] && taskset -a -p -c "$1" "$p" >/dev/null
    done
}

# settle PID: waits (at most 5 s) until PID has used no CPU for 200 ms: a
# server still tearing down the last run's 10,000 connections would bill that
# work to the next run, whichever tool it is.
settle() {
    local before after
    for _ in $(seq 25); do
        before=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 0
        sleep 0.2
        after=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 0
        [ "$before" = "$after" ] && return 0
    done
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# cpu_ticks: "stolen all" CPU time so far, all CPUs, from /proc/stat. Stolen
# time is the hypervisor's: this machine's CPUs wanted to run and did not.
cpu_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t; exit}' /proc/stat; }

# steal_share BEFORE AFTER: the percent of CPU time stolen between two
# cpu_ticks. A timer or a send due in a stolen stretch is late by what is
# left of it, whatever the program: the lateness targets read beside it.
steal_share() {
    awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[2] - x[2]
        printf "%.1f\n", (t > 0 ? 100 * (y[1] - x[1]) / t : 0)}'
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# hey_wave URL: one `hey -n 10000 -c 10000`; prints its wall seconds; fails
# unless all 10,000 answered 200.
hey_wave() {
    hey -n 10000 -c 10000 "$1" >"$tmp/hey.out" 2>&1
    local ok
    ok=$(awk '/\[200\]/ {print $2}' "$tmp/hey.out")
    if [ "${ok:-0}" != 10000 ]; then
        echo "$bench_name: hey got ${ok:-0} of 10000 responses with 200 from $1:" >&2
        sed -n '/Status code distribution/,$p' "$tmp/hey.out" | head -20 >&2
        return 1
    fi
    awk '/Total:/ {print $2; exit}' "$tmp/hey.out"
}
