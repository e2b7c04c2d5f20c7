#!/usr/bin/env bash
# Hostile files: each case once hung calfpace, let libconfig exit() from
# inside it, or wrote where it should not.  Every run is under `timeout`, so
# a hang fails the case (after a few seconds) instead of the suite.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
d=$(mktemp -d /tmp/calfpace-hostile-XXXXXX)
trap 'chmod -R u+rwx "$d" 2>/dev/null; rm -rf "$d"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# within SECS STATUS PREFIX -- ARGS: calfpace ARGS must end within SECS
# seconds with STATUS and (for a non-zero STATUS) one line on stderr that
# starts with PREFIX.
within() {
    local secs=$1 want=$2 prefix=$3; shift 4
    local rc err t0 t1
    t0=$(date +%s.%N)
    timeout -s KILL "$secs" "$bin" "$@" >"$d/out" 2>"$d/err" </dev/null; rc=$?
    t1=$(date +%s.%N)
    err=$(cat "$d/err")
    local took; took=$(printf '%.2f' "$(echo "$t1 - $t0" | bc)")
    if [ "$rc" = 137 ]; then
        bad "calfpace $* hung (killed after $secs s)"; return 1
    fi
    if [ "$rc" = "$want" ] && { [ "$want" = 0 ] || { [ "$(grep -c '' "$d/err")" = 1 ] && [[ "$err" == "$prefix"* ]]; }; }; then
        ok "calfpace $* -> $rc in $took s${err:+: $err}"; return 0
    fi
    bad "calfpace $* -> $rc in $took s (want $want, one line starting: $prefix)"
    sed 's/^/   | /' "$d/err" | head -5
    return 1
}

STEP='steps = ( { type = "rest"; seconds = 1.0; } );'

# --- hangs -----------------------------------------------------------------
# A routine that includes itself four (eight) times: the include pre-check
# once re-read it to depth 10 with no memo (26 s; eight lines: hours).
{ for i in 1 2 3 4; do echo '@include "bomb4.cfg"'; done; echo "$STEP"; } >"$d/bomb4.cfg"
within 3 2 "$d/bomb4.cfg:1: @include \"bomb4.cfg\": include file nesting too deep" -- check "$d/bomb4.cfg"
{ for i in 1 2 3 4 5 6 7 8; do echo '@include "bomb8.cfg"'; done; echo "$STEP"; } >"$d/bomb8.cfg"
within 3 2 "$d/bomb8.cfg:1: @include \"bomb8.cfg\": include file nesting too deep" -- check "$d/bomb8.cfg"
# The same without recursion: a chain of files each pasting the next 4 times.
for i in 1 2 3 4 5 6 7 8 9; do
    n=$((i + 1)); : >"$d/chain$i.cfg"
    for k in 1 2 3 4; do echo "@include \"chain$n.cfg\"" >>"$d/chain$i.cfg"; done
done
echo "# the end" >"$d/chain10.cfg"
{ echo '@include "chain1.cfg"'; echo "$STEP"; } >"$d/chain.cfg"
within 3 2 "$d/chain" -- check "$d/chain.cfg"
grep -q 'more than 64 includes in all' "$d/err" && ok "an include chain hits the include budget" || bad "include chain: $(cat "$d/err")"

# A FIFO as the routine, as an include, as the personal config's include.
mkfifo "$d/fifo.cfg"
within 3 2 "$d/fifo.cfg: the routine is a FIFO (allowed: a regular file)" -- check "$d/fifo.cfg"
printf '@include "fifo.cfg"\n%s\n' "$STEP" >"$d/inc-fifo.cfg"
within 3 2 "$d/inc-fifo.cfg:1: @include \"fifo.cfg\": $d/fifo.cfg: the included file is a FIFO" -- check "$d/inc-fifo.cfg"
mkdir -p "$d/xdg/calfpace"
printf '@include "fifo"\n' >"$d/xdg/calfpace/calfpace.cfg"
mkfifo "$d/xdg/calfpace/fifo"
XDG_CONFIG_HOME=$d/xdg within 5 2 "$d/xdg/calfpace/calfpace.cfg:1: @include \"fifo\": $d/xdg/calfpace/fifo: the included file is a FIFO" -- play quick
rm "$d/xdg/calfpace/fifo"; mkfifo "$d/xdg/calfpace/calfpace.cfg.fifo"
mv "$d/xdg/calfpace/calfpace.cfg.fifo" "$d/xdg/calfpace/calfpace.cfg"
XDG_CONFIG_HOME=$d/xdg within 5 2 "$d/xdg/calfpace/calfpace.cfg: the personal config is a FIFO" -- remind none --every 1h --for 1s

# 60,000 keys in 937 KB: libconfig's duplicate check is quadratic (48 s).
python3 -c "
import sys
sys.stdout.write(''.join('k%05d = 1;\n' % i for i in range(60000)))
sys.stdout.write('$STEP\n')" >"$d/keys.cfg"
within 3 2 "$d/keys.cfg:513: more than 512 settings in one group" -- check "$d/keys.cfg"
python3 -c "
import sys
sys.stdout.write('steps = (\n' + ',\n'.join('{ type = \"rest\"; seconds = 1.0; a%d = 1; }' % i for i in range(21000)) + ');\n')" >"$d/keys2.cfg"
within 3 2 "$d/keys2.cfg:" -- check "$d/keys2.cfg"
grep -q 'more than 20000 settings' "$d/err" && ok "20,000 settings in all is the budget" || bad "keys2: $(cat "$d/err")"

# A FIFO as the history (stats) and as the snooze file (remind).
mkdir -p "$d/state/calfpace" "$d/run/calfpace"
chmod 700 "$d/run" "$d/run/calfpace"
mkfifo "$d/state/calfpace/history.tsv"
XDG_STATE_HOME=$d/state within 3 1 "calfpace: $d/state/calfpace/history.tsv: the history is a FIFO (allowed: a regular file)" -- stats
mkfifo "$d/run/calfpace/snooze"
XDG_RUNTIME_DIR=$d/run XDG_CONFIG_HOME=$d/none within 5 0 "" -- remind none --every 1h --for 1s

# --- sounds ------------------------------------------------------------------
mkdir -p "$d/snd"
mkfifo "$d/snd/pipe.wav"; mkdir "$d/snd/dir.wav"
snd_routine() { printf 'sounds_dir = "snd";\nguidance = { voice = false; };\nsteps = ( { type = "paced"; tempo = 60.0; beats = 2;\n  sounds = [%s]; } );\n' "$2" >"$d/$1.cfg"; }
snd_routine snd-fifo '"pipe"'
within 3 2 "$d/snd-fifo.cfg:4: $d/snd/pipe.wav: the sound is a FIFO (allowed: a regular file)" -- check "$d/snd-fifo.cfg"
snd_routine snd-dir '"dir"'
within 3 2 "$d/snd-dir.cfg:4: $d/snd/dir.wav: the sound is a folder (allowed: a regular file)" -- check "$d/snd-dir.cfg"
# A sample rate of 1 Hz is out of range, not "no audio".
python3 -c "
import wave
w = wave.open('$d/snd/slow.wav', 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(1)
w.writeframes(b'\x00\x10' * 4); w.close()"
snd_routine snd-slow '"slow"'
within 3 2 "$d/snd-slow.cfg:4: $d/snd/slow.wav: its sample rate 1 Hz is out of range (allowed: 1000 to 768000)" -- check "$d/snd-slow.cfg"
# A 1.84 GB sound (sparse) is refused by its size before a byte is read.
python3 -c "
import struct
n = 1840000000 - 44
f = open('$d/snd/huge.wav', 'wb')
f.write(b'RIFF' + struct.pack('<I', n + 36) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 2, 48000, 192000, 4, 16) + b'data' + struct.pack('<I', n))
f.truncate(n + 44); f.close()"
snd_routine snd-huge '"huge"'
within 3 2 "$d/snd-huge.cfg:4: $d/snd/huge.wav: the sound is 1840000000 bytes (allowed: at most" -- check "$d/snd-huge.cfg"
# One sparse 599 s file under 16 names: held once (it took 1 GB).
python3 -c "
import struct
n = 599 * 48000 * 2
f = open('$d/snd/long.wav', 'wb')
f.write(b'RIFF' + struct.pack('<I', n + 36) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 1, 48000, 96000, 2, 16) + b'data' + struct.pack('<I', n))
f.truncate(n + 44); f.close()"
names=""
for i in $(seq 1 16); do ln -s long.wav "$d/snd/l$i.wav"; names="$names${names:+, }\"l$i\""; done
snd_routine snd-links "$names"
/usr/bin/time -f %M -o "$d/rss" timeout -s KILL 60 "$bin" check "$d/snd-links.cfg" >/dev/null 2>"$d/err"; rc=$?
rss=$(tail -1 "$d/rss")
if [ "$rc" = 0 ] && [ "$rss" -lt 400000 ]; then ok "16 names for one 599 s sound: peak RSS $((rss / 1024)) MB"; else
    bad "16 names for one 599 s sound: exit $rc, peak RSS $((rss / 1024)) MB"; sed 's/^/   | /' "$d/err" | head -3; fi

# --- libconfig's exit() ----------------------------------------------------
# libconfig 1.5 opened "<folder>//etc/hostname" where the guard checked
# /etc/hostname: a folder there made flex exit() the whole program.
mkdir -p "$d/x/etc/hostname"
printf '@include "/etc/hostname"\n%s\n' "$STEP" >"$d/x/r.cfg"
within 3 2 "$d/x/r.cfg:" -- check "$d/x/r.cfg"
grep -q 'flex' "$d/err" && bad "libconfig's scanner was reached: $(cat "$d/err")" || ok "no flex scanner message"
# A valid absolute include works.
mkdir -p "$d/parts"
echo "$STEP" >"$d/parts/steps.cfg"
printf 'name = "abs";\n@include "%s/parts/steps.cfg"\n' "$d" >"$d/abs.cfg"
within 3 0 "" -- check "$d/abs.cfg"
# A folder named across two lines.
mkdir -p "$d/a
b"
printf '@include "a\nb"\n%s\n' "$STEP" >"$d/span.cfg"
within 3 2 "$d/span.cfg:1: @include \"a\\nb\": $d/a\\nb: the included file is a folder (allowed: a regular file)" -- check "$d/span.cfg"
# Includes that libconfig ignores are ignored: in comments, in strings.
cat >"$d/commented.cfg" <<CFG
# @include "nope.cfg"
// @include "nope.cfg"
/*
@include "nope.cfg"
*/
name = "a
@include \"nope.cfg\"
b";
$STEP
CFG
within 3 0 "" -- check "$d/commented.cfg"
# Not at the start of a line: libconfig's syntax error, not an include.
printf 'name = "x"; @include "nope.cfg"\n%s\n' "$STEP" >"$d/midline.cfg"
within 3 2 "$d/midline.cfg:1: syntax error" -- check "$d/midline.cfg"
# An error in an included file names that file and its line.
printf 'name = "p";\n\nrepeat = 0;\n' >"$d/parts/bad.cfg"
printf '@include "parts/bad.cfg"\n%s\n' "$STEP" >"$d/inc-bad.cfg"
within 3 2 "$d/parts/bad.cfg:3: " -- check "$d/inc-bad.cfg"
printf 'name = "p"\n\nrepeat 0;\n' >"$d/parts/syntax.cfg"
printf '\n@include "parts/syntax.cfg"\n%s\n' "$STEP" >"$d/inc-syntax.cfg"
within 3 2 "$d/parts/syntax.cfg:3: syntax error" -- check "$d/inc-syntax.cfg"

# --- what reaches the terminal --------------------------------------------
# Escape sequences in a routine's names reach the terminal escaped, never raw.
printf 'name = "\\x1b]0;PWNED\\x07\\x1b[2J";\nsteps = ( { type = "rest"; name = "\\x1b[31mred\\x9b"; seconds = 1.0; } );\n' >"$d/esc.cfg"
within 3 0 "" -- check "$d/esc.cfg"
if grep -q $'\x1b\|\x07' "$d/out" "$d/err"; then
    bad "check printed a raw control character: $(od -c "$d/out" | head -3)"
elif grep -qF '\x1b]0;PWNED\x07\x1b[2J' "$d/out" && grep -qF '\x1b[31mred' "$d/out"; then
    ok "control characters in names are shown escaped: $(head -1 "$d/out")"
else
    bad "names not shown: $(cat "$d/out")"
fi
printf 'name = "\\x1b[2J";\nrepeat = 0;\n' >"$d/esc err.cfg"
mv "$d/esc err.cfg" "$d/esc"$'\e'"[2J.cfg"
within 3 2 "$d/esc\x1b[2J.cfg:2: repeat 0" -- check "$d/esc"$'\e'"[2J.cfg"

# --- what calfpace writes --------------------------------------------------
# The snooze file is never written through a planted link, and only in a
# folder of the user's own that no one else may write to.
echo "precious" >"$d/victim"
ln -s "$d/victim" "$d/run/calfpace/snooze.lnk"
rm -f "$d/run/calfpace/snooze"
ln -s "$d/victim" "$d/run/calfpace/snooze"
XDG_RUNTIME_DIR=$d/run within 3 0 "" -- remind --snooze 5m
if [ "$(cat "$d/victim")" = precious ] && [ -f "$d/run/calfpace/snooze" ] && [ ! -L "$d/run/calfpace/snooze" ]; then
    ok "a link at the snooze file is replaced, its target untouched"
else
    bad "the snooze went through a link: victim now '$(cat "$d/victim")'"
fi
mkdir -p "$d/run2/calfpace"; chmod 777 "$d/run2/calfpace"
XDG_RUNTIME_DIR=$d/run2 within 3 1 "calfpace: $d/run2/calfpace: others may write to the folder (mode 777" -- remind --snooze 5m
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$d/run3/calfpace"; chmod 700 "$d/run3/calfpace"; chown 65534 "$d/run3/calfpace"
    XDG_RUNTIME_DIR=$d/run3 within 3 1 "calfpace: $d/run3/calfpace: the folder belongs to user 65534" -- remind --snooze 5m
else
    echo "skip: a folder of another user's (needs root to make one)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
