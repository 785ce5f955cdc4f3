#!/usr/bin/env bash
# Installs the Debian packages sayhi needs that are missing, and nothing else.
#
#   scripts/install-deps.sh            build and test dependencies
#   scripts/install-deps.sh --bench    also the reference tools of bench/ (wrk, hey, ab, h2load, nginx, time, aiohttp)
#   scripts/install-deps.sh --fuzz     also clang and its libFuzzer runtime
#   scripts/install-deps.sh --check    only report what is missing; exit 1 if anything is
#
# Runs `apt-get update` once before installing; uses sudo when not root.
set -euo pipefail

# chromium: the dashboard and compare suites render the live dashboard and the --html report in it, headless
build_pkgs=(gcc make meson ninja-build pkg-config libmicrohttpd-dev libevent-dev libcjson-dev check
            libcurl4-openssl-dev libhttp-parser-dev curl python3 gnuplot-nox chromium fonts-dejavu-core
            help2man groff-base mandoc man-db bash-completion)
bench_pkgs=(wrk hey apache2-utils nghttp2-client nginx time python3-aiohttp)
fuzz_pkgs=(clang libclang-rt-14-dev)

pkgs=("${build_pkgs[@]}")
check_only=0
for arg in "$@"; do
    case "$arg" in
        --bench) pkgs+=("${bench_pkgs[@]}") ;;
        --fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
        --check) check_only=1 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$check_only" = 1 ]; then
    echo "missing Debian packages: ${missing[*]}"
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "install-deps.sh: need root to install: ${missing[*]}" >&2
    echo "install-deps.sh: run as root, or allow sudo without a password, or install them yourself:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps.sh: apt-get not found: this script knows Debian 12; install these yourself: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
