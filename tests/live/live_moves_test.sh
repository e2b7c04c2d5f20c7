#!/usr/bin/env bash
# live_moves_test.sh CALFPACE LIVE_COMPARE ONSETS_TOOL  (inside pulse-session.sh)
#
# Moves in time, heard on the null sink.  Clicks are panned hard left, so
# left minus right holds them alone (centred speech cancels), and the
# intervals between their onsets are compared with the tempos they must keep.
#   shorten: a save that makes the current step shorter than the time already
#            played ends it at once; the next step's beats come at its own
#            tempo, with no burst (no interval shorter than that tempo's)
#   tempo:   40 presses of up at 100 bpm never give a beat faster than
#            200 bpm, 40 presses of down never one slower than 50
set -u
bin=$1 cmp=$2 tool=$3
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
# shellcheck source=tmux_lib.sh
. "$(dirname "$0")/tmux_lib.sh"
finish() {
    T send-keys q
    rc=$(wait_exit)
    screen=$(T capture-pane -p -S -40)
    stop_all
    note_underruns "$screen"
}

# ---- shorten ----
cat >"$work/moves.cfg" <<EOF
name = "moves"; sounds_dir = "sounds"; volume = { clicks = -6.0; voice = -6.0; };
$quiet_guidance
steps = ( { type = "paced"; tempo = 100.0; seconds = 60.0; sounds = [ "imp" ]; pan = -1.0;
            lead_in = 0.5; },
          { type = "paced"; tempo = 150.0; beats = 20; sounds = [ "imp" ]; pan = -1.0;
            lead_in = 1.0; } );
EOF
record 18
play "$work/moves.cfg" || exit 1
sleep 6
# An editor's save: the first step, 6 s in, is now 3 s long.
sed 's/seconds = 60.0/seconds = 3.0/' "$work/moves.cfg" >"$work/moves.tmp" && mv "$work/moves.tmp" "$work/moves.cfg"
sleep 11
finish
check '[ "$rc" = 0 ]' "shorten: the session went on and ended on q with status 0 (got $rc)"
mapfile -t iv < <(intervals)
slow=0 fast=0 gap=0 short=0
for d in "${iv[@]}"; do
    if [ "$d" -lt 19198 ]; then short=$((short + 1))
    elif [ "$d" -le 19202 ]; then fast=$((fast + 1))
    elif [ "$d" -ge 28798 ] && [ "$d" -le 28802 ]; then slow=$((slow + 1))
    else gap=$((gap + 1)); gap_len=$d; fi
done
echo "shorten: intervals ${iv[*]}"
check '[ "$short" = 0 ] && [ "$slow" -ge 4 ] && [ "$fast" = 19 ] && [ "$gap" = 1 ]' \
    "shorten: $slow intervals at 100 bpm, one gap, then $fast at 150 bpm and none shorter ($short)"
gap_s=$(awk -v d="${gap_len:-0}" 'BEGIN { printf "%.2f", d / 48000 }')
# The gap: the last beat of the old step to the first of the next: its 1 s
# lead-in, the time the save takes to be noticed, and at most one beat.
check 'awk -v g="$gap_s" "BEGIN { exit !(g >= 1.0 && g <= 2.9) }"' \
    "shorten: the step ended at once: $gap_s s from its last beat to the next step's first"

# ---- tempo ----
cat >"$work/tempo.cfg" <<EOF
name = "tempo"; sounds_dir = "sounds"; volume = { clicks = -6.0; voice = -6.0; };
$quiet_guidance
steps = ( { type = "paced"; tempo = 100.0; seconds = 120.0; sounds = [ "imp" ]; pan = -1.0;
            lead_in = 0.5; } );
EOF
record 22
play "$work/tempo.cfg" || exit 1
sleep 2
ups=(); for _ in $(seq 40); do ups+=(Up); done
T send-keys "${ups[@]}"
sleep 6
downs=(); for _ in $(seq 40); do downs+=(Down); done
T send-keys "${downs[@]}"
sleep 11
finish
check '[ "$rc" = 0 ]' "tempo: the session went on and ended on q with status 0 (got $rc)"
mapfile -t iv < <(intervals)
echo "tempo: intervals ${iv[*]}"
fastest=999999 slowest=0 at200=0 at50=0
for d in "${iv[@]}"; do
    [ "$d" -lt "$fastest" ] && fastest=$d
    [ "$d" -gt "$slowest" ] && slowest=$d
    [ "$d" -ge 14398 ] && [ "$d" -le 14402 ] && at200=$((at200 + 1))
    [ "$d" -ge 57598 ] && [ "$d" -le 57602 ] && at50=$((at50 + 1))
done
check '[ "$fastest" -ge 14398 ] && [ "$at200" -ge 5 ]' \
    "tempo: 40 presses of up: $at200 intervals at 200 bpm, none faster (closest $fastest frames)"
check '[ "$slowest" -le 57602 ] && [ "$at50" -ge 2 ]' \
    "tempo: 40 presses of down: $at50 intervals at 50 bpm, none slower (widest $slowest frames)"

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ] && [ "$underruns" != 0 ]; then
    echo "calfpace reported $underruns underrun(s): the machine starved the sound server"
    exit 3
fi
[ "$failed" = 0 ]
