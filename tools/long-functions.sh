#!/usr/bin/env bash
# Lists every function in src/ whose body is longer than LIMIT lines (80 by
# default; counted from its opening brace to its closing one) and fails if
# any has no reason written directly above it.  A reason is a one-line
# comment on the line right above the function's first line:
#   /* long: the table reads best in one place */
# Relies on the project's clang-format style (BreakBeforeBraces: Linux): a
# function's braces, and only a function's, stand alone in column 0.
#   tools/long-functions.sh [LIMIT] [FILE...]
set -euo pipefail
limit=80
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
    limit=$1
    shift
fi
[ $# -gt 0 ] || set -- "$(dirname "$0")"/../src/*.c
awk -v limit="$limit" '
FNR == 1 { inbody = 0; prev = ""; sig = ""; above = "" }
!inbody && /^[A-Za-z_]/ && /\(/ { sig = $0; sigline = FNR; above = prev }
!inbody && /^\{/ {
    inbody = 1; open = FNR; why = above
    name = sig; sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]
}
inbody && /^\}/ {
    inbody = 0; len = FNR - open + 1
    if (len > limit) {
        ok = why ~ /^(\/\*|\/\/) long: ./
        printf "%s:%d: %s: %d lines%s\n", FILENAME, sigline, name, len, ok ? " (reason given)" : ""
        if (!ok) bad++
    }
}
{ prev = $0 }
END {
    if (bad) {
        printf "%d function(s) over %d lines with no \"/* long: why */\" line above them\n", bad, limit
        exit 1
    }
    printf "no function over %d lines without a reason\n", limit
}' "$@"
