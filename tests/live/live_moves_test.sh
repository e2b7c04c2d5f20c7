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
RATE=48000
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }

command -v tmux >/dev/null || { echo "FAIL: tmux is not installed (apt-get install tmux)"; exit 1; }
# A server of its own: other live tests may run on the machine at the same time.
T() { tmux -L "calfpace-moves-$$" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
mkdir -p "$work/sounds"
"$cmp" --write-click "$work/sounds/imp.wav" || exit 1

now() { date +%s.%N; }
record() {
    local bytes=$(($1 * RATE * 4))
    : >"$work/rec.raw"
    (timeout 90 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
        --latency-msec=20 2>/dev/null | head -c "$bytes" >"$work/rec.raw") &
    rec_pid=$!
    for _ in $(seq 500); do [ -s "$work/rec.raw" ] && break; sleep 0.02; done
    rec_t0=$(now)
}
play() {
    rm -f "$work/exit"
    T new-session -d -x 160 -y 12 "'$bin' play '$1'; echo \$? > $work/exit; sleep 300"
    for _ in $(seq 200); do T capture-pane -p | grep -q 'beat [0-9]' && return 0; sleep 0.05; done
    echo "the session did not start:"; T capture-pane -p
    pactl info >/dev/null 2>&1 || { echo "the sound server itself has died"; exit 3; }
    return 1
}
finish() {
    T send-keys q
    for _ in $(seq 100); do [ -s "$work/exit" ] && break; sleep 0.1; done
    screen=$(T capture-pane -p -S -40)
    wait "$rec_pid" 2>/dev/null
    T kill-server 2>/dev/null
    rc=$(cat "$work/exit" 2>/dev/null)
    n=$(sed -n 's/.* \([0-9][0-9]*\) underruns.*/\1/p' <<<"$screen" | tail -1)
    underruns=$((underruns + ${n:-0}))
}
underruns=0
intervals() { "$tool" "$work/rec.raw" side | awk 'NR > 1 { print $1 - prev } { prev = $1 }'; }
quiet='guidance = { lengths = false; countdown = false; halfway = false; remaining = false;
             transitions = false; closing = false; };'

# ---- shorten ----
cat >"$work/moves.cfg" <<EOF
name = "moves"; sounds_dir = "sounds"; volume = { clicks = -6.0; voice = -6.0; };
$quiet
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
$quiet
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
