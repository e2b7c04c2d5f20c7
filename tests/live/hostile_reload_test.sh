#!/usr/bin/env bash
# hostile_reload_test.sh CALFPACE  (inside pulse-session.sh)
#
# Hostile files saved over a playing routine: an include bomb, 60,000 keys,
# a FIFO in the routine's place, an include of a FIFO and of a folder, a
# FIFO and a 1.84 GB file as sounds.  Each once froze the session loop (keys
# dead, SIGTERM ignored) or let libconfig exit() the session.  After each
# save a volume key must show on the status line within a second, and the
# session must play on; at the end q ends it with status 0.
set -u
bin=$1
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed (apt-get install tmux)"; exit 1; }
T() { tmux -L calfpace-hostile -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
export XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config

d=$work/hostile
mkdir -p "$d/snd" "$d/x/etc/hostname"
r=$d/r.cfg
good='name = "hostile";
guidance = { voice = false; };
steps = ( { type = "paced"; tempo = 100.0; seconds = 600.0; } );'
echo "$good" >"$r"
mkfifo "$d/pipe.cfg" "$d/snd/pipe.wav"
python3 -c "
import struct
n = 1840000000 - 44
f = open('$d/snd/huge.wav', 'wb')
f.write(b'RIFF' + struct.pack('<I', n + 36) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 2, 48000, 192000, 4, 16) + b'data' + struct.pack('<I', n))
f.truncate(n + 44); f.close()"

T new-session -d -x 200 -y 10 "'$bin' play '$r'; echo \$? > $d/exit; sleep 300"
started=0
for _ in $(seq 200); do T capture-pane -p | grep -q 'beat [0-9]' && { started=1; break; }; sleep 0.05; done
[ "$started" = 1 ] || { echo "the session did not start:"; T capture-pane -p; pactl info >/dev/null 2>&1 || exit 3; exit 1; }

# save NAME: writes the hostile text on stdin over the routine (rename, as
# editors do); "fifo" puts a FIFO in its place.
save() {
    if [ "$1" = fifo ]; then rm -f "$r"; mkfifo "$r"; return; fi
    cat >"$r.new" && mv -f "$r.new" "$r"
}
# responsive WHAT: a volume key shows on the status line within a second,
# and the key back takes it away again within a second.
responsive() {
    local t0 t1 seen=0
    sleep 0.4 # the watch's quiet time, and the reload itself
    t0=$(date +%s%N)
    T send-keys ']'
    while [ $((($(date +%s%N) - t0) / 1000000)) -lt 1500 ]; do
        T capture-pane -p | grep -q 'volume +2 dB' && { seen=1; break; }
        sleep 0.01
    done
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    T send-keys '['
    for _ in $(seq 100); do T capture-pane -p | grep -q 'volume +2 dB' || break; sleep 0.01; done
    if [ "$seen" = 1 ] && [ "$ms" -lt 1000 ] && [ ! -s "$d/exit" ]; then
        ok "$1: a key showed $ms ms later (the screen read included); the session plays on"
    else
        bad "$1: no key in a second (seen $seen after $ms ms; exit '$(cat "$d/exit" 2>/dev/null)')"
        T capture-pane -p | tail -4 | sed 's/^/   | /'
    fi
}

responsive "before any hostile save (the baseline)"
{ for i in 1 2 3 4; do echo '@include "r.cfg"'; done; echo "$good"; } | save bomb
responsive "a routine including itself four times"
{ for i in 1 2 3 4 5 6 7 8; do echo '@include "r.cfg"'; done; echo "$good"; } | save bomb8
responsive "eight times"
python3 -c "
import sys
sys.stdout.write(''.join('k%05d = 1;\n' % i for i in range(60000)))" | save keys
responsive "60,000 keys in 937 KB"
save fifo
responsive "a FIFO in the routine's place"
rm -f "$r"
{ echo '@include "pipe.cfg"'; echo "$good"; } | save inc-fifo
responsive "an include of a FIFO"
{ echo '@include "x/etc/hostname"'; echo "$good"; } | save inc-folder
responsive "an include of a folder (libconfig's flex would exit)"
printf 'sounds_dir = "snd";\nsteps = ( { type = "paced"; tempo = 100.0; seconds = 600.0; sounds = ["pipe"]; } );\n' | save snd-fifo
responsive "a FIFO as a sound"
printf 'sounds_dir = "snd";\nsteps = ( { type = "paced"; tempo = 100.0; seconds = 600.0; sounds = ["huge"]; } );\n' | save snd-huge
responsive "a 1.84 GB sound"

echo "$good" | save good
sleep 0.5
T capture-pane -p -S -60 | grep -q 'reloaded' && ok "a good save after them all is taken up" ||
    bad "the good save was not taken up"
T send-keys q
for _ in $(seq 100); do [ -s "$d/exit" ] && break; sleep 0.1; done
rc=$(cat "$d/exit" 2>/dev/null)
[ "$rc" = 0 ] && ok "q ends the session with status 0" || bad "q: exit '$rc'"
grep -c 'is not taken up' <(T capture-pane -p -S -200) | { read -r n; echo "  refused edits reported: $n"; }

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
