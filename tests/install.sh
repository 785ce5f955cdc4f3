#!/usr/bin/env bash
# install.sh BUILDDIR: what `make install` would put where (meson's own list,
# `meson introspect --installed`: the four programs in bin/, their man pages
# in man1/, their completions), and that the programs work as installed: side
# by side in one directory, run from another directory with no SAYHI_* and no
# build tree on PATH. It copies rather than running `meson install`, which
# would overwrite the install log `make uninstall` reads.
set -uo pipefail
build=$1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

installed=$(meson introspect --installed "$build" | python3 -c '
import json, sys
for src, dst in json.load(sys.stdin).items():
    print(src, dst)')
for name in sayhi-server sayhi-sync sayhi-async sayhi-compare; do
    grep -qE "/bin/$name\$" <<<"$installed" || fail "$name is not installed to bin/"
    grep -qE "/man/man1/$name\.1\$" <<<"$installed" || fail "$name.1 is not installed to man/man1/"
    grep -qE "/completions/$name\$" <<<"$installed" || fail "no bash completion installed for $name"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin" "$scratch/elsewhere" "$scratch/alone"
awk '/\/bin\/sayhi-/ { print $1 }' <<<"$installed" | xargs cp -t "$scratch/bin"
cp "$scratch/bin/sayhi-compare" "$scratch/alone/"
cd "$scratch/elsewhere" || exit 1
clean_env=(env -u SAYHI_SERVER -u SAYHI_SYNC -u SAYHI_ASYNC PATH=/usr/bin:/bin)

out=$("${clean_env[@]}" "$scratch/bin/sayhi-compare" --numbers 2 --delay 100ms --modes sync,async --quiet 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "installed sayhi-compare exited $rc: $out"
[ "$(grep -cE '^(sync|async) +2 ' <<<"$out")" -eq 2 ] || fail "installed sayhi-compare printed no sync and async rows: $out"

# Alone, outside a build tree, it says where it looked and does not guess further.
out=$("${clean_env[@]}" "$scratch/alone/sayhi-compare" --numbers 1 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "sayhi-compare without its programs exited $rc, not 1"
grep -qF "$scratch/alone/sayhi-server (next to sayhi-compare)" <<<"$out" ||
    fail "sayhi-compare without its programs did not name the path it tried: $out"
echo "ok: installed layout and a side-by-side run"
[ "$failures" -eq 0 ]
