#!/usr/bin/env bash
# firstuse_live_test.sh CALFPACE SOURCE   (inside pulse-session.sh)
#
# What a new user meets in a live session on the null sink: the closing
# line without the developer figures (and with them under -v); the smallest
# latency allowed plays in real time; a session started in the background
# of an interactive shell plays instead of being stopped; the status line
# from the first moment, and none with TERM=dumb; --device refuses a part of
# a name that several share and saves the name of the device it played on.
set -u
bin=$1 src=$2
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
cat >"$work/short.cfg" <<'CFG'
name = "Short";
lead_in = 0.5;
guidance = { voice = false; };
steps = ( { type = "paced"; tempo = 240.0; beats = 8; lead_in = 0.2; } );
CFG

# The closing line, and the figures only with -v; the smallest latency.
t0=$(date +%s.%N)
"$bin" play "$work/short.cfg" --quiet --latency 0.02 </dev/null >"$work/out" 2>"$work/err"
rc=$? t1=$(date +%s.%N)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
if [ "$rc" = 0 ] && grep -q 'finished after' "$work/err" && ! grep -q 'callbacks' "$work/err"; then
    ok "a session ends with one line, no figures: $(cat "$work/err")"
else bad "closing lines (status $rc):"; sed 's/^/   | /' "$work/err"; fi
awk -v t="$took" 'BEGIN { exit !(t < 8) }' && ok "--latency 0.02 plays the 3 s routine in ${took} s" ||
    bad "--latency 0.02 took ${took} s"
"$bin" play "$work/short.cfg" --quiet -v </dev/null >"$work/out" 2>"$work/err"
grep -q 'callbacks.*first sample.*peak RSS' "$work/err" && ok "-v adds the figures line" ||
    { bad "-v: no figures line"; sed 's/^/   | /' "$work/err"; }

# --device: a part of a name that several devices share is refused with
# the list of them; an index plays and saves the device's name, not the
# index (indexes change as devices come and go).  This server's devices
# are "pulse" and "default".
"$bin" play "$work/short.cfg" --quiet --device u </dev/null >"$work/out" 2>"$work/err"
rc=$?
if [ "$rc" = 2 ] && grep -q '"u" matches 2 devices: "pulse", "default"' "$work/err"; then
    ok "--device u (in two names) is refused with both: $(cat "$work/err")"
else bad "--device u: status $rc:"; sed 's/^/   | /' "$work/err"; fi
pulse_index=$("$bin" devices 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $2 == "pulse" { print $1 } $1 == "*" && $3 == "pulse" { print $2 }')
conf=$work/config/calfpace/calfpace.cfg
rm -f "$conf"
if [ -n "$pulse_index" ] && "$bin" play "$work/short.cfg" --quiet --device "$pulse_index" </dev/null \
    >"$work/out" 2>"$work/err" && grep -q '^device = "pulse";' "$conf"; then
    ok "--device $pulse_index plays and saves the name: $(grep device "$conf")"
else bad "--device '$pulse_index': $(cat "$work/err"); saved: $(cat "$conf" 2>/dev/null)"; fi
rm -f "$conf"

# In the background of an interactive shell (job control on): it plays and
# ends by itself, never stopped by SIGTTOU/SIGTTIN.
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed"; exit 1; }
T() { tmux -L calfpace-firstuse -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
T new-session -d -x 100 -y 10 "bash --norc -i"
sleep 0.5
T send-keys "'$bin' -q play '$work/short.cfg' > $work/bg.out 2>&1 & sleep 1; jobs -l > $work/jobs; wait; echo \$? > $work/bg.rc" Enter
for _ in $(seq 150); do [ -s "$work/bg.rc" ] && break; sleep 0.1; done
if [ "$(cat "$work/bg.rc" 2>/dev/null)" = 0 ] && ! grep -qi 'stopped' "$work/jobs" && grep -q 'finished after' "$work/bg.out"; then
    ok "calfpace -q play ... & runs in the background to its end"
else bad "in the background: status '$(cat "$work/bg.rc" 2>/dev/null)', jobs: $(cat "$work/jobs" 2>/dev/null)"; cat "$work/bg.out"; fi
T kill-server 2>/dev/null

# The status line from the first moment (the opening lead-in), and none
# with TERM=dumb (a line per step instead).
cat >"$work/slow.cfg" <<'CFG'
name = "Slow start";
cue = "calf-pump";
lead_in = 6.0;
steps = ( { type = "paced"; tempo = 120.0; beats = 4; lead_in = 0.5; } );
CFG
T new-session -d -x 120 -y 10 "'$bin' play '$work/slow.cfg'; sleep 30"
for _ in $(seq 60); do T capture-pane -p | grep -q '\[0/1\]' && break; sleep 0.1; done
screen=$(T capture-pane -p)
T kill-server 2>/dev/null
grep -q '\[0/1\] Slow start | Paced in [0-9]* s' <<<"$screen" && ok "the status line shows the opening: $(grep '\[0/1\]' <<<"$screen")" ||
    { bad "no status line in the opening:"; echo "$screen" | sed 's/^/   | /'; }
T new-session -d -x 120 -y 10 "TERM=dumb '$bin' play '$work/slow.cfg'; sleep 30"
sleep 9
screen=$(T capture-pane -p)
T kill-server 2>/dev/null
if grep -q '^\[1/1\] Paced: ' <<<"$screen" && ! grep -q 'step \[' <<<"$screen"; then
    ok "TERM=dumb: a line per step, no redrawn status line"
else bad "TERM=dumb:"; echo "$screen" | sed 's/^/   | /'; fi

# The terminal narrows mid-session (SIGWINCH): one status line on screen,
# no rewrapped copies of the wider one.  Then Ctrl-Z and fg: the stream
# starves while stopped, and those underruns are not the machine's.
cat >"$work/long.cfg" <<'CFG'
name = "Long";
guidance = { voice = false; };
lead_in = 0.5;
steps = ( { type = "paced"; name = "Heels"; tempo = 120.0; beats = 16; lead_in = 0.3; } );
CFG
T new-session -d -x 150 -y 12 "bash --norc -i"
sleep 0.5
T send-keys "PS1='$ '; clear; '$bin' play '$work/long.cfg' 2>$work/long.err" Enter
for _ in $(seq 50); do T capture-pane -p | grep -q 'underruns' && break; sleep 0.1; done
sleep 1
T resize-window -x 50 2>/dev/null || T resize-pane -x 50
sleep 1
screen=$(T capture-pane -p)
copies=$(grep -c 'step \[\|underruns\|\[1/1\]' <<<"$screen")
lines=$(grep -c . <<<"$screen")
if [ "$copies" -le 1 ] && [ "$lines" -le 3 ]; then
    ok "narrowed to 50 columns: one status line, no old copies ($lines lines on screen)"
else bad "after narrowing ($copies status pieces, $lines lines):"; echo "$screen" | sed 's/^/   | /'; fi
T send-keys C-z
sleep 1.5
stopped=$(T capture-pane -p | grep -ci 'stopped')
# (bash goes on at once with 148 for a stopped job: the status is fg's)
T send-keys "fg > /dev/null; echo \$? > $work/long.rc" Enter
for _ in $(seq 150); do [ -s "$work/long.rc" ] && break; sleep 0.1; done
if [ "$stopped" -ge 1 ] && [ "$(cat "$work/long.rc" 2>/dev/null)" = 0 ] && grep -q 'finished after .*, 0 underruns' "$work/long.err"; then
    ok "Ctrl-Z for 1.5 s and fg: finished, 0 underruns counted: $(cat "$work/long.err")"
else bad "Ctrl-Z and fg: stopped '$stopped', status '$(cat "$work/long.rc" 2>/dev/null)': $(cat "$work/long.err")"; fi
T kill-server 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
