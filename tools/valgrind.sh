#!/usr/bin/env bash
# Runs calfpace under valgrind's memcheck: a render of config/quick.cfg to a
# temporary WAV and, when tests/live/pulse-session.sh is there, a short live
# session (about 5 s) into a private PulseAudio server with a null sink.
# Any memory error or leak (definite, indirect or possible) fails the run;
# tools/valgrind.supp holds the libraries' own, never calfpace's.
#   CALFPACE_BUILD_DIR  the build to test (default: build)
#   CALFPACE            the binary (default: $CALFPACE_BUILD_DIR/calfpace)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
bin=${CALFPACE:-${CALFPACE_BUILD_DIR:-build}/calfpace}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is needed (apt-get install valgrind)"; exit 1; }
[ -x "$bin" ] || { echo "valgrind.sh: no $bin; build first (cmake --build build)"; exit 1; }
tmp=$(mktemp -d /tmp/calfpace-valgrind-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2054 # the commas belong to the options
vg=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3
    --track-origins=yes --num-callers=40 --suppressions="$root/tools/valgrind.supp"
    --gen-suppressions=all)
passed=0 failed=0

# run NAME CMD...: the command's own status must be 0, valgrind's verdict clean.
run() {
    local name=$1; shift
    local log=$tmp/$name.log start=$SECONDS
    "$@" >"$tmp/$name.out" 2>"$log"
    local rc=$?
    local summary
    summary=$(grep -E 'ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:' "$log" | sed 's/^==[0-9]*== *//' | tr '\n' ';')
    if [ "$rc" = 0 ]; then
        passed=$((passed + 1)); echo "ok: $name ($((SECONDS - start)) s): $summary"
    else
        failed=$((failed + 1))
        echo "FAIL: $name exited $rc ($([ "$rc" = 3 ] && echo 'valgrind found errors' || echo 'the command failed')); $summary"
        cp "$log" "$root/valgrind-$name.log" 2>/dev/null && echo "   full log: valgrind-$name.log"
        grep -vE '^==[0-9]+== *$' "$log" | head -60 | sed 's/^/   | /'
    fi
}

run render "${vg[@]}" "$bin" render "$root/config/quick.cfg" -o "$tmp/quick.wav" --quiet

if [ -f "$root/tests/live/pulse-session.sh" ]; then
    cat >"$tmp/short.cfg" <<'CFG'
name = "Valgrind";
lead_in = 0.5;
steps = (
  { type = "paced"; tempo = { from = 100.0; to = 140.0; }; beats = 8; pan = [ -1.0, 1.0 ]; lead_in = 0.5; },
  { type = "hold"; seconds = 1.0; lead_in = 0.5; }
);
CFG
    # PortAudio opens every PCM that ALSA lists, and ALSA's a52 plugin pulls
    # in ffmpeg and libhwy, whose constructor runs rdtscp, which valgrind
    # 3.19 cannot execute (SIGILL).  So ALSA gets its own alsa.conf whose
    # conf.d holds only the pulse files: the live path is the same.
    mkdir -p "$tmp/alsa/conf.d"
    for f in /etc/alsa/conf.d/*pulse*.conf /usr/share/alsa/alsa.conf.d/*pulse*.conf; do
        [ -e "$f" ] && cp -L "$f" "$tmp/alsa/conf.d/"
    done
    sed -e "s|\"/var/lib/alsa/conf.d\"|\"$tmp/alsa/conf.d\"|" -e '\|"/usr/etc/alsa/conf.d"|d' \
        -e '\|"/etc/alsa/conf.d"|d' /usr/share/alsa/alsa.conf >"$tmp/alsa/alsa.conf"
    # Valgrind cannot see what ALSA's ioctls and the pulse plugin write, so
    # the frame counts and times they hand over look uninitialised, and the
    # reports follow them into calfpace's callback and its closing figures
    # (hundreds of contexts, every origin a stack variable in libasound,
    # libpulse or libportaudio).  The live run therefore checks addresses
    # (invalid reads and writes, frees) and leaks; uninitialised values are
    # checked in the render above, which runs the same engine without ALSA.
    local_vg=()
    for a in "${vg[@]}"; do [ "$a" = --track-origins=yes ] || local_vg+=("$a"); done
    run live bash "$root/tests/live/pulse-session.sh" env ALSA_CONFIG_PATH="$tmp/alsa/alsa.conf" \
        "${local_vg[@]}" --undef-value-errors=no "$bin" play "$tmp/short.cfg" --quiet
    # ...and the session must really have played to its end.
    if grep -q '^calfpace: finished' "$tmp/live.log"; then
        echo "   the session played: $(grep '^calfpace: finished' "$tmp/live.log")"
    else
        failed=$((failed + 1)); echo "FAIL: the live session did not finish:"
        grep -v '^==' "$tmp/live.log" | head -20 | sed 's/^/   | /'
    fi
else
    echo "skip: live session (tests/live/pulse-session.sh is not there)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
