#!/usr/bin/env bash
# remind_soak_test.sh CALFPACE [STALLS]  (inside pulse-session.sh)
#
# The reminder service over many lost streams: 'calfpace remind --every 1s
# none' runs while the sound server is stopped (SIGSTOP) in the middle of
# each prompt, STALLS times (default 5; bench/remind-soak.sh runs 200), and
# continued once the session has given up.  The service's resident memory,
# threads and open descriptors must stay flat: each lost stream used to
# leave its threads, memory and descriptors behind (8 stalls took RSS 40 to
# 91 MB, threads 5 to 13, fds 20 to 69).
set -u
bin=$1 stalls=${2:-5}
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

server=
for p in $(pgrep -x pulseaudio); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; then
        server=$p
    fi
done
[ -n "$server" ] || { echo "FAIL: the private sound server's process not found"; exit 1; }

export XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config
"$bin" remind --every 1s none >"$work/remind.out" 2>&1 </dev/null &
pid=$!
trap 'kill -CONT "$server" 2>/dev/null; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT

usage() { # RSS_KB THREADS FDS of the service
    local rss thr fds
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    thr=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    echo "$rss $thr $fds"
}

first= last=
for i in $(seq 1 "$stalls"); do
    # A reminder playing: its stream on the server, for a second.
    playing=0
    for _ in $(seq 300); do
        pactl list short sink-inputs 2>/dev/null | grep -q . && { playing=1; break; }
        sleep 0.05
    done
    [ "$playing" = 1 ] || { bad "stall $i: no reminder started"; break; }
    sleep 1.0
    before=$(grep -c "stopped taking audio" "$work/remind.out")
    kill -STOP "$server"
    gone=0
    for _ in $(seq 300); do
        [ "$(grep -c "stopped taking audio" "$work/remind.out")" -gt "$before" ] && { gone=1; break; }
        sleep 0.05
    done
    kill -CONT "$server"
    [ "$gone" = 1 ] || { bad "stall $i: the stalled session did not end within 15 s"; break; }
    sleep 0.3
    kill -0 "$pid" 2>/dev/null || { bad "stall $i: the service itself ended"; break; }
    last=$(usage)
    [ -n "$first" ] || first=$last
    [ $((i % 20)) = 0 ] || [ "$i" = 1 ] || [ "$i" = "$stalls" ] && echo "  after stall $i: RSS, threads, fds = $last"
done
grep -c "stopped taking audio" "$work/remind.out" | { read -r n; echo "  sessions that reported the lost stream: $n"; }

read -r rss0 thr0 fds0 <<<"$first"
read -r rss1 thr1 fds1 <<<"$last"
if [ -n "$last" ] && [ "$thr1" = "$thr0" ] && [ "$fds1" = "$fds0" ] && [ "$rss1" -le $((rss0 + 1024)) ]; then
    ok "$stalls stalls: RSS ${rss0} -> ${rss1} kB, threads $thr0 -> $thr1, fds $fds0 -> $fds1 (flat)"
else
    bad "$stalls stalls: RSS ${rss0:-?} -> ${rss1:-?} kB, threads ${thr0:-?} -> ${thr1:-?}, fds ${fds0:-?} -> ${fds1:-?}"
fi
grep -q "stopped taking audio" "$work/remind.out" && ok "each lost stream was reported" ||
    bad "no lost stream reported: $(tail -3 "$work/remind.out")"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
