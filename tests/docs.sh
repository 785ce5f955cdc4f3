#!/usr/bin/env bash
# docs.sh VERSION PROGRAM PAGE [PROGRAM PAGE...]: each man page was made from
# its built program (man/help2man.sh), so check what that promises: every flag
# --help mentions is in the page, --version and the page carry meson's
# project() VERSION, and groff -wall, mandoc -Tlint and man -l render it
# without a warning. The flags are read from --help, never listed here, so a
# new flag is checked as soon as it exists.
set -uo pipefail
version=$1
shift
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The page's text with roff's escapes undone: \- is -, \fB \fR \, \/ vanish.
page_text() { sed -e 's/\\-/-/g' -e 's/\\f[A-Z]//g' -e 's/\\[,/]//g' "$1"; }

while [ $# -ge 2 ]; do
    program=$1 page=$2
    shift 2
    name=$(basename "$program")
    before=$failures
    text=$(page_text "$page")

    flags=$("$program" --help | grep -oE -- '--[a-z][-a-z]*' | sort -u)
    [ -n "$flags" ] || fail "$name --help lists no flags"
    for flag in $flags; do
        grep -qE -- "(^|[^-a-z])$flag([^-a-z]|\$)" <<<"$text" || fail "$name: $flag is in --help but not in $page"
    done

    # Each option line of --help ("  -n, --number N    text") is an entry of
    # its own in the page whose tag is that line's flag and value, not the
    # flag run together with its text (help2man needs two blanks after it).
    tags=$(page_text "$page" | sed -e 's/\\f[A-Z]//g' | awk 'tp { print; tp = 0 } /^\.[TH]P/ { tp = 1 }')
    while IFS= read -r head; do
        grep -qxF -- "$head" <<<"$tags" || fail "$name: '$head' of --help is not an entry of its own in $page"
    done < <("$program" --help | sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/  .*//')
    while IFS= read -r line; do
        fail "$name --help: '$line' runs its flag into its text (help2man needs two blanks between)"
    done < <("$program" --help | grep -E -- '^  -[^ ]' | grep -vE -- '^  -[^ ].*[^ ]  ' |
        grep -vxE -- ' +(-[a-zA-Z], )?--[a-z][-a-z]*( ([^ ']+|'[^']*'))?(, --[a-z][-a-z]*)*')

    [ "$("$program" --version)" = "$name $version" ] || fail "$name --version is not '$name $version'"
    grep -q "^\.TH .*\"$name $version\"" "$page" || fail "$page does not carry '$name $version' in .TH"

    warnings=$(groff -wall -man -Tutf8 -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "groff -wall on $page: $warnings"
    if command -v mandoc >/dev/null; then
        warnings=$(mandoc -Tlint -Wwarning "$page" 2>&1) || fail "mandoc -Tlint on $page: $warnings"
    fi
    rendered=$(MANWIDTH=80 man -l "$page" 2>&1) || fail "man -l $page failed: $rendered"
    grep -q "^NAME" <<<"$rendered" && grep -q "^EXAMPLES" <<<"$rendered" || fail "man -l $page has no NAME or EXAMPLES"
    [ "$failures" -eq "$before" ] && echo "ok: $name ($(wc -w <<<"$flags") flags)"
done
[ "$failures" -eq 0 ]
