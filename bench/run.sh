#!/usr/bin/env bash
# bench/run.sh: calfpace's benchmarks, in one command.  Not tests: they print
# figures and compare them with goals, and are not part of ctest.
#
#   bench/run.sh [--live-minutes N] [--quick] [--runs N] [--latency SEC]
#                [--busy N] [--no-live] [--keep] [--save FILE]
#
#   1. render speed against klick: the same 30-minute click track rising from
#      60 to 180 bpm (bench/ramp-30min.cfg, bench/ramp-30min.klick), best of
#      --runs each, written to a tmpfs; ratio calfpace / klick (goal <= 1)
#   2. render speed of the default routine with speech, x real time
#   3. start-up (launch to the first sample handed to the device; goal
#      < 150 ms) and peak RSS (goal < 20 MB), playing into a sound server
#   4. a live session of --live-minutes (default 10; --quick: 1) while busy
#      loops keep the other cores busy: callbacks, worst callback (goal < 10%
#      of the period), CPU (goal < 0.5% of one core), underruns (goal 0)
#
# The live parts run in a private PulseAudio with a null sink: the one
# tests/live/pulse-session.sh provides when it exists, else one started here
# (private HOME and XDG_RUNTIME_DIR; ALSA's default routed to it, since
# PortAudio reaches PulseAudio through ALSA's pulse plugin).
#
# Needs: cmake, a C compiler, libsndfile (dev), klick, python3, /usr/bin/time,
# pulseaudio, pactl, libasound2-plugins; hyperfine if present (else a shell
# timing loop).  Set CALFPACE=/path/to/calfpace to measure a given binary;
# otherwise a Release build of this tree is made in $CALFPACE_BENCH_BUILD
# (default ${TMPDIR:-/tmp}/calfpace-bench-build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MINUTES=10
RUNS=5
LATENCY=""
LIVE=1
KEEP=0
NPROC=$(nproc)
BUSY=$((NPROC > 1 ? NPROC - 1 : 1))
SAVE=$ROOT/bench/last-run.txt

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
    --live-minutes) MINUTES=${2:?--live-minutes needs a number}; shift ;;
    --quick) MINUTES=1 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --latency) LATENCY=${2:?--latency needs seconds}; shift ;;
    --busy) BUSY=${2:?--busy needs a number}; shift ;;
    --no-live) LIVE=0 ;;
    --keep) KEEP=1 ;;
    --save) SAVE=${2:?--save needs a file}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $MINUTES =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --live-minutes takes a whole number of minutes" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --runs takes a positive whole number" >&2; exit 2; }

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (Debian: apt-get install $2)"; }
need cmake cmake
need cc gcc
need klick klick
need python3 python3
need pkg-config pkg-config
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian: apt-get install time)"
if ((LIVE)); then
    need pulseaudio pulseaudio
    need pactl pulseaudio-utils
    compgen -G '/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so' >/dev/null ||
        die "ALSA's pulse plugin is missing (Debian: apt-get install libasound2-plugins)"
fi

SHM=/dev/shm
[[ -d $SHM && -w $SHM ]] || SHM=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$SHM/calfpace-bench.XXXXXX")
R=$WORK/results.txt
: >"$R"
PA_PID=""
cleanup() {
    if [[ -n $PA_PID ]]; then
        kill "$PA_PID" 2>/dev/null || true
        wait "$PA_PID" 2>/dev/null || true
    fi
    if ((KEEP)); then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
put() { printf '%s=%s\n' "$1" "$2" >>"$R"; }
# The user's own settings and sounds (~/.config/calfpace, ~/.local/share/calfpace)
# must not change the figures: calfpace runs with an empty private HOME.
mkdir -p "$WORK/home"
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share
get() { sed -n "s/^$1=//p" "$R" | tail -1; }
calc() { awk "BEGIN { printf \"$1\n\", $2 }"; }

# --- build -----------------------------------------------------------------
BUILD=${CALFPACE_BENCH_BUILD:-${TMPDIR:-/tmp}/calfpace-bench-build}
if [[ -z ${CALFPACE:-} ]]; then
    say "building a Release calfpace in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >"$WORK/cmake.log" 2>&1 ||
        { cat "$WORK/cmake.log" >&2; die "cmake failed"; }
    cmake --build "$BUILD" -j"$NPROC" --target calfpace >>"$WORK/cmake.log" 2>&1 ||
        { tail -30 "$WORK/cmake.log" >&2; die "the build failed"; }
    CALFPACE=$BUILD/calfpace
fi
[[ -x $CALFPACE ]] || die "no calfpace at $CALFPACE"
TOOLS=$WORK/tools
mkdir -p "$TOOLS"
cc -O2 -o "$TOOLS/clickcount" "$ROOT/bench/clickcount.c" $(pkg-config --cflags --libs sndfile) -lm ||
    die "cannot build bench/clickcount.c"
ENGINE_ONLY=""
if [[ -f $BUILD/libcalfpace_core.a && $CALFPACE == "$BUILD/calfpace" ]] &&
    cc -O2 -I"$ROOT/src" -o "$TOOLS/engine_only" "$ROOT/bench/engine_only.c" "$BUILD/libcalfpace_core.a" \
        $(pkg-config --libs sndfile libconfig samplerate) -lm -lpthread 2>"$WORK/engine_only.log"; then
    ENGINE_ONLY=$TOOLS/engine_only
else
    say "bench/engine_only.c does not build against this tree (the engine's API changed?); skipping that figure"
fi

# --- machine and versions ---------------------------------------------------
put date "$(date -u '+%Y-%m-%d %H:%M UTC')"
put cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
put nproc "$NPROC"
put memory "$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
put kernel "$(uname -r)"
put os "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
put calfpace_version "$("$CALFPACE" --version 2>&1 | head -1)"
put calfpace_binary "$CALFPACE"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    dirty=$(git -C "$ROOT" status --porcelain -- src CMakeLists.txt | wc -l)
    put tree "$(git -C "$ROOT" rev-parse --short HEAD)$( ((dirty)) && echo " with $dirty uncommitted changes in src/ and CMakeLists.txt (diff sha1 $(git -C "$ROOT" diff HEAD -- src CMakeLists.txt | sha1sum | cut -c1-12))")"
fi
put klick_version "$(klick -h 2>&1 | head -1) (Debian $(dpkg-query -W -f='${Version}' klick 2>/dev/null || echo '?'))"
put hyperfine_version "$(hyperfine --version 2>/dev/null || echo 'none: shell timing loop')"
put portaudio "$(dpkg-query -W -f='${Version}' libportaudio2 2>/dev/null || echo '?')"
put libsndfile "$(pkg-config --modversion sndfile)"
put tmpfs "$WORK"
# Other work on the machine skews every figure: record it.
put load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
put busiest_before "$(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s%s %s%%", (NR > 1 ? ", " : ""), $2, $1 }')"
awk '{ exit !($1 > 0.5) }' /proc/loadavg && say "warning: load average $(cut -d' ' -f1 /proc/loadavg): other work is running; figures will be noisy"

# --- timing helper: best (minimum) wall seconds of RUNS runs -------------------
# best_of NAME PREPARE CMD...   (PREPARE is a shell command run before each run)
best_of() {
    local name=$1 prepare=$2
    shift 2
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style basic --warmup 1 --runs "$RUNS" --prepare "$prepare" \
            --export-json "$WORK/$name.json" -- "$(printf '%q ' "$@")" >"$WORK/$name.hyperfine" 2>&1 ||
            { cat "$WORK/$name.hyperfine" >&2; die "$name: the command failed"; }
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f %.4f %.4f %.4f" % (min(r["times"]), r["median"], r["user"], r["system"]))' \
            "$WORK/$name.json"
    else
        local best="" i t0 t1 t
        for i in $(seq 0 "$RUNS"); do # run 0 is a warm-up
            bash -c "$prepare"
            t0=$(date +%s%N)
            "$@" >/dev/null || die "$name: the command failed"
            t1=$(date +%s%N)
            ((i == 0)) && continue
            t=$(((t1 - t0) / 1000))
            [[ -z $best || $t -lt $best ]] && best=$t
        done
        calc '%.4f - - -' "$best / 1e6"
    fi
}
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# --- 1. render speed against klick -----------------------------------------------
C_OUT=$WORK/ramp-calfpace.wav
K_OUT=$WORK/ramp-klick.wav
C_CMD=("$CALFPACE" render "$ROOT/bench/ramp-30min.cfg" -o "$C_OUT" --no-voice --quiet)
K_CMD=(klick -e -S "$ROOT/sounds/click.wav,$ROOT/sounds/click.wav" -f "$ROOT/bench/ramp-30min.klick" -W "$K_OUT")
put ramp_calfpace_cmd "${C_CMD[*]}"
put ramp_klick_cmd "${K_CMD[*]}"
say "1. 30-minute 60-180 bpm click track: calfpace and klick, best of $RUNS each"
read -r c_best c_med c_user c_sys < <(best_of ramp-calfpace "rm -f $C_OUT $K_OUT" "${C_CMD[@]}")
read -r k_best k_med k_user k_sys < <(best_of ramp-klick "rm -f $C_OUT $K_OUT" "${K_CMD[@]}")
put ramp_calfpace_s "$c_best"
put ramp_calfpace_median_s "$c_med"
put ramp_calfpace_user_sys_s "$c_user $c_sys"
put ramp_klick_s "$k_best"
put ramp_klick_median_s "$k_med"
put ramp_klick_user_sys_s "$k_user $k_sys"
put ramp_ratio "$(calc '%.2f' "$c_best / $k_best")"
"${C_CMD[@]}" && "${K_CMD[@]}" >/dev/null 2>&1
cc_info=$("$TOOLS/clickcount" "$C_OUT")
kc_info=$("$TOOLS/clickcount" "$K_OUT")
put ramp_calfpace_file "$cc_info bytes=$(stat -c %s "$C_OUT")"
put ramp_klick_file "$kc_info bytes=$(stat -c %s "$K_OUT")"
put ramp_calfpace_beats "$(kv "$cc_info" clicks)"
put ramp_klick_beats "$(kv "$kc_info" clicks)"
if [[ -n $ENGINE_ONLY ]]; then
    eo=$("$ENGINE_ONLY" "$ROOT/bench/ramp-30min.cfg" "$ROOT/sounds" --no-voice "$RUNS")
    put ramp_engine_only_s "$(kv "$eo" best_s)"
fi
rm -f "$C_OUT" "$K_OUT"

# --- 2. the default routine with speech ---------------------------------------------
D_OUT=$WORK/default.wav
D_CMD=("$CALFPACE" render "$ROOT/config/calf-pump.cfg" -o "$D_OUT" --quiet)
put default_cmd "${D_CMD[*]}"
say "2. the default routine with speech, best of $RUNS"
read -r d_best d_med _ _ < <(best_of default-render "rm -f $D_OUT" "${D_CMD[@]}")
/usr/bin/time -v "${D_CMD[@]}" 2>"$WORK/default-time.txt"
d_len=$(kv "$("$TOOLS/clickcount" "$D_OUT")" seconds)
put default_session_s "$d_len"
put default_render_s "$d_best"
put default_render_median_s "$d_med"
put default_x_realtime "$(calc '%.0f' "$d_len / $d_best")"
put default_render_rss_mb "$(awk '/Maximum resident/ { printf "%.1f", $NF / 1024 }' "$WORK/default-time.txt")"
if [[ -n $ENGINE_ONLY ]]; then
    eo=$("$ENGINE_ONLY" "$ROOT/config/calf-pump.cfg" "$ROOT/sounds" "$RUNS")
    put default_engine_only_x "$(kv "$eo" x_realtime)"
fi
rm -f "$D_OUT"

# What happens before main(): exec and dynamic linking, which calfpace's own
# start-up figure (measured from main) leaves out.
read -r v_best _ _ _ < <(best_of version true "$CALFPACE" --version)
put exec_ms "$(calc '%.1f' "$v_best * 1000")"
# Reading the routine and loading and resampling its clips, without a device:
# the share of start-up that is calfpace's own work.
read -r k_best _ _ _ < <(best_of check true "$CALFPACE" check "$ROOT/config/calf-pump.cfg")
put check_ms "$(calc '%.1f' "$k_best * 1000")"

# --- 3 and 4. start-up, memory and a live session in a sound server ---------------
if ((LIVE)); then
    export CALFPACE ROOT WORK MINUTES RUNS BUSY LATENCY
    export OUT=$WORK/live-results.txt
    : >"$OUT"
    put live_latency "${LATENCY:-default (calfpace chooses)}"
    if [[ -x $ROOT/tests/live/pulse-session.sh ]]; then
        say "3-4. in tests/live/pulse-session.sh's private PulseAudio"
        put server_from tests/live/pulse-session.sh
        "$ROOT/tests/live/pulse-session.sh" bash "$ROOT/bench/live-inner.sh"
    else
        say "3-4. starting a private PulseAudio with a null sink"
        put server_from "bench/run.sh (private pulseaudio, null sink 'bench' at 48000 Hz)"
        export HOME=$WORK/pa-home XDG_RUNTIME_DIR=$WORK/pa-run
        mkdir -p "$HOME/.config/pulse" "$XDG_RUNTIME_DIR"
        chmod 700 "$XDG_RUNTIME_DIR"
        printf 'pcm.!default pulse\nctl.!default pulse\n' >"$HOME/.asoundrc"
        echo 'autospawn = no' >"$HOME/.config/pulse/client.conf"
        pulseaudio -n --daemonize=no --exit-idle-time=-1 \
            --load="module-null-sink sink_name=bench rate=48000" \
            --load=module-native-protocol-unix >"$WORK/pulseaudio.log" 2>&1 &
        PA_PID=$!
        for _ in $(seq 1 100); do
            pactl info >/dev/null 2>&1 && break
            kill -0 "$PA_PID" 2>/dev/null || { cat "$WORK/pulseaudio.log" >&2; die "pulseaudio did not start"; }
            sleep 0.1
        done
        pactl info >/dev/null 2>&1 || die "pulseaudio did not answer"
        bash "$ROOT/bench/live-inner.sh"
    fi
    cat "$OUT" >>"$R"
fi

put load_after "$(cut -d' ' -f1-3 /proc/loadavg)"

# --- summary ------------------------------------------------------------------
# Start-up: best and median of calfpace's own figure; RSS: the largest seen.
col() { for i in $(seq 1 "$RUNS"); do get "startup_${i}_$1"; done | grep -v '^$' || true; }
stat_of() { sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%s %s %s\n", a[1], a[int((NR + 1) / 2)], a[NR] }'; }
if ((LIVE)); then
    read -r su_best su_med su_worst < <(col first_sample_ms | stat_of)
    read -r _ _ own_rss < <(col own_rss_mb | stat_of)
    read -r _ _ time_rss < <(col time_rss_mb | stat_of)
    put startup_ms_best_median_worst "$su_best $su_med $su_worst"
    put startup_own_rss_mb_max "$own_rss"
    put startup_time_rss_mb_max "$time_rss"
fi

verdict() { # VALUE OP GOAL -> "met" / "MISSED"
    awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= g : (op == "<") ? v < g : v == g; print (v == "" ? "?" : ok ? "met" : "MISSED") }'
}
{
    echo "calfpace benchmarks, $(get date)"
    echo "machine: $(get cpu), $(get nproc) CPUs, $(get memory); $(get os), Linux $(get kernel)"
    echo "load average before / after: $(get load_before) / $(get load_after); busiest processes before: $(get busiest_before)"
    echo "tree: $(get tree)"
    echo "versions: $(get calfpace_version); $(get klick_version); hyperfine $(get hyperfine_version | sed 's/^hyperfine //'); PortAudio $(get portaudio); libsndfile $(get libsndfile)"
    echo
    printf '%-58s %-22s %-12s %s\n' "figure" "measured" "goal" "verdict"
    printf '%-58s %-22s %-12s %s\n' "------" "--------" "----" "-------"
    row() { printf '%-58s %-22s %-12s %s\n' "$@"; }
    row "30-min ramp render: calfpace, best of $RUNS (s)" "$(get ramp_calfpace_s)" "" ""
    row "30-min ramp render: klick, best of $RUNS (s)" "$(get ramp_klick_s)" "" ""
    row "  ratio calfpace / klick" "$(get ramp_ratio)" "<= 1" "$(verdict "$(get ramp_ratio)" '<=' 1)"
    row "  beats: calfpace (linear in time) / klick (in beats)" "$(get ramp_calfpace_beats) / $(get ramp_klick_beats)" "" ""
    [[ -n $(get ramp_engine_only_s) ]] && row "  calfpace engine alone, no file (s)" "$(get ramp_engine_only_s)" "" ""
    row "default routine with speech: render, best of $RUNS (s)" "$(get default_render_s) for $(get default_session_s)" "" ""
    row "  x real time" "$(get default_x_realtime)" "" ""
    [[ -n $(get default_engine_only_x) ]] && row "  engine alone, no file: x real time" "$(get default_engine_only_x)" "" ""
    row "  peak RSS of the render, /usr/bin/time (MB)" "$(get default_render_rss_mb)" "" ""
    if ((LIVE)); then
        row "start-up to first sample, calfpace's figure (ms)" "$su_best best, $su_med median" "< 150" "$(verdict "$su_med" '<' 150) (median)"
        row "  plus exec and linking before main (ms)" "$(get exec_ms)" "" ""
        row "  cf. 'calfpace check' of the default routine (ms)" "$(get check_ms)" "" ""
        row "  cf. 'calfpace devices' (PortAudio start and probe) (ms)" "$(get devices_ms)" "" ""
        row "peak RSS playing, /usr/bin/time (MB)" "$time_rss" "< 20" "$(verdict "$time_rss" '<' 20)"
        row "peak RSS playing, calfpace's figure (MB)" "$own_rss" "< 20" "$(verdict "$own_rss" '<' 20)"
        row "live ${MINUTES} min, $(get busy_loops) busy loop(s): callbacks" "$(get live_callbacks)" "" ""
        row "  mean callback, % of the period" "$(get live_mean_pct)" "" ""
        row "  worst callback, % of the period" "$(get live_worst_pct)" "< 10" "$(verdict "$(get live_worst_pct)" '<' 10)"
        row "  CPU, % of one core (calfpace's figure)" "$(get live_cpu_pct)" "< 0.5" "$(verdict "$(get live_cpu_pct)" '<' 0.5)"
        row "  underruns" "$(get live_underruns)" "0" "$(verdict "$(get live_underruns)" '==' 0)"
        row "  audio played / wall clock (s)" "$(get live_played) / $(get live_wall)" "" ""
        row "  wall clock after the first sample / audio played" "$(get live_wall_per_audio)" "1.00" ""
        row "  peak RSS, /usr/bin/time (MB)" "$(get live_time_rss_mb)" "< 20" "$(verdict "$(get live_time_rss_mb)" '<' 20)"
        row "  sound server's CPU over the session, % of one core" "$(get server_cpu_pct)" "" ""
        echo
        echo "calfpace's threads over the live session (CPU % of one core): $(get live_threads)"
        echo "live output: $(get device); sink $(get sink) $(get sink_spec); latency: $(get live_latency)"
    fi
    echo
    echo "all figures (key=value):"
    cat "$R"
} | tee "$SAVE"
say "saved to $SAVE"
