#!/usr/bin/env bash
# pulse-session.sh COMMAND [ARG...]
#
# Runs COMMAND against a private PulseAudio server whose only sink is a null
# sink named calfpace_test (48 kHz stereo float, so nothing is resampled), and
# stops the server afterwards, whatever happens.  Nothing outside a temporary
# folder is touched: the server, its socket, its cookie and an ALSA config that
# sends ALSA's "default" device to PulseAudio all live in a private HOME and
# XDG_RUNTIME_DIR, so PortAudio's ALSA backend reaches the null sink without
# system configuration.  Works as root (no --system needed: the daemon only
# warns) and as a normal user, with no terminal and no standard input.
#
# COMMAND sees: HOME, XDG_RUNTIME_DIR, PULSE_SERVER (the private server),
# PULSE_SINK=calfpace_test, CALFPACE_PULSE_DIR (a scratch folder it may use).
# Exit status: COMMAND's, or 1 when the server cannot be started.
# Set CALFPACE_PULSE_KEEP=1 to keep the temporary folder (with the server log).
#
# CALFPACE_SOUND_SERVER=pipewire runs PipeWire instead (pipewire, wireplumber
# and pipewire-pulse, under a private session bus of their own): the same
# null sink, made through pipewire-pulse, which also serves pactl and parec.
# PortAudio reaches it the same way, through ALSA's pulse plugin, because the
# pipewire ALSA plugin comes only with pipewire-alsa, and installing that
# package removes pulseaudio.
set -u

SINK=calfpace_test
RATE=48000
SERVER=${CALFPACE_SOUND_SERVER:-pulseaudio}

say() { printf 'pulse-session: %s\n' "$*" >&2; }

if [ $# -lt 1 ]; then
    say "usage: pulse-session.sh COMMAND [ARG...]"
    exit 2
fi
case $SERVER in
pulseaudio) tools="pulseaudio pactl" ;;
pipewire) tools="pipewire wireplumber pipewire-pulse pactl dbus-run-session" ;;
*) say "CALFPACE_SOUND_SERVER is pulseaudio or pipewire (got $SERVER)"; exit 2 ;;
esac
# WirePlumber needs a session bus: a private one, around this whole script.
if [ "$SERVER" = pipewire ] && [ -z "${CALFPACE_PRIVATE_BUS:-}" ] &&
    command -v dbus-run-session >/dev/null 2>&1; then
    CALFPACE_PRIVATE_BUS=1 exec dbus-run-session -- bash "$0" "$@" 2>&1
fi
server_bus=${DBUS_SESSION_BUS_ADDRESS:-}

missing=
for tool in $tools; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    say "FAIL: not installed:$missing (Debian: apt-get install pulseaudio pulseaudio-utils;" \
        "for PipeWire: pipewire pipewire-pulse wireplumber dbus)"
    exit 1
fi
# PortAudio -> ALSA -> PulseAudio needs ALSA's pulse plugin.
plugin=
for dir in /usr/lib/*/alsa-lib /usr/lib64/alsa-lib /usr/lib/alsa-lib /usr/local/lib/alsa-lib; do
    if [ -e "$dir/libasound_module_pcm_pulse.so" ]; then
        plugin=$dir/libasound_module_pcm_pulse.so
        break
    fi
done
if [ -z "$plugin" ]; then
    say "FAIL: ALSA's pulse plugin (libasound_module_pcm_pulse.so) is not installed" \
        "(Debian: apt-get install libasound2-plugins)"
    exit 1
fi

top=$(mktemp -d "${TMPDIR:-/tmp}/calfpace-pulse.XXXXXX") || exit 1
server_pids=
watch_pid=
cmd_pid=

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$cmd_pid" ] && kill -0 "$cmd_pid" 2>/dev/null; then
        say "stopping the command"
        kill -TERM -- "-$cmd_pid" 2>/dev/null
        for _ in $(seq 30); do
            kill -0 "$cmd_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$cmd_pid" 2>/dev/null
        wait "$cmd_pid" 2>/dev/null
    fi
    if [ -n "$watch_pid" ]; then
        kill "$watch_pid" 2>/dev/null
        wait "$watch_pid" 2>/dev/null
    fi
    # shellcheck disable=SC2086 # a list of process ids
    if [ -n "$server_pids" ]; then
        kill $server_pids 2>/dev/null
        for _ in $(seq 50); do
            kill -0 $server_pids 2>/dev/null || break
            sleep 0.1
        done
        kill -9 $server_pids 2>/dev/null
        wait $server_pids 2>/dev/null
    fi
    if [ "${CALFPACE_PULSE_KEEP:-0}" = 1 ]; then
        say "kept $top"
    else
        rm -rf "$top"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$top/home" "$top/run" "$top/scratch" || exit 1
chmod 700 "$top/home" "$top/run"
export HOME="$top/home"
export XDG_RUNTIME_DIR="$top/run"
export XDG_CONFIG_HOME="$top/home/.config"
export PULSE_SERVER="unix:$top/run/pulse/native"
export PULSE_SINK="$SINK"
export CALFPACE_PULSE_DIR="$top/scratch"
# A desktop's settings must not leak in: no other server, no D-Bus lookups.
unset PULSE_COOKIE PULSE_SOURCE PULSE_CLIENTCONFIG PULSE_RUNTIME_PATH PULSE_STATE_PATH \
      ALSA_CONFIG_PATH DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY 2>/dev/null
# libjack, probed by PortAudio, must not start or wait for a JACK server.
export JACK_NO_START_SERVER=1

# ALSA reads ~/.asoundrc after the system files, so this wins over whatever
# the machine says "default" is (a card, or nothing at all).
cat >"$HOME/.asoundrc" <<'EOF'
pcm.!default { type pulse handle_underrun true hint { show on description "calfpace test: PulseAudio" } }
ctl.!default { type pulse }
EOF

if [ "$SERVER" = pipewire ]; then
    # Its own state and config folders stay in the private HOME too.
    export XDG_STATE_HOME="$top/home/.local/state"
    for daemon in pipewire wireplumber pipewire-pulse; do
        env -u PULSE_SERVER DBUS_SESSION_BUS_ADDRESS="$server_bus" "$daemon" \
            </dev/null >"$top/$daemon.log" 2>&1 &
        server_pids="$server_pids $!"
        [ "$daemon" = pipewire ] && sleep 0.2 # the others connect to it
    done
else
# -n: no default.pa (no hardware detection, no X11 or D-Bus modules);
# auth-anonymous: the socket sits in a private 0700 folder anyway.
# --disable-shm: audio travels over the socket. With shared memory the
# server aborted mid-test (memblock.c: "Assertion
# 'pa_atomic_load(&b->pool->stat.n_imported) > 0' failed" in
# memblock_replace_import) while a slow, sanitised client played.
pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-target=stderr --log-level=notice \
    --use-pid-file=no --system=no --disable-shm=yes \
    --load="module-null-sink sink_name=$SINK rate=$RATE channels=2 format=float32le sink_properties=device.description=calfpace_test" \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$top/run/pulse/native" \
    </dev/null >"$top/pulse.log" 2>&1 &
server_pids=$!
fi

# Should this script be killed outright (SIGKILL from a test timeout), the
# server would run forever with --exit-idle-time=-1: a watcher ends it.
script_pid=$$
(
    trap - EXIT INT TERM HUP
    # shellcheck disable=SC2086
    while kill -0 "$script_pid" 2>/dev/null && kill -0 $server_pids 2>/dev/null; do
        sleep 1
    done
    # shellcheck disable=SC2086
    kill $server_pids 2>/dev/null
) </dev/null >/dev/null 2>&1 &
watch_pid=$!

up=0
for _ in $(seq 100); do
    # shellcheck disable=SC2086
    if ! kill -0 $server_pids 2>/dev/null; then
        break
    fi
    if pactl info >/dev/null 2>&1; then
        up=1
        break
    fi
    sleep 0.1
done
if [ "$up" != 1 ]; then
    say "FAIL: the $SERVER server did not come up within 10 s; its log:"
    sed 's/^/    /' "$top"/*.log >&2
    exit 1
fi
# PipeWire's null sink, made through its pulse server as PulseAudio's was.
if [ "$SERVER" = pipewire ] &&
    ! pactl load-module module-null-sink sink_name=$SINK rate=$RATE channels=2 format=float32le \
        sink_properties=device.description=calfpace_test >/dev/null 2>&1; then
    say "FAIL: cannot make the null sink $SINK on PipeWire; its log:"
    sed 's/^/    /' "$top"/*.log >&2
    exit 1
fi
if ! pactl set-default-sink "$SINK" >/dev/null 2>&1; then
    say "FAIL: cannot make $SINK the default sink; server log:"
    sed 's/^/    /' "$top"/*.log >&2
    exit 1
fi

# The command runs in a process group of its own (set -m), so that on a
# signal the cleanup can end it and everything it started, and no earlier.
set -m
"$@" </dev/null &
cmd_pid=$!
set +m
wait "$cmd_pid"
rc=$?
cmd_pid=
if [ "$rc" != 0 ] && [ -n "$(cat "$top"/*.log)" ]; then
    say "command exited $rc; server log (warnings about root and D-Bus are expected):"
    sed 's/^/    /' "$top"/*.log >&2
fi
exit "$rc"
