#!/usr/bin/env bash
# tsan_session.sh CALFPACE  (inside pulse-session.sh; CALFPACE built with
# ThreadSanitizer): a session in a pseudo-terminal (tmux) steered with keys
# and two saves of the routine, then q.  It must end with status 0 and no
# ThreadSanitizer report.
set -u
bin=$1
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
# A tmux server of its own: another run at the same time must not share it
# (its sessions would get that run's environment) or kill it.
T() { tmux -L "calfpace-tsan-$$" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
# ThreadSanitizer writes its reports to files (log_path below), not to the
# pane: every way out of this script shows them, or they are lost with the
# scratch folder.
reports() {
    if ls "$work"/tsan.* >/dev/null 2>&1; then
        echo "ThreadSanitizer reports:"; cat "$work"/tsan.*
    fi
}
cat >"$work/t.cfg" <<EOF
name = "tsan"; guidance = { voice = false; };
steps = ( { type = "paced"; tempo = 120.0; seconds = 30.0; lead_in = 0.5; },
          { type = "paced"; tempo = 100.0; seconds = 30.0; lead_in = 0.5; } );
EOF
export TSAN_OPTIONS="${TSAN_OPTIONS:-} log_path=$work/tsan"
T new-session -d -x 160 -y 12 "'$bin' play $work/t.cfg 2>$work/err; echo \$? > $work/exit; sleep 60"
started=0
# Start-up under ThreadSanitizer takes about 7 s here (each library PortAudio
# loads makes it re-read the memory map); on a busy machine much longer.
for _ in $(seq 900); do
    T capture-pane -p | grep -q 'beat [0-9]' && started=1 && break
    [ -s "$work/exit" ] && break
    sleep 0.1
done
[ "$started" = 1 ] || { echo "FAIL: the session did not start (exit status '$(cat "$work/exit" 2>/dev/null)'):"; T capture-pane -p; cat "$work/err"; reports; exit 1; }
sleep 1
for k in ' ' ' ' Up Down Right Left n b; do T send-keys "$k"; sleep 0.4; done
sed 's/tempo = 120.0/tempo = 140.0/' "$work/t.cfg" >"$work/t.new" && mv "$work/t.new" "$work/t.cfg"
sleep 1
printf 'oops = ;\n' >>"$work/t.cfg"
sleep 1
T send-keys q
for _ in $(seq 100); do [ -s "$work/exit" ] && break; sleep 0.1; done
rc=$(cat "$work/exit" 2>/dev/null)
if ls "$work"/tsan.* >/dev/null 2>&1; then
    echo "FAIL:"; reports; exit 1
fi
if [ "$rc" != 0 ]; then
    echo "FAIL: the session ended with status '$rc':"; cat "$work/err"; exit 1
fi
screen=$(T capture-pane -p -S -40)
if ! grep -q "t.cfg reloaded" <<<"$screen" || ! grep -q "stopped after" "$work/err"; then
    echo "FAIL: no reload, or no stop on q:"; echo "$screen"; cat "$work/err"; exit 1
fi
echo "ok: a session with keys and reloads under ThreadSanitizer: no race reported, status 0"
