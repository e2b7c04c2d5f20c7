#!/usr/bin/env bash
# bench/startup.sh: how long calfpace takes to start playing, against what
# PortAudio's own start takes on the same machine in the same run.
#
#   bench/startup.sh [--runs N] [ROUTINE]     (default: config/calf-pump.cfg)
#
# Everything runs in a private PulseAudio with a null sink
# (tests/live/pulse-session.sh).  N rounds, each of them one after the
# other, so that a shared machine's changing load falls on all alike:
#   floor     `calfpace devices`: process start, Pa_Initialize (which probes
#             every ALSA device and JACK), the listing, Pa_Terminate (wall
#             time from launch to exit)
#   process   `calfpace --version`: process start and exit alone
#   first     a play of ROUTINE, stopped with SIGINT once it has played:
#             calfpace's own figure "first sample to the device N ms after
#             launch" (from main(), so the round's process figure is added
#             to it, to compare it with the floor)
# then, once, `calfpace check ROUTINE` (every clip loaded, no audio) with
# hyperfine.  Prints the medians, first - floor (the issue's goal: at most
# 50 ms) as the median of the rounds' own differences, first / floor, and
# the load average before and after.  Needs hyperfine, pulseaudio, pactl,
# libasound2-plugins.  Set CALFPACE=/path/to/calfpace to measure a given
# binary (default: build/calfpace of this tree).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=10
ROUTINE=$ROOT/config/calf-pump.cfg
while (($#)); do
    case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/startup.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) ROUTINE=$1 ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench/startup.sh: --runs takes a positive whole number" >&2; exit 2; }
CALFPACE=${CALFPACE:-$ROOT/build/calfpace}
[[ -x $CALFPACE ]] || { echo "bench/startup.sh: no $CALFPACE (run tools/setup.sh, or set CALFPACE)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/startup.sh: hyperfine is missing (Debian: apt-get install hyperfine)" >&2; exit 1; }

if [[ -z ${CALFPACE_STARTUP_INNER:-} ]]; then
    export CALFPACE CALFPACE_STARTUP_INNER=1
    exec bash "$ROOT/tests/live/pulse-session.sh" bash "${BASH_SOURCE[0]}" --runs "$RUNS" "$ROUTINE"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty personal config: the measurement is the program's, not a user's.
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

median_ms() { # hyperfine JSON -> the median in ms
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"
}
hf() { # NAME COMMAND...
    local name=$1; shift
    hyperfine --style none --warmup 2 --runs "$RUNS" --ignore-failure \
        --export-json "$work/$name.json" -- "$*" >/dev/null 2>&1
    median_ms "$work/$name.json"
}

ms_since() { # START (EPOCHREALTIME) -> ms since then
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}
median() { # numbers, one a line -> the median
    sort -g | awk '{ a[NR] = $1 } END { printf "%.1f\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# One of each first, unmeasured: the files in the page cache, as for every round after.
"$CALFPACE" devices >/dev/null 2>&1 || true
"$CALFPACE" --version >/dev/null 2>&1 || true
floors=() processes=() firsts=() diffs=()
for i in $(seq 1 "$RUNS"); do
    t=$EPOCHREALTIME
    "$CALFPACE" devices >/dev/null 2>&1 || true
    floor=$(ms_since "$t")
    t=$EPOCHREALTIME
    "$CALFPACE" --version >/dev/null 2>&1 || true
    process=$(ms_since "$t")
    "$CALFPACE" play "$ROUTINE" --quiet -v --no-mpris </dev/null >"$work/play-$i.txt" 2>&1 &
    pid=$!
    sleep 1.5
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || true
    v=$(grep -o 'first sample to the device -*[0-9]* ms' "$work/play-$i.txt" | grep -o -- '-*[0-9]*' | tail -1 || true)
    floors+=("$floor")
    processes+=("$process")
    if [[ -n $v && $v -ge 0 ]]; then
        firsts+=("$v")
        diffs+=("$(awk -v f="$v" -v p="$process" -v d="$floor" 'BEGIN { printf "%.1f", f + p - d }')")
    fi
done
((${#firsts[@]} > 0)) || { echo "bench/startup.sh: no play reported its first sample:" >&2; cat "$work/play-1.txt" >&2; exit 1; }
ready=$(hf check "$CALFPACE check $ROUTINE")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
floor=$(printf '%s\n' "${floors[@]}" | median)
process=$(printf '%s\n' "${processes[@]}" | median)
first=$(printf '%s\n' "${firsts[@]}" | median)
diff=$(printf '%s\n' "${diffs[@]}" | median)

awk -v floor="$floor" -v process="$process" -v ready="$ready" -v first="$first" -v n="$RUNS" \
    -v got="${#firsts[@]}" -v diff="$diff" -v routine="${ROUTINE#"$ROOT"/}" \
    -v before="$load_before" -v after="$load_after" -v cores="$(nproc)" '
BEGIN {
    whole = first + process
    printf "start-up of %s, medians of %d rounds, private PulseAudio null sink\n", routine, n
    printf "  load average before: %s, after: %s (%d cores)\n", before, after, cores
    printf "  floor: calfpace devices (PortAudio start and stop)      %7.1f ms\n", floor
    printf "  process start and exit alone (calfpace --version)       %7.1f ms\n", process
    printf "  ready: calfpace check (routine and clips loaded)        %7.1f ms\n", ready
    printf "  first sample to the device, from main() (%d plays)      %7.1f ms\n", got, first
    printf "  the same from process start (+ process alone)           %7.1f ms\n", whole
    printf "  first sound - floor, median of the rounds: %+.1f ms (goal: at most +50 ms): %s\n",
           diff, diff <= 50 ? "met" : "MISSED"
    printf "  first sound / floor: %.2f\n", whole / floor
}'
