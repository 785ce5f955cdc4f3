#!/bin/sh
# help2man.sh HELP2MAN INCLUDE OUTPUT PROGRAM: the man page of a built PROGRAM,
# made by Debian's help2man (HELP2MAN, as meson found it) from the program's
# --help and --version plus INCLUDE (name, examples, exit status, environment),
# so the page cannot drift from the program.
#
# Two fix-ups keep `groff -wall` and `mandoc -Tlint` quiet: the date becomes
# YYYY-MM-DD (mandoc cannot parse help2man's "November 2026"), and the text is
# left-aligned (the server's long /say-hi?... line cannot be justified, which
# groff warns about). SOURCE_DATE_EPOCH, when set, fixes the date.
set -eu
help2man=$1 include=$2 out=$3 program=$4
"$help2man" --no-info --section=1 --include="$include" --output="$out.tmp" "$program"
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
    date=$(date -u +%Y-%m-%d)
fi
sed -e "s/^\(\.TH [^ ]* \"1\" \)\"[^\"]*\"/\1\"$date\"/" -e '/^\.TH /a\
.ad l' "$out.tmp" >"$out"
rm -f "$out.tmp"
