#!/usr/bin/env bash
# stats-memory.sh [SMALL] [LARGE]: 'calfpace stats' on a history of SMALL
# lines (default 10,000) and one of LARGE lines (default 1,000,000, about
# 70 MB), sessions spread over the years before today.  Prints the peak
# resident memory (/usr/bin/time -v) and the time of each, and fails unless
# the large history's peak is within 2 MB of the small one's: stats reads a
# record at a time and keeps only its sums.  Needs a build in build/
# (tools/setup.sh) and GNU time (Debian package 'time').
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${CALFPACE:-$here/../build/calfpace}
small=${1:-10000} large=${2:-1000000}
[ -x /usr/bin/time ] || { echo "stats-memory.sh: GNU time is needed (apt-get install time)"; exit 1; }
tmp=$(mktemp -d /tmp/calfpace-stats-mem-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# history LINES FILE: LINES records, one every 20 minutes, ending now.
history() {
    mkdir -p "$(dirname "$2")"
    awk -v n="$1" -v now="$(date +%s)" 'BEGIN {
        print "# calfpace history v1: start\troutine\tplanned_seconds\tplayed_seconds\tsteps_done\tsteps_total\tbpm_min\tbpm_max\tended"
        for (i = n - 1; i >= 0; i--) {
            t = now - i * 1200
            printf "%s\tcalf-pump\t663.5\t%d.5\t12\t12\t60.0\t160.0\tdone\n",
                strftime("%Y-%m-%dT%H:%M:%S%z", t), 300 + i % 360
        }
    }' >"$2"
}

peak=()
for lines in "$small" "$large"; do
    state=$tmp/$lines
    history "$lines" "$state/calfpace/history.tsv"
    size=$(du -h "$state/calfpace/history.tsv" | cut -f1)
    XDG_STATE_HOME=$state /usr/bin/time -v "$bin" stats >"$tmp/out" 2>"$tmp/time" || {
        echo "FAIL: calfpace stats on $lines lines:"; cat "$tmp/time"; exit 1; }
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time")
    total=$(grep '^Total:' "$tmp/out")
    echo "$lines lines ($size): peak RSS $kb kB, $wall wall; $total"
    peak+=("$kb")
done
growth=$(( peak[1] - peak[0] ))
if [ "$growth" -le 2048 ]; then
    echo "ok: peak RSS grows by $growth kB from $small to $large lines (allowed: 2048)"
else
    echo "FAIL: peak RSS grows by $growth kB from $small to $large lines (allowed: 2048)"
    exit 1
fi
