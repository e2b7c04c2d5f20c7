#!/usr/bin/env bash
# hands_clean_test.sh CALFPACE SHIM  (inside pulse-session.sh)
#
# The audio callback's hands stay clean: a live session with speech, ducking,
# a pause, a tempo change and a saved edit of the routine, played with the
# hands_clean.so shim preloaded, which counts every allocation, free, mutex
# lock, read, write, open, sleep and poll made inside the callback.  All must
# be zero, over hundreds of callbacks.  The shim is checked too: the same
# count of a deliberately allocating call must not be zero (see the end).
set -u
bin=$1 shim=$2
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

cat >"$work/clean.cfg" <<'CFG'
name = "clean hands";
cue = "quick"; lead_in = 4.0;
end_cue = "done";
steps = (
  { type = "paced"; name = "Tapping"; cue = "tapping"; lead_in = 3.0;
    tempo = { from = 100.0; to = 140.0; }; seconds = 8.0; sounds = [ "tap" ]; pan = [ -1.0, 1.0 ]; },
  { type = "hold"; name = "Stretch"; cue = "stretch-left"; lead_in = 5.0; seconds = 6.0; }
);
CFG
T() { tmux -L calfpace-clean -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
rm -f "$work/report" "$work/exit"
T new-session -d -x 150 -y 10 "HANDS_CLEAN_REPORT=$work/report LD_PRELOAD=$shim '$bin' play '$work/clean.cfg'; echo \$? > $work/exit; sleep 120"
sleep 6; T send-keys ' '
sleep 1; T send-keys ' '
sleep 2; T send-keys Up
sleep 1; sed 's/to = 140.0/to = 150.0/' "$work/clean.cfg" >"$work/c.tmp" && mv "$work/c.tmp" "$work/clean.cfg"
sleep 1; T send-keys Right
for _ in $(seq 600); do [ -s "$work/exit" ] && break; sleep 0.1; done
rc=$(cat "$work/exit" 2>/dev/null)
[ "$rc" = 0 ] && ok "the session played to its end (status $rc)" || bad "the session ended with status '$rc'"
if [ -s "$work/report" ]; then
    sed 's/^/  /' "$work/report"
    callbacks=$(awk '$1 == "callbacks" { print $2 }' "$work/report")
    forbidden=$(awk '$1 == "forbidden" { print $2 }' "$work/report")
    [ "${callbacks:-0}" -gt 200 ] && ok "$callbacks callbacks watched" || bad "only ${callbacks:-0} callbacks watched"
    [ "${forbidden:-1}" = 0 ] && ok "no allocation, free, lock, I/O or sleep inside them" ||
        bad "$forbidden forbidden calls inside the callback"
else
    bad "no report from the shim"
fi

# The shim must be able to see a dirty callback: a tiny PortAudio program
# whose callback allocates.
cat >"$work/dirty.c" <<'C'
#include <portaudio.h>
#include <stdlib.h>
static int cb(const void *i, void *o, unsigned long n, const PaStreamCallbackTimeInfo *t,
              PaStreamCallbackFlags f, void *u)
{
    (void)i; (void)t; (void)f; (void)u;
    float *x = o;
    for (unsigned long k = 0; k < 2 * n; k++)
        x[k] = 0.0f;
    free(malloc(64));
    return paContinue;
}
int main(void)
{
    PaStream *s;
    if (Pa_Initialize() || Pa_OpenDefaultStream(&s, 0, 2, paFloat32, 48000, 0, cb, NULL))
        return 1;
    Pa_StartStream(s);
    Pa_Sleep(500);
    Pa_StopStream(s);
    Pa_CloseStream(s);
    Pa_Terminate();
    return 0;
}
C
if cc -o "$work/dirty" "$work/dirty.c" -lportaudio 2>"$work/cc.err"; then
    HANDS_CLEAN_REPORT=$work/dirty.report LD_PRELOAD=$shim "$work/dirty" >/dev/null 2>&1
    d=$(awk '$1 == "malloc" { print $2 }' "$work/dirty.report" 2>/dev/null)
    [ "${d:-0}" -gt 0 ] && ok "the shim does see a callback that allocates ($d mallocs)" ||
        bad "the shim missed a callback that allocates"
else
    bad "cannot build the dirty control program: $(cat "$work/cc.err")"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
