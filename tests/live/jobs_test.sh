#!/usr/bin/env bash
# jobs_test.sh CALFPACE  (inside pulse-session.sh)
#
# A live session under job control, in a real interactive shell in a
# pseudo-terminal (tmux), as a user has it:
#   - Ctrl-Z and fg, twice, in bash and in dash: the session stops with the
#     terminal as it was each time, and plays on after fg;
#   - Ctrl-Z then bg: it plays on in the background (not stopped again by
#     the terminal), and fg brings back the keys;
#   - kill -STOP for longer than the stall bound, then kill -CONT: the stop
#     is not taken for a dead sound server;
#   - 'calfpace play | head -1': no silent death by SIGPIPE, the summary and
#     the history line are there.
set -u
bin=$1
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed"; exit 1; }
T() { tmux -L calfpace-jobs -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
export XDG_STATE_HOME="$work/state"

cat >"$work/long.cfg" <<EOF
name = "jobs"; volume = { clicks = -12.0; };
guidance = { voice = false; };
steps = ( { type = "paced"; tempo = 120.0; seconds = 60.0; lead_in = 0.5; } );
EOF
cat >"$work/short.cfg" <<EOF
name = "short"; volume = { clicks = -12.0; };
guidance = { voice = false; };
steps = ( { type = "paced"; tempo = 120.0; seconds = 2.0; lead_in = 0.5; } );
EOF

pane() { T capture-pane -p -S -60; }
type_line() { T send-keys -l "$1"; T send-keys Enter; }
wait_for() { # PATTERN: until the pane shows it (10 s at most)
    for _ in $(seq 200); do pane | grep -q "$1" && return 0; sleep 0.05; done
    return 1
}
pid_of() { pgrep -f "calfpace play $work/long.cfg" | head -1; }
state_of() { ps -o stat= -p "$1" 2>/dev/null | cut -c1; }

# SHELL WITH_BG: Ctrl-Z and fg twice, then (WITH_BG) Ctrl-Z, bg and fg; q.
job_control() {
    local sh=$1 with_bg=$2
    T kill-server 2>/dev/null
    T new-session -d -x 160 -y 20 "env PS1='$ ' $sh"
    sleep 0.5
    type_line "stty -a > $work/stty.before"
    type_line "'$bin' play $work/long.cfg"
    wait_for 'beat [0-9]' || { bad "$sh: the session did not start"; pane; return; }
    local pid
    pid=$(pid_of)
    for i in 1 2; do
        T send-keys C-z
        sleep 1
        type_line "stty -a > $work/stty.$i"
        sleep 0.5
        check '[ "$(state_of "$pid")" = T ] && cmp -s "$work/stty.before" "$work/stty.$i"' \
            "$sh: Ctrl-Z number $i stops the session with the terminal as it was"
        type_line fg
        sleep 1.5
        check '[ "$(state_of "$pid")" != T ]' "$sh: fg number $i: it plays on"
    done
    if [ "$with_bg" = 1 ]; then
        T send-keys C-z
        sleep 1
        type_line bg
        sleep 2
        check '[ -n "$(state_of "$pid")" ] && [ "$(state_of "$pid")" != T ]' \
            "$sh: after Ctrl-Z and bg it plays on in the background (state $(state_of "$pid"))"
        type_line fg
        sleep 1.5
    fi
    T send-keys q
    for _ in $(seq 100); do [ -z "$(state_of "$pid")" ] && break; sleep 0.1; done
    type_line "echo \$? > $work/exit; stty -a > $work/stty.after"
    sleep 1
    check '[ "$(cat "$work/exit" 2>/dev/null)" = 0 ]' "$sh: q ends it with status 0 ($(cat "$work/exit" 2>/dev/null))"
    check 'cmp -s "$work/stty.before" "$work/stty.after"' "$sh: the terminal as it was at the end"
    T kill-server 2>/dev/null
}
job_control "bash --norc --noprofile -i" 1
job_control "dash -i" 0

# A stop much longer than the stall bound (2 s here) is not a dead device.
rm -f "$work/exit"
T new-session -d -x 160 -y 20 "CALFPACE_STALL_SECONDS=2 '$bin' play $work/long.cfg; echo \$? > $work/exit; sleep 60"
if wait_for 'beat [0-9]'; then
    pid=$(pid_of)
    sleep 1; kill -STOP "$pid"; sleep 5; kill -CONT "$pid"
    sleep 2
    check '[ ! -s "$work/exit" ]' "kill -STOP for 5 s (stall bound 2 s), then -CONT: the session plays on"
    T send-keys q
    for _ in $(seq 100); do [ -s "$work/exit" ] && break; sleep 0.1; done
    check '[ "$(cat "$work/exit")" = 0 ] && ! pane | grep -q "stopped taking audio"' \
        "after the stop: q ends it with status 0, no word of a lost device"
else
    bad "the session for kill -STOP did not start"
fi
T kill-server 2>/dev/null

# A closed pipe on stdout.
rm -rf "$XDG_STATE_HOME"
"$bin" play "$work/short.cfg" 2>"$work/pipe.err" | head -1 >"$work/pipe.out"
rc=${PIPESTATUS[0]}
# The session plays to its end; the output it could not write makes the
# status 1 (a runtime failure), said on stderr, never a death by SIGPIPE (141).
check '[ "$rc" = 1 ] && grep -q "cannot write the output" "$work/pipe.err"' \
    "play | head -1: not killed by SIGPIPE; status 1 with a word on the lost output (got $rc)"
check 'grep -q "finished after" "$work/pipe.err"' "play | head -1: the closing summary is printed"
check '[ "$(grep -vc "^#" "$XDG_STATE_HOME/calfpace/history.tsv" 2>/dev/null)" = 1 ]' \
    "play | head -1: the history line is written"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
