#!/usr/bin/env bash
# completion.sh COMPLETION PROGRAM...: drives completion/sayhi.bash the way
# bash does on Tab (COMP_WORDS, COMP_CWORD, then the function `complete -p`
# names, then COMPREPLY) for each built PROGRAM. The expected flags and which
# of them take a FILE are read from each program's --help, so a new flag is
# covered without touching this test.
set -uo pipefail
completion=$1
shift
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# shellcheck source=../completion/sayhi.bash
source "$completion"

# An interactive shell registers it too (what a user's ~/.bashrc would do).
bash --norc --noprofile -i -c "source '$completion'; complete -p sayhi-async" 2>/dev/null |
    grep -q -- '-F _sayhi sayhi-async' || fail "bash -i: complete -p sayhi-async does not name _sayhi"

# complete WORD...: COMPREPLY for Tab after the last WORD, one per line, sorted.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    "$function"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
touch "$scratch/report.csv" "$scratch/other.txt"

programs=()
for program in "$@"; do programs+=("$(realpath "$program")"); done
cd "$scratch" || exit 1
for program in "${programs[@]}"; do
    name=$(basename "$program")
    before=$failures
    function=$(complete -p "$name" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
    [ -n "$function" ] || { fail "complete -p $name: no completion function"; continue; }

    # Every long flag of an option line of --help ("  --flag", "  -f, --flag",
    # "  --a, --b").
    expected=$("$program" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][-a-z]*(, --[a-z][-a-z]*)*' |
        grep -oE -- '--[a-z][-a-z]*' | sort -u)
    [ -n "$expected" ] || fail "$name --help lists no flags"
    got=$(complete_words "$program" --)
    [ "$got" = "$expected" ] || fail "$name --<Tab>: got [$(echo $got)], --help has [$(echo $expected)]"
    [ "$(complete_words "$program" --hel)" = "--help" ] || fail "$name --hel<Tab> is not --help"

    # A flag whose value --help calls FILE completes file names, both as
    # --flag VALUE and --flag=VALUE; any other value completes nothing.
    file_flags=$("$program" --help | grep -oE -- '^ +--[a-z][-a-z]* FILE' | awk '{ print $1 }')
    for flag in $file_flags; do
        [ "$(complete_words "$program" "$flag" re)" = "report.csv" ] || fail "$name $flag re<Tab> is not report.csv"
        [ "$(complete_words "$program" "$flag" = o)" = "other.txt" ] || fail "$name $flag=o<Tab> is not other.txt"
    done
    value_flag=$("$program" --help | grep -oE -- '^ +--[a-z][-a-z]* (N|LIST|DURATION)' | awk 'NR == 1 { print $1 }')
    [ -n "$value_flag" ] && [ -n "$(complete_words "$program" "$value_flag" '')" ] &&
        fail "$name $value_flag <Tab> offers something for a value it cannot guess"
    # A value --help gives as a list ("--check status|json|sayhi") completes
    # its words; a PATH (a URL's path) completes nothing.
    "$program" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][-a-z]* [a-z0-9]+(\|[a-z0-9]+)+' |
        sed -E 's/^ +(-[a-zA-Z], )?//' | while read -r flag list; do
            [ "$(complete_words "$program" "$flag" '' | tr '\n' '|' | sed 's/|$//')" = "$(tr '|' '\n' <<<"$list" | sort | tr '\n' '|' | sed 's/|$//')" ] ||
                echo "FAIL: $name $flag <Tab> does not offer $list"
        done | grep FAIL && fail "$name: list values"
    # A short form ("-n, --number N") completes its value as the long form
    # does: `-n <Tab>` offered every flag.
    "$program" --help | grep -oE -- '^ +-[a-zA-Z], --[a-z][-a-z]* [^ ]+' | sed 's/,//' |
        while read -r short long _; do
            [ "$(complete_words "$program" "$short" '')" = "$(complete_words "$program" "$long" '')" ] ||
                echo "FAIL: $name $short <Tab> is not $long <Tab>"
        done | grep FAIL && fail "$name: short flags' values"
    path_flag=$("$program" --help | grep -oE -- '^ +--[a-z][-a-z]* PATH' | awk 'NR == 1 { print $1 }')
    [ -n "$path_flag" ] && [ -n "$(complete_words "$program" "$path_flag" '')" ] &&
        fail "$name $path_flag <Tab> offers file names for a URL's path"
    [ "$failures" -eq "$before" ] && echo "ok: $name ($(wc -w <<<"$expected") flags, file flags: $(echo $file_flags))"
done
[ "$failures" -eq 0 ]
