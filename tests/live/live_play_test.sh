#!/usr/bin/env bash
# live_play_test.sh [CALFPACE [CALFPACE_SOURCE [LIVE_COMPARE]]]
#
# The live end-to-end test: 'calfpace play' through PortAudio -> ALSA ->
# PulseAudio into a private null sink, the sink's monitor recorded with parec,
# and the clicks found in the recording compared with the plan that
# 'calfpace check --events' prints (count, side, spacing to the sample).
#
# Arguments, or else the environment variables of the same names: the calfpace
# binary, the source folder (accepted for symmetry with the other tests; the
# test writes its own routine and click), and the live_compare tool (looked
# for on PATH when not given).
#
# CALFPACE_LIVE_PLAY_ARGS adds options to 'calfpace play' (e.g. "--latency 0.05").
# Set CALFPACE_LIVE_KEEP=DIR to keep the recording, plan and routine of a
# failed run in DIR.
#
# Recording traps (ENGINEERING.md, "Testing real audio"): parec discards
# what it holds when killed, so the recording is a fixed byte count that head
# ends; and the monitor's first bytes arrive only after about a second, so
# playing starts once the recording file is non-empty.
set -u

here=$(cd "$(dirname "$0")" && pwd)
CALFPACE=${1:-${CALFPACE:-}}
CALFPACE_SOURCE=${2:-${CALFPACE_SOURCE:-}}
LIVE_COMPARE=${3:-${LIVE_COMPARE:-live_compare}}
RATE=48000

say() { printf 'live_play: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

[ -n "$CALFPACE" ] || fail "no calfpace binary given (argument 1 or CALFPACE)"
[ -x "$CALFPACE" ] || fail "calfpace binary $CALFPACE is not executable"
command -v "$LIVE_COMPARE" >/dev/null 2>&1 || fail "live_compare tool $LIVE_COMPARE not found"
for tool in pulseaudio pactl parec; do
    command -v "$tool" >/dev/null 2>&1 ||
        fail "$tool is not installed; the live test needs it (Debian: apt-get install" \
            "pulseaudio pulseaudio-utils libasound2-plugins)"
done
for tool in head timeout stat; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (coreutils)"
done
CALFPACE=$(cd "$(dirname "$CALFPACE")" && pwd)/$(basename "$CALFPACE")
case $LIVE_COMPARE in
*/*) LIVE_COMPARE=$(cd "$(dirname "$LIVE_COMPARE")" && pwd)/$(basename "$LIVE_COMPARE") ;;
esac
export CALFPACE LIVE_COMPARE RATE
# The inner part runs inside the private PulseAudio session.
# An underrun is the machine's (the sound server starved of CPU by other
# work), not the schedule's: a run that failed with one is tried once more,
# and says so.  A second failure, or any failure without an underrun, fails
# (on PipeWire, which does not report its own dropped quanta to the client,
# any first failure is tried once more).
if [ "${CALFPACE_LIVE_INSIDE:-}" != 1 ]; then
    export CALFPACE_LIVE_INSIDE=1
    for attempt in 1 2; do
        bash "$here/pulse-session.sh" bash "$here/live_play_test.sh" "$CALFPACE" \
            "$CALFPACE_SOURCE" "$LIVE_COMPARE"
        rc=$?
        [ "$rc" = 0 ] || [ "$attempt" = 2 ] && exit "$rc"
        if [ "$rc" = 3 ]; then
            say "the run had an underrun; trying once more"
        elif [ "${CALFPACE_SOUND_SERVER:-}" = pipewire ]; then
            # PipeWire drops a quantum when its own thread is starved and does
            # not tell the client (PortAudio counts no underrun): one more try.
            say "a run on PipeWire failed; trying once more"
        else
            exit "$rc"
        fi
    done
fi

t_start=$(date +%s.%N)
work=$CALFPACE_PULSE_DIR
mkdir -p "$work/sounds"
"$LIVE_COMPARE" --write-click "$work/sounds/imp.wav" || fail "cannot write the test click"

# About 13 s: an accelerating step alternating hard left and hard right, then a
# constant-tempo step in the centre.  No voice, our own click, no shipped files.
cat >"$work/live.cfg" <<EOF
name = "live test";
rate = $RATE;
sounds_dir = "sounds";
volume = { clicks = -6.0; };
steps = (
  { type = "paced"; name = "Tapping"; tempo = { from = 100.0; to = 160.0; };
    seconds = 8.0; sounds = [ "imp" ]; pan = [ -1.0, 1.0 ]; lead_in = 0.5; },
  { type = "paced"; name = "Steady"; tempo = { from = 120.0; to = 120.0; };
    seconds = 4.0; sounds = [ "imp" ]; pan = [ 0.0 ]; lead_in = 0.5; }
);
EOF

"$CALFPACE" check "$work/live.cfg" --events --no-voice >"$work/events.txt" ||
    fail "'calfpace check --events' rejected the test routine"
done_frame=$(awk '$2 == "done" { print $1 }' "$work/events.txt")
[ -n "$done_frame" ] || fail "no done event in 'calfpace check --events'"
beats=$(awk '$2 == "beat"' "$work/events.txt" | wc -l)
# The session plus 3 s: the wait for the stream to start (about 0.3 s here)
# and its latency, with room to spare.
frames=$((done_frame + RATE * 3))
bytes=$((frames * 4))
say "routine: $beats beats, $((done_frame / RATE)).$(((done_frame % RATE) * 10 / RATE)) s;" \
    "recording $bytes bytes ($((frames / RATE)) s)"

rec=$work/rec.raw
: >"$rec"
# timeout: should the monitor stall, head would wait for ever.
(
    timeout --foreground 60 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
        --latency-msec=20 2>"$work/parec.err" | head -c "$bytes" >"$rec"
) &
rec_pid=$!

waited=0
while [ ! -s "$rec" ]; do
    if ! kill -0 "$rec_pid" 2>/dev/null; then
        cat "$work/parec.err" >&2
        fail "parec ended before recording anything"
    fi
    sleep 0.02
    waited=$((waited + 1))
    [ "$waited" -lt 500 ] || fail "the monitor gave no data within 10 s"
done
say "recording started after about $((waited * 20)) ms; playing"

t_play=$(date +%s.%N)
# A stream that never finishes should say so before ctest's timeout does.
limit=$((done_frame / RATE + 20))
# shellcheck disable=SC2086 # CALFPACE_LIVE_PLAY_ARGS: extra words, e.g. "--latency 0.05"
timeout --foreground -k 5 "$limit" "$CALFPACE" play "$work/live.cfg" --quiet --no-voice \
    ${CALFPACE_LIVE_PLAY_ARGS:-} >"$work/play.out" 2>"$work/play.err"
play_rc=$?
t_played=$(date +%s.%N)
sed 's/^/  calfpace: /' "$work/play.out" "$work/play.err" >&2
[ "$play_rc" != 124 ] || fail "'calfpace play' was still playing after $limit s"
[ "$play_rc" = 0 ] || fail "'calfpace play' exited $play_rc"
underruns=$(sed -n 's/.* \([0-9][0-9]*\) underruns\{0,1\}.*/\1/p' "$work/play.err")
say "calfpace play took $(awk -v a="$t_play" -v b="$t_played" 'BEGIN { printf "%.2f", b - a }') s;" \
    "underruns reported: ${underruns:-unknown}"

wait "$rec_pid"
got=$(stat -c %s "$rec")
[ "$got" = "$bytes" ] || {
    cat "$work/parec.err" >&2
    fail "recorded $got bytes, wanted $bytes"
}

"$LIVE_COMPARE" "$rec" "$work/events.txt" --rate "$RATE"
rc=$?
say "total $(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s" \
    "inside the sound server session"
if [ "$rc" != 0 ] && [ "${underruns:-0}" != 0 ]; then
    say "calfpace reported $underruns underrun(s): the device ran out of frames, so a gap of" \
        "silence was played and every later click moved.  Too small an output buffer for" \
        "this path? Compare with CALFPACE_LIVE_PLAY_ARGS='--latency 0.05'."
    rc=3
fi
if [ "$rc" != 0 ] && [ -n "${CALFPACE_LIVE_KEEP:-}" ]; then
    mkdir -p "$CALFPACE_LIVE_KEEP" && cp "$rec" "$work/events.txt" "$work/live.cfg" \
        "$CALFPACE_LIVE_KEEP/" && say "recording kept in $CALFPACE_LIVE_KEEP"
fi
exit "$rc"
