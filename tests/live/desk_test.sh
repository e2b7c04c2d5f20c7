#!/usr/bin/env bash
# desk_test.sh CALFPACE ONSETS_TOOL FAKE_TV
#   (inside pulse-session.sh and dbus-run-session)
#
# Reminders that respect the TV and the desk, heard on the null sink:
#   - a reminder pauses the playing TV for its prompt and resumes it after;
#     calfpace is on the session bus only while the prompt plays
#   - the screen locked (logind's LockedHint) or the machine asleep
#     (PrepareForSleep) for longer than --away restarts the interval
#   - while a microphone records (a call) a due reminder waits, and is said
#     when the call ends; recording a sink's monitor is no call
# logind is python3-dbusmock's logind template on a private system bus.
set -u
bin=$1 tool=$2 tv=$3
RATE=48000
PY=/usr/bin/python3
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }

$PY -c 'import dbusmock' 2>/dev/null || { echo "FAIL: python3-dbusmock is not installed (tools/setup.sh installs it)"; exit 1; }
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || { echo "FAIL: run inside dbus-run-session"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

# ---- a private system bus with a fake logind on it ----
dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$work/sysbus" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/sysbus" ] && break; sleep 0.05; done
DBUS_SYSTEM_BUS_ADDRESS=$(head -1 "$work/sysbus")
export DBUS_SYSTEM_BUS_ADDRESS
$PY -m dbusmock --system --template logind >"$work/logind.log" 2>&1 &
pids+=($!)
logind() {
    # logind lock|unlock|sleep|wake: what a desktop and the kernel would do.
    $PY - "$1" <<'EOF'
import sys, dbus
bus = dbus.SystemBus()
mock = "org.freedesktop.DBus.Mock"
what = sys.argv[1]
if what == "session":
    bus.get_object("org.freedesktop.login1", "/org/freedesktop/login1").AddSession(
        "c1", "seat0", dbus.UInt32(1000), "listener", True, dbus_interface=mock)
elif what in ("lock", "unlock"):
    bus.get_object("org.freedesktop.login1", "/org/freedesktop/login1/session/c1").UpdateProperties(
        "org.freedesktop.login1.Session", {"LockedHint": what == "lock"}, dbus_interface=mock)
else:
    bus.get_object("org.freedesktop.login1", "/org/freedesktop/login1").EmitSignal(
        "org.freedesktop.login1.Manager", "PrepareForSleep", "b", [what == "sleep"],
        dbus_interface=mock)
EOF
}
for _ in $(seq 100); do logind session 2>/dev/null && break; sleep 0.1; done
export XDG_SESSION_ID=c1

mkdir -p "$XDG_CONFIG_HOME/calfpace"
echo 'prompt_silence = 0.0;' >"$XDG_CONFIG_HOME/calfpace/calfpace.cfg"

record() {
    : >"$work/rec.raw"
    (timeout 60 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
        --latency-msec=20 2>/dev/null | head -c $(($1 * RATE * 4)) >"$work/rec.raw") &
    rec_pid=$!
    for _ in $(seq 500); do [ -s "$work/rec.raw" ] && break; sleep 0.02; done
    rec_t0=$(date +%s.%N)
}
# The prompts heard, as seconds after T0: speech onsets a second apart or more.
prompts_after() {
    local off
    off=$(awk -v a="$1" -v b="$rec_t0" 'BEGIN { print a - b }')
    "$tool" "$work/rec.raw" right |
        awk -v r=$RATE -v o="$off" 'NR == 1 || $1 - last > r { printf "%.2f\n", $1 / r - o } { last = $1 }'
}
bus_names() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.ListNames | sed -n 's/.*string "\(.*\)"/\1/p'
}

# ---- the TV is paused for the prompt and resumed after ----
: >"$work/tv.log"
$PY "$tv" "$work/tv.log" &
tv_pid=$!
pids+=("$tv_pid")
for _ in $(seq 100); do bus_names | grep -qx org.mpris.MediaPlayer2.tv && break; sleep 0.05; done
t0=$(date +%s.%N)
"$bin" remind --every 2s none --for 8s >"$work/out.txt" 2>&1 &
cal=$!
: >"$work/names"
while kill -0 "$cal" 2>/dev/null; do
    printf '%s %s\n' "$(date +%s.%N)" "$(bus_names | grep -c calfpace)" >>"$work/names"
    sleep 0.2
done
wait "$cal"
rc=$?
pause_at=$(awk '/ Pause$/ { print $1; exit }' "$work/tv.log")
play_at=$(awk '/ Play$/ { t = $1 } END { print t }' "$work/tv.log") # after the last prompt
on_from=$(awk '$2 > 0 { print $1; exit }' "$work/names")
on_to=$(awk '$2 > 0 { t = $1 } END { print t }' "$work/names")
echo "  from the start: TV paused at $(awk -v a="${pause_at:-0}" -v t="$t0" 'BEGIN { printf "%.1f", a - t }') s," \
    "resumed at $(awk -v a="${play_at:-0}" -v t="$t0" 'BEGIN { printf "%.1f", a - t }') s;" \
    "calfpace on the bus from $(awk -v a="${on_from:-0}" -v t="$t0" 'BEGIN { printf "%.1f", a - t }')" \
    "to $(awk -v a="${on_to:-0}" -v t="$t0" 'BEGIN { printf "%.1f", a - t }') s"
check '[ "$rc" = 0 ] && [ -n "$pause_at" ] && [ -n "$play_at" ] && [ "$(tail -1 "$work/tv.log" | cut -d" " -f2)" = Play ]' \
    "a reminder pauses the TV and resumes it after its prompt"
check '[ -n "$on_from" ] && awk -v a="$pause_at" -v f="$on_from" -v t="$on_to" -v p="$play_at" "BEGIN { exit !(f >= a && t <= p + 0.3) }"' \
    "calfpace is on the session bus only while its prompts play"
check '! bus_names | grep -q calfpace' "and not after remind has stopped"
kill "$tv_pid" 2>/dev/null

# ---- locked longer than --away: a new interval ----
record 13
t0=$(date +%s.%N)
"$bin" remind --every 4s --away 2s none --for 12s >"$work/out.txt" 2>&1 &
cal=$!
sleep 1; logind lock; sleep 2.5; logind unlock
back_at=$(date +%s)
back=$(awk -v a="$(date +%s.%N)" -v t="$t0" 'BEGIN { printf "%.2f", a - t }')
wait "$cal"
wait "$rec_pid"
mapfile -t at < <(prompts_after "$t0")
echo "  locked for 2.5 s from 1 s, unlocked at $back s, --every 4s --away 2s: prompts at ${at[*]} s"
next_at=$(sed -n '/away for/,$ s/^calfpace: next reminder at \([0-9:]*\).*/\1/p' "$work/out.txt" | head -1)
gap=$(( $(date -d "${next_at:-00:00:00}" +%s) - back_at ))
echo "  after the unlock the next reminder is due $gap s later ($next_at)"
check 'grep -q "away for" "$work/out.txt" && [ "$gap" -ge 3 ] && [ "$gap" -le 5 ] && [ "${#at[@]}" -ge 1 ] && awk -v a="${at[0]}" -v b="$back" "BEGIN { exit !(a - b > 3.5) }"' \
    "the screen locked 2.5 s: the interval starts again at the unlock (first prompt at ${at[0]:-none} s, the unlock at $back s)"

# ---- asleep, the same ----
record 13
t0=$(date +%s.%N)
"$bin" remind --every 4s --away 2s none --for 12s >"$work/out.txt" 2>&1 &
cal=$!
sleep 1; logind sleep; sleep 2.5; logind wake
back_at=$(date +%s)
back=$(awk -v a="$(date +%s.%N)" -v t="$t0" 'BEGIN { printf "%.2f", a - t }')
wait "$cal"
wait "$rec_pid"
mapfile -t at < <(prompts_after "$t0")
echo "  asleep for 2.5 s from 1 s, awake at $back s: prompts at ${at[*]} s"
next_at=$(sed -n '/away for/,$ s/^calfpace: next reminder at \([0-9:]*\).*/\1/p' "$work/out.txt" | head -1)
gap=$(( $(date -d "${next_at:-00:00:00}" +%s) - back_at ))
echo "  after waking the next reminder is due $gap s later ($next_at)"
check 'grep -q "away for" "$work/out.txt" && [ "$gap" -ge 3 ] && [ "$gap" -le 5 ] && [ "${#at[@]}" -ge 1 ] && awk -v a="${at[0]}" -v b="$back" "BEGIN { exit !(a - b > 3.5) }"' \
    "the machine asleep 2.5 s: the interval starts again on waking (first prompt at ${at[0]:-none} s, the wake at $back s)"

# ---- on a call: the reminder waits for its end ----
pactl load-module module-null-source source_name=mic >/dev/null
parec -d mic >/dev/null 2>&1 &
call=$!
pids+=("$call")
record 13
t0=$(date +%s.%N)
"$bin" remind --every 2s none --for 12s >"$work/out.txt" 2>&1 &
cal=$!
sleep 6.5
kill "$call"
ended=$(awk -v a="$(date +%s.%N)" -v t="$t0" 'BEGIN { printf "%.2f", a - t }')
wait "$cal"
wait "$rec_pid"
mapfile -t at < <(prompts_after "$t0")
echo "  a call ending at $ended s, reminders every 2 s: prompts at ${at[*]} s"
check 'grep -q "microphone is in use" "$work/out.txt" && [ "${#at[@]}" -ge 1 ] && awk -v a="${at[0]}" -v e="$ended" "BEGIN { exit !(a > e && a < e + 5) }"' \
    "a reminder due during a call is said when the call ends (first prompt at ${at[0]:-none} s, not 2)"

rm -f "$XDG_CONFIG_HOME/calfpace/calfpace.cfg"
echo "$passed passed, $failed failed"
if [ "$failed" != 0 ] && ! pactl info >/dev/null 2>&1; then
    echo "the sound server itself has died (not calfpace's doing)"
    exit 3
fi
[ "$failed" = 0 ]
