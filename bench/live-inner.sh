#!/usr/bin/env bash
# bench/live-inner.sh: the parts of the benchmark that need a sound server.
# bench/run.sh runs it inside a private PulseAudio (its own, or the one
# tests/live/pulse-session.sh provides); it is not meant to be run by hand.
#
# Measures, through PortAudio -> ALSA -> the pulse plugin -> PulseAudio:
#   start-up: RUNS short plays of the default routine (stopped with SIGINT
#     after STARTUP_SECONDS): calfpace's own "first sample to the device" figure,
#     its own peak RSS, and /usr/bin/time -v's maximum resident set size;
#   a live session of MINUTES minutes (bench/live.cfg with repeat = MINUTES)
#     while BUSY busy loops keep the other cores busy: calfpace's printed
#     figures, wall time against the audio played, per-thread CPU of calfpace
#     and the sound server's CPU over the same time.
# Writes key=value lines to OUT and calfpace's raw output next to it.
#
# Environment: CALFPACE ROOT WORK OUT MINUTES RUNS BUSY; LATENCY (may be empty),
# STARTUP_SECONDS (how long each start-up play lasts before SIGINT; default 6)
set -euo pipefail

: "${CALFPACE:?}" "${ROOT:?}" "${WORK:?}" "${OUT:?}" "${MINUTES:?}" "${RUNS:?}" "${BUSY:?}"
STARTUP_SECONDS=${STARTUP_SECONDS:-6}
LATENCY=${LATENCY:-}
lat_args=()
[[ -n $LATENCY ]] && lat_args=(--latency "$LATENCY")

say() { printf 'bench: %s\n' "$*" >&2; }
put() { printf '%s=%s\n' "$1" "$2" >>"$OUT"; }

# "12:03.4" or "1:02:03.4" -> seconds
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f\n", s }' <<<"$1"; }

# The figures calfpace prints at the end of a live session (tolerant of the
# wording around them).
parse_calfpace() { # FILE PREFIX
    local f=$1 p=$2 v
    v=$(grep -o 'after [0-9][0-9:.]*' "$f" | tail -1 | cut -d' ' -f2) && put "${p}played" "$(to_seconds "$v")"
    v=$(grep -o '[0-9]* underruns' "$f" | tail -1 | cut -d' ' -f1) && put "${p}underruns" "$v"
    v=$(grep -o '[0-9]* callbacks' "$f" | tail -1 | cut -d' ' -f1) && put "${p}callbacks" "$v"
    v=$(grep -o 'mean [0-9.]*%' "$f" | tail -1 | tr -dc '0-9.') && put "${p}mean_pct" "$v"
    v=$(grep -o 'worst [0-9.]*%' "$f" | tail -1 | tr -dc '0-9.') && put "${p}worst_pct" "$v"
    v=$(grep -o 'CPU [0-9.]*%' "$f" | tail -1 | tr -dc '0-9.') && put "${p}cpu_pct" "$v"
    v=$(grep -o 'device -*[0-9]* ms' "$f" | tail -1 | tr -dc '0-9-') && put "${p}first_sample_ms" "$v"
    v=$(grep -o 'peak RSS [0-9.]* MB' "$f" | tail -1 | tr -dc '0-9.') && put "${p}own_rss_mb" "$v"
    v=$(grep -o 'Maximum resident set size (kbytes): [0-9]*' "$f" | tail -1 | awk '{print $NF}') &&
        put "${p}time_rss_mb" "$(awk -v k="$v" 'BEGIN { printf "%.1f\n", k / 1024 }')"
    return 0
}

# utime+stime of a process, in clock ticks
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# The sound server's pid, for its CPU time: from its pid file, else from the
# process listening on its socket.
pa_pid=""
if [[ -r ${XDG_RUNTIME_DIR:-/nonexistent}/pulse/pid ]]; then
    pa_pid=$(tr -dc '0-9' <"$XDG_RUNTIME_DIR/pulse/pid")
fi
if [[ -z $pa_pid ]]; then
    sock=$(pactl info 2>/dev/null | sed -n 's/^Server String: //p')
    sock=${sock#unix:}
    if [[ -n $sock ]] && command -v ss >/dev/null; then
        pa_pid=$(ss -xlpn 2>/dev/null | grep -F " $sock " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
    fi
fi
put server_pid "${pa_pid:-unknown}"
put server "$(pactl info 2>/dev/null | sed -n 's/^Server Name: //p') $(pactl info 2>/dev/null | sed -n 's/^Server Version: //p')"
put sink "$(pactl info 2>/dev/null | sed -n 's/^Default Sink: //p')"
put sink_spec "$(pactl list sinks short 2>/dev/null | head -1 | cut -f4-)"
put device "$("$CALFPACE" devices 2>/dev/null | grep '^\*' | sed 's/^\* *//' | tr -s ' ')"

# --- start-up and peak memory -------------------------------------------
# PortAudio's own start: 'calfpace devices' is Pa_Initialize (which probes
# every ALSA device and JACK), the listing and Pa_Terminate.
best=""
for _ in $(seq 0 "$RUNS"); do
    t0=$(date +%s%N)
    "$CALFPACE" devices >/dev/null 2>&1 || true
    t=$((($(date +%s%N) - t0) / 1000))
    [[ -z $best || $t -lt $best ]] && best=$t
done
put devices_ms "$(awk -v u="$best" 'BEGIN { printf "%.1f\n", u / 1000 }')"

say "start-up: $RUNS short plays of config/calf-pump.cfg (${STARTUP_SECONDS}s each, then SIGINT)"
for i in $(seq 1 "$RUNS"); do
    f=$WORK/startup-$i.txt
    # /usr/bin/time reports the largest RSS of its descendants (calfpace).
    /usr/bin/time -v "$CALFPACE" play "$ROOT/config/calf-pump.cfg" --quiet -v "${lat_args[@]}" \
        </dev/null >"$f" 2>&1 &
    time_pid=$!
    cp_pid=""
    for _ in $(seq 1 50); do
        cp_pid=$(pgrep -P "$time_pid" 2>/dev/null | head -1 || true)
        [[ -n $cp_pid ]] && break
        sleep 0.1
    done
    sleep "$STARTUP_SECONDS"
    [[ -n $cp_pid ]] && kill -INT "$cp_pid" 2>/dev/null || true
    wait "$time_pid" || true
    parse_calfpace "$f" "startup_${i}_"
done

# --- the live session under load -----------------------------------------
routine=$WORK/live-${MINUTES}min.cfg
sed "s/^repeat = .*/repeat = $MINUTES;/" "$ROOT/bench/live.cfg" >"$routine"
planned=$("$CALFPACE" check "$routine" | sed -n 's/^ *total \([0-9:.]*\).*/\1/p')
put live_routine "$routine"
put live_planned "$(to_seconds "${planned:-0}")"

busy_pids=()
stop_busy() {
    local p
    for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${busy_pids[@]}"; do wait "$p" 2>/dev/null || true; done
    busy_pids=()
}
trap stop_busy EXIT
for _ in $(seq 1 "$BUSY"); do
    sha256sum /dev/zero >/dev/null 2>&1 &
    busy_pids+=($!)
done
put busy_loops "$BUSY"

say "live: ${MINUTES}-minute session of bench/live.cfg${LATENCY:+ at --latency $LATENCY}, $BUSY busy loop(s) running"
f=$WORK/live.txt
threads=$WORK/live-threads.txt
pa_before=0
[[ -n $pa_pid ]] && pa_before=$(proc_ticks "$pa_pid")
t0=$(date +%s.%N)
/usr/bin/time -v "$CALFPACE" play "$routine" --quiet -v "${lat_args[@]}" </dev/null >"$f" 2>&1 &
time_pid=$!
# Per-thread CPU of calfpace, sampled every 2 s (threads that end early, like
# PortAudio's, keep their last sample).
cp_pid=""
for _ in $(seq 1 50); do
    cp_pid=$(pgrep -P "$time_pid" 2>/dev/null | head -1 || true)
    [[ -n $cp_pid ]] && break
    sleep 0.1
done
while kill -0 "$time_pid" 2>/dev/null; do
    if [[ -n $cp_pid && -d /proc/$cp_pid/task ]]; then
        snap=""
        for t in /proc/"$cp_pid"/task/*; do
            line=$(awk -v tid="${t##*/}" '{ c = $0; sub(/^[^(]*\(/, "", c); sub(/\).*$/, "", c);
                     s = $0; sub(/^.*\) /, "", s); split(s, a, " ");
                     gsub(/ /, "_", c); print tid, c, a[12] + a[13] }' "$t/stat" 2>/dev/null) || continue
            snap+="$line"$'\n'
        done
        [[ -n $snap ]] && printf '%s' "$snap" >>"$threads"
    fi
    sleep 2
done
wait "$time_pid" || true
t1=$(date +%s.%N)
pa_after=0
[[ -n $pa_pid ]] && pa_after=$(proc_ticks "$pa_pid")
stop_busy

parse_calfpace "$f" live_
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }')
put live_wall "$wall"
# Wall time after the first sample over the audio played: 1.00 when the
# device takes the audio in real time; more when the stream stalls.
put live_wall_per_audio "$(awk -v w="$wall" -v f="$(sed -n 's/^live_first_sample_ms=//p' "$OUT")" \
    -v p="$(sed -n 's/^live_played=//p' "$OUT")" 'BEGIN { if (p > 0) printf "%.3f\n", (w - f / 1000) / p }')"
hz=$(getconf CLK_TCK)
if [[ -n $pa_pid ]]; then
    put server_cpu_pct "$(awk -v a="$pa_before" -v b="$pa_after" -v hz="$hz" -v w="$wall" \
        'BEGIN { printf "%.2f\n", (b - a) / hz / w * 100 }')"
fi
if [[ -s $threads ]]; then
    # "name:cpu%" per thread, over the wall time of the session
    put live_threads "$(awk -v hz="$hz" -v w="$wall" -v main="$cp_pid" '
        !($1 in t) { order[++n] = $1 } { name[$1] = $2; if ($3 > t[$1]) t[$1] = $3 }
        END { for (i = 1; i <= n; i++) { k = order[i]
            printf "%s%s%s %.2f%%", (i > 1 ? ", " : ""), name[k], (k == main ? " (main)" : ""), t[k] / hz / w * 100 } }' "$threads")"
fi
say "live: done"
