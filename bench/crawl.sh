#!/usr/bin/env bash
# The crawl benchmark (issue 12): sayhi-async --crawl against the tutorials'
# tool, an aiohttp crawler in Python (bench/crawl_aiohttp.py, Debian's
# python3-aiohttp), breadth first over the same 1,000-person family
# (sayhi-server --family 1000 --seed 12), every page answered after 100 ms.
#
#   target: sayhi-async's crawl wall <= 1.1 x (levels x 100 ms) + 0.2 s
#   reported: the ratios aiohttp / sayhi-async of wall time and of CPU time
#             (user + system of each client process: /usr/bin/time for
#             sayhi-async, getrusage in the script for aiohttp)
#
# Both crawlers get a concurrency of 1,000 (the widest level is ~500 pages:
# with fewer, a level would take several delays). Runs are interleaved, 3
# of each, on one server; every figure is the median.
#
#   bench/crawl.sh             (BUILD=build by default; builds if needed)
#
# Exit 0 when the target is met, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
scripts/install-deps.sh --bench
[ -x "$SERVER" ] || { meson setup "$BUILD" >/dev/null; ninja -C "$BUILD" >/dev/null; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ASYNC=$BUILD/client_async/sayhi-async
RUNS=${RUNS:-3}

start_sayhi --family 1000 --seed 12 --delay 100ms --max-connections 5000
url="http://127.0.0.1:$sayhi_port/family/1"

# One crawl of each; a line "wall cpu pages levels failed" per run into a file.
run_sayhi() {
    /usr/bin/time -f '%U %S' -o "$tmp/time" "$ASYNC" --crawl --url "$url" --concurrency 1000 --json >"$tmp/async.json" || true
    python3 - "$tmp/async.json" "$tmp/time" <<'PY' >>"$tmp/sayhi.rows"
import json, sys
d = json.load(open(sys.argv[1]))
u, s = map(float, open(sys.argv[2]).read().split()[-2:])
print(d["elapsed_s"], u + s, d["crawl"]["pages"], d["crawl"]["levels"], d["failed"])
PY
}
run_aiohttp() {
    /usr/bin/python3 bench/crawl_aiohttp.py "$url" 1000 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["wall_s"], d["cpu_s"], d["pages"], d["levels"], d["failed"])' >>"$tmp/aiohttp.rows"
}
for _ in $(seq "$RUNS"); do
    run_sayhi
    run_aiohttp
done

python3 - "$tmp/sayhi.rows" "$tmp/aiohttp.rows" <<'PY'
import statistics, sys
def load(path):
    rows = [list(map(float, l.split())) for l in open(path)]
    return [statistics.median(col) for col in zip(*rows)]
s, a = load(sys.argv[1]), load(sys.argv[2])
limit = 1.1 * s[3] * 0.1 + 0.2
met = s[0] <= limit and s[2] == 1000 and s[4] == 0
print("%-34s %12s %12s %8s" % ("crawl of 1,000 pages, delay 100 ms", "sayhi-async", "aiohttp", "ratio"))
print("%-34s %12.3f %12.3f %7.2fx" % ("wall (s), median", s[0], a[0], a[0] / s[0]))
print("%-34s %12.3f %12.3f %7.2fx" % ("CPU user+sys (s), median", s[1], a[1], a[1] / s[1] if s[1] else 0))
print("%-34s %12d %12d" % ("pages", s[2], a[2]))
print("%-34s %12d %12d" % ("levels", s[3], a[3]))
print("%-34s %12d %12d" % ("failed", s[4], a[4]))
print("target: sayhi-async wall %.3f s <= 1.1 x %d levels x 100 ms + 0.2 s = %.3f s, 1000 pages, none failed: %s"
      % (s[0], s[3], limit, "met" if met else "MISSED"))
sys.exit(0 if met else 1)
PY
