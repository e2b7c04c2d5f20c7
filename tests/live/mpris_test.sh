#!/usr/bin/env bash
# mpris_test.sh CALFPACE ONSETS_TOOL FAKE_TV
#   (inside pulse-session.sh and dbus-run-session)
#
# Media keys and headset buttons as a desktop sends them: playerctl drives a
# live session over a private session bus while a fake MPRIS player (the
# "TV") plays.  The sink's monitor is recorded; the clicks are panned hard
# left, so left minus right holds them alone.
#   - the TV gets Pause before the session sounds and Play once it is over
#   - pause leaves silence (a second Pause changes nothing), play resumes on
#     the beat grid, next jumps to the next step's tempo
#   - playerctl metadata xesam:title is the current step, the album the
#     routine; Volume follows the session's volume
#   - stop ends the session with status 0 and no calfpace name stays on the bus
#   - a TV the listener took over meanwhile is not resumed; --no-mpris and
#     "mpris = false; pause_others = false;" in the personal config keep
#     calfpace off the bus and the TV playing
set -u
bin=$1 tool=$2 tv=$3
RATE=48000
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }

for t in playerctl dbus-send /usr/bin/python3; do
    command -v "$t" >/dev/null || { echo "FAIL: $t is not installed (tools/setup.sh installs it)"; exit 1; }
done
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || { echo "FAIL: run inside dbus-run-session"; exit 1; }
mkdir -p "$work/sounds"
"$(dirname "$tool")/live_compare" --write-click "$work/sounds/imp.wav" 2>/dev/null ||
    { echo "FAIL: cannot write the click"; exit 1; }

tv_pid=
cal_pid=
cleanup() {
    [ -n "$cal_pid" ] && kill "$cal_pid" 2>/dev/null
    [ -n "$tv_pid" ] && kill "$tv_pid" 2>/dev/null
    wait 2>/dev/null
}
trap cleanup EXIT

bus_names() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.ListNames | sed -n 's/.*string "\(.*\)"/\1/p'
}
start_tv() {
    : >"$work/tv.log"
    /usr/bin/python3 "$tv" "$work/tv.log" &
    tv_pid=$!
    for _ in $(seq 100); do bus_names | grep -qx org.mpris.MediaPlayer2.tv && return 0; sleep 0.05; done
    echo "FAIL: the fake TV did not come up"; exit 1
}
stop_tv() { kill "$tv_pid" 2>/dev/null; wait "$tv_pid" 2>/dev/null; tv_pid=; }
tv_status() { playerctl -p tv status 2>/dev/null; }
cal() { playerctl -p calfpace "$@" 2>/dev/null; }
now() { date +%s.%N; }
record() {
    : >"$work/rec.raw"
    (timeout 90 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
        --latency-msec=20 2>/dev/null | head -c $(($1 * RATE * 4)) >"$work/rec.raw") &
    rec_pid=$!
    for _ in $(seq 500); do [ -s "$work/rec.raw" ] && break; sleep 0.02; done
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
    local n=$(($1 * 20)); shift
    for _ in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
    return 1
}
title_is() { [ "$(cal metadata xesam:title)" = "$1" ]; }
intervals() { "$tool" "$work/rec.raw" side | awk 'NR > 1 { print $1 - prev } { prev = $1 }'; }
underruns() { sed -n 's/.* \([0-9][0-9]*\) underruns.*/\1/p' "$1" | tail -1; }

quiet_guidance='guidance = { lengths = false; countdown = false; halfway = false; remaining = false;
             transitions = false; closing = false; };'
cat >"$work/couch.cfg" <<EOF
name = "Couch"; sounds_dir = "sounds"; volume = { clicks = -6.0; voice = -6.0; };
$quiet_guidance
steps = ( { name = "Heel raises"; type = "paced"; tempo = 120.0; seconds = 60.0; sounds = [ "imp" ];
            pan = -1.0; lead_in = 0.5; },
          { name = "Tapping"; type = "paced"; tempo = 150.0; seconds = 60.0; sounds = [ "imp" ];
            pan = -1.0; lead_in = 0.5; } );
EOF

# ---- a session steered by media keys, with the TV on ----
start_tv
record 20
"$bin" play "$work/couch.cfg" >"$work/out.txt" 2>&1 &
cal_pid=$!
wait_for 10 title_is "Heel raises" || { bad "the session's step never showed on the bus"; cat "$work/out.txt"; exit 1; }
check 'grep -q Pause "$work/tv.log" && [ "$(tv_status)" = Paused ]' "the TV was paused at the session's start"
t_pause=$(awk '/ Pause$/ { print $1; exit }' "$work/tv.log")
names=$(bus_names | grep -c '^org.mpris.MediaPlayer2.calfpace$')
check '[ "$names" = 1 ]' "calfpace owns org.mpris.MediaPlayer2.calfpace while it plays"
check '[ "$(cal metadata xesam:album)" = Couch ] && [ "$(cal status)" = Playing ]' \
    "the album is the routine's name and the status Playing"
sleep 2
cal pause
sleep 0.5
check '[ "$(cal status)" = Paused ]' "Pause pauses"
cal pause # a headset sends Pause and Play apart: a second Pause must not resume
sleep 1.5
check '[ "$(cal status)" = Paused ]' "a second Pause leaves it paused"
cal play
sleep 3
cal play # and a second Play changes nothing either
sleep 0.5
cal next
wait_for 3 title_is Tapping
check 'title_is Tapping' "after Next, xesam:title is the next step (got $(cal metadata xesam:title))"
track=$(cal metadata mpris:trackid | tr -d "'")
check '[ "$track" = /org/calfpace/step/1 ]' "each step has its own trackid ($track)"
pos=$(cal position)
check 'awk -v p="${pos:-0}" "BEGIN { exit !(p > 5 && p < 12) }"' \
    "Position is the time played, pauses left out ($pos s)"
cal volume 0.5
sleep 0.3
vol=$(cal volume)
check 'awk -v v="${vol:-0}" "BEGIN { exit !(v > 0.49 && v < 0.51) }"' "Volume 0.5 sets the session's volume (reads back $vol)"
sleep 3
cal stop
wait "$cal_pid"
rc=$?
cal_pid=
wait "$rec_pid" 2>/dev/null
check '[ "$rc" = 0 ] && grep -q "stopped after" "$work/out.txt"' "Stop ends the session with status 0 (got $rc)"
sleep 0.3
check '! bus_names | grep -q calfpace' "no calfpace name on the bus once the session is over"
check '[ "$(tail -1 "$work/tv.log" | cut -d" " -f2)" = Play ] && [ "$(tv_status)" = Playing ]' \
    "the TV got Play at the session's end and plays again"
t_end=$(awk '/ Play$/ { t = $1 } END { print t }' "$work/tv.log")
echo "  TV paused at $t_pause, resumed at $t_end"

mapfile -t iv < <(intervals)
gap=-1 before=0 steady=0 fast=0 other=0
for i in "${!iv[@]}"; do
    d=${iv[$i]}
    if [ "$gap" -lt 0 ] && [ "$d" -gt 40000 ]; then gap=$i; continue; fi
    if [ "$d" -ge 23998 ] && [ "$d" -le 24002 ]; then
        if [ "$gap" -lt 0 ]; then before=$((before + 1)); else steady=$((steady + 1)); fi
    elif [ "$d" -ge 19198 ] && [ "$d" -le 19202 ]; then fast=$((fast + 1))
    else other=$((other + 1)); fi
done
gap_s=$(awk -v d="${iv[$gap]:-0}" 'BEGIN { printf "%.2f", d / 48000 }')
echo "  intervals: ${iv[*]}"
echo "  intervals: $before at 120 bpm, a gap of $gap_s s, $steady at 120 bpm, $fast at 150 bpm, $other others"
check '[ "$gap" -ge 2 ] && [ "$before" = "$gap" ]' "before Pause every interval is 24000 frames"
check 'awk -v g="$gap_s" "BEGIN { exit !(g >= 2.9 && g <= 5.5) }"' \
    "Pause leaves $gap_s s with no click (about 3 s paused, and the count back in: two beats for \"go\", one for the count-in click)"
check '[ "$steady" -ge 4 ]' "Play resumes on the beat grid: $steady intervals of exactly 24000 frames"
check '[ "$fast" -ge 6 ] && [ "$other" -le 1 ]' \
    "Next jumps to the next step's tempo: $fast intervals of 19200 frames (150 bpm), $other in between"
n_underruns=$(underruns "$work/out.txt")

# ---- the listener takes the TV over meanwhile: it is not resumed ----
cat >"$work/short.cfg" <<EOF
name = "Short"; sounds_dir = "sounds"; volume = { clicks = -6.0; };
$quiet_guidance
steps = ( { name = "Heel raises"; type = "paced"; tempo = 120.0; seconds = 4.0; sounds = [ "imp" ];
            lead_in = 0.5; } );
EOF
playerctl -p tv play 2>/dev/null
: >"$work/tv.log"
"$bin" play --no-mpris "$work/short.cfg" >"$work/out.txt" 2>&1 &
cal_pid=$!
wait_for 5 grep -q '^\[1/1\]' "$work/out.txt"
check '[ "$(tv_status)" = Paused ] && ! bus_names | grep -q calfpace' \
    "--no-mpris: no calfpace player on the bus, and the TV is paused all the same"
playerctl -p tv play 2>/dev/null
sleep 0.3
playerctl -p tv pause 2>/dev/null
wait "$cal_pid"
cal_pid=
sleep 0.3
plays=$(grep -c ' Play$' "$work/tv.log")
check '[ "$plays" = 1 ] && [ "$(tv_status)" = Paused ]' \
    "a TV the listener played and paused again meanwhile is left paused ($plays Play calls, the listener's)"

# ---- the personal config turns both off ----
mkdir -p "$XDG_CONFIG_HOME/calfpace"
printf 'mpris = false;\npause_others = false;\n' >"$XDG_CONFIG_HOME/calfpace/calfpace.cfg"
playerctl -p tv play 2>/dev/null
: >"$work/tv.log"
"$bin" play "$work/short.cfg" >"$work/out.txt" 2>&1 &
cal_pid=$!
wait_for 5 grep -q '^\[1/1\]' "$work/out.txt"
check '! bus_names | grep -q calfpace && [ "$(tv_status)" = Playing ]' \
    "mpris = false and pause_others = false: calfpace stays off the bus and the TV plays on"
wait "$cal_pid"
cal_pid=
check '[ ! -s "$work/tv.log" ]' "and the TV got no call at all"
rm -f "$XDG_CONFIG_HOME/calfpace/calfpace.cfg"
stop_tv

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ] && [ "${n_underruns:-0}" != 0 ]; then
    echo "calfpace reported $n_underruns underrun(s): the machine starved the sound server"
    exit 3
fi
[ "$failed" = 0 ]
