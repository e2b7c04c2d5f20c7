# tmux_lib.sh: sourced by the live tests that steer calfpace in a
# pseudo-terminal (tmux) and record the null sink.  The sourcing script sets
# bin (calfpace), cmp (live_compare), tool (onsets_tool) and work (its
# scratch folder) first.  It gets:
#   ok, bad, check CONDITION TEXT   counted in passed and failed
#   T ARGS...      tmux on a server of this test's own: tests running at the
#                  same time neither share (a shared server gives a session
#                  the environment of the run that started it) nor kill it
#   now            the wall clock, in seconds
#   record SECONDS records the sink's monitor into $work/rec.raw; returns
#                  once data flows, with its start in rec_t0
#   play ROUTINE   calfpace plays ROUTINE in a terminal, the terminal's
#                  settings saved before and after; returns once it beats
#   wait_exit      prints calfpace's exit status once it has one
#   stop_all       waits for the recording and ends the terminal
#   note_underruns SCREEN  adds the underruns SCREEN reports to underruns
#   intervals      frames between the clicks (left minus right) recorded
#   quiet_guidance guidance that says nothing
# and $work/sounds/imp.wav, a click.
RATE=48000
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }

command -v tmux >/dev/null || { echo "FAIL: tmux is not installed (apt-get install tmux)"; exit 1; }
T() { tmux -L "calfpace-live-$$" -f /dev/null "$@"; }
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
    rm -f "$work/exit" "$work/stty.before" "$work/stty.after"
    T new-session -d -x 160 -y 12 "stty -a > $work/stty.before; '$bin' play '$1'; \
echo \$? > $work/exit; stty -a > $work/stty.after; sleep 300"
    for _ in $(seq 200); do T capture-pane -p | grep -q 'beat [0-9]' && return 0; sleep 0.05; done
    echo "the session did not start:"; T capture-pane -p
    if ! pactl info >/dev/null 2>&1; then
        echo "the sound server itself has died (not calfpace's doing)"
        exit 3
    fi
    return 1
}
wait_exit() {
    for _ in $(seq 100); do [ -s "$work/exit" ] && break; sleep 0.1; done
    cat "$work/exit" 2>/dev/null
}
stop_all() {
    wait "$rec_pid" 2>/dev/null
    T kill-server 2>/dev/null
}
underruns=0
note_underruns() {
    local n
    n=$(sed -n 's/.* \([0-9][0-9]*\) underruns\{0,1\}.*/\1/p' <<<"$1" | tail -1)
    underruns=$((underruns + ${n:-0}))
}
intervals() { "$tool" "$work/rec.raw" side | awk 'NR > 1 { print $1 - prev } { prev = $1 }'; }
# shellcheck disable=SC2034 # used by the scripts that source this one
quiet_guidance='guidance = { lengths = false; countdown = false; halfway = false; remaining = false;
             transitions = false; closing = false; };'
