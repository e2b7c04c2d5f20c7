#!/usr/bin/env bash
# Fault injection: hostile files and a hostile machine, each case under a
# timeout.  Categories (RELIABILITY.md has the table):
#   fifo, symlink, include-bomb, escapes  tests/test_hostile.sh (CLI)
#   full-disk                             a 64 KB tmpfs, filled (needs root)
#   hostile-reload                        tests/live/hostile_reload_test.sh
# Usage: tests/faults/run.sh [BUILD]   (default build/)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
bin=$build/calfpace
failed=0
echo "== fifo, symlink, include-bomb, escapes"
CALFPACE=$bin CALFPACE_SOURCE=$root bash "$root/tests/test_hostile.sh" | tail -1 | grep -q ', 0 failed' ||
    { failed=$((failed + 1)); echo "FAIL: test_hostile.sh"; }

echo "== full-disk"
if [ "$(id -u)" = 0 ]; then
    d=$(mktemp -d /tmp/calfpace-faults-XXXXXX)
    mkdir -p "$d/full"
    if mount -t tmpfs -o size=64k tmpfs "$d/full"; then
        mkdir -p "$d/full/calfpace" && chmod 700 "$d/full/calfpace"
        echo 1764000600 >"$d/full/calfpace/snooze"
        head -c 1M /dev/zero >"$d/full/fill" 2>/dev/null
        out=$(XDG_RUNTIME_DIR=$d/full timeout 5 "$bin" remind --snooze 5m 2>&1); rc=$?
        if [ "$rc" = 1 ] && grep -q "No space left" <<<"$out" && [ "$(cat "$d/full/calfpace/snooze")" = 1764000600 ]; then
            echo "ok: snooze on a full disk: status 1, '$out', the old snooze intact"
        else failed=$((failed + 1)); echo "FAIL: snooze on a full disk: $rc '$out'"; fi
        out=$(timeout 20 "$bin" render quick -o "$d/full/q.wav" 2>&1); rc=$?
        if [ "$rc" = 1 ] && [ ! -e "$d/full/q.wav" ]; then
            echo "ok: render to a full disk: status 1, no partial file ($out)"
        else failed=$((failed + 1)); echo "FAIL: render to a full disk: $rc '$out'"; fi
        umount "$d/full"
    else
        echo "skip: cannot mount a tmpfs here"
    fi
    rm -rf "$d"
else
    echo "skip: full-disk needs root (a tmpfs mount)"
fi

echo "== hostile-reload"
bash "$root/tests/live/pulse-session.sh" bash "$root/tests/live/hostile_reload_test.sh" "$bin" 2>/dev/null |
    grep -E '^(ok|FAIL|[0-9]+ passed)'
[ "${PIPESTATUS[0]}" = 0 ] || { failed=$((failed + 1)); echo "FAIL: hostile reload"; }
echo "faults: $failed failed"
[ "$failed" = 0 ]
