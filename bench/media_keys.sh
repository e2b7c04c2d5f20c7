#!/usr/bin/env bash
# bench/media_keys.sh [PRESSES]: from a media key to the ear.
#
# A live session plays on a private null sink while playerctl sends Pause
# and Play over a private session bus (dbus-run-session), as a headset button
# or a keyboard's media key does through the desktop.  The sink's monitor is
# recorded; for each press, the time from playerctl's return to the first
# word after it ("paused", or "go") is measured, to within the recorder's
# 20 ms.  Runs on PulseAudio, then on PipeWire (pipewire-pulse), as the live
# tests do (tests/live/pulse-session.sh).  Prints each server's presses,
# median and worst.  100 ms of each figure is the output latency calfpace
# asks the device for.
#
# Needs what the live tests need (tools/setup.sh), and a build in build/
# (or CALFPACE=/path/to/calfpace).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PRESSES=${1:-6}
BIN=${CALFPACE:-$ROOT/build/calfpace}
TOOL=$ROOT/build/tests/live/onsets_tool
[ -x "$BIN" ] && [ -x "$TOOL" ] || { echo "build first: tools/setup.sh" >&2; exit 1; }

if [ "${1:-}" = --inner ]; then
    PRESSES=$2
    work=$CALFPACE_PULSE_DIR RATE=48000
    cat >"$work/b.cfg" <<'EOF'
name = "bench"; guidance = { lengths = false; countdown = false; halfway = false;
  remaining = false; transitions = false; closing = false; };
steps = ( { name = "Heel raises"; type = "paced"; tempo = 60.0; seconds = 120.0; lead_in = 0.5;
            pan = -1.0; } );
EOF
    secs=$((PRESSES * 3 + 6))
    (timeout 120 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
        --latency-msec=20 2>/dev/null | head -c $((secs * RATE * 4)) >"$work/rec.raw") &
    rec=$!
    for _ in $(seq 500); do [ -s "$work/rec.raw" ] && break; sleep 0.02; done
    t0=$(date +%s.%N)
    "$BIN" play "$work/b.cfg" >/dev/null 2>&1 &
    cal=$!
    for _ in $(seq 100); do playerctl -p calfpace status >/dev/null 2>&1 && break; sleep 0.05; done
    sleep 1.3
    : >"$work/presses"
    for i in $(seq "$PRESSES"); do
        if [ $((i % 2)) = 1 ]; then playerctl -p calfpace pause; else playerctl -p calfpace play; fi
        date +%s.%N >>"$work/presses"
        sleep 2.7
    done
    playerctl -p calfpace stop
    wait "$cal"
    wait "$rec"
    # The clicks are hard left, so the right channel holds the speech alone:
    # "paused" after Pause, "go" after Play.
    "$TOOL" "$work/rec.raw" right >"$work/onsets"
    awk -v t0="$t0" -v r=$RATE 'NR == FNR { on[n++] = $1 / r; next }
        { k = $1 - t0; for (i = 0; i < n; i++) if (on[i] > k - 0.05) break;
          if (i < n) printf "%.0f\n", (on[i] - k) * 1000 }' \
        "$work/onsets" "$work/presses"
    exit 0
fi

for server in pulseaudio pipewire; do
    mapfile -t ms < <(CALFPACE_SOUND_SERVER=$server bash "$ROOT/tests/live/pulse-session.sh" \
        dbus-run-session -- bash "${BASH_SOURCE[0]}" --inner "$PRESSES" 2>/dev/null | grep -E '^-?[0-9]+$')
    sorted=$(printf '%s\n' "${ms[@]}" | sort -n)
    echo "$server: media key to the word heard, ms: ${ms[*]}; median $(awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' <<<"$sorted"), worst $(tail -1 <<<"$sorted")"
done
