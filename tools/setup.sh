#!/usr/bin/env bash
# Installs what calfpace needs on Debian (or Ubuntu) and builds it in build/.
# Safe to run again: apt and cmake skip what is already done.
#   CALFPACE_CMAKE_ARGS  extra arguments for cmake's configure step
#   CALFPACE_BUILD_DIR   where to build (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake pkg-config
    portaudio19-dev libasound2-dev libsndfile1-dev libconfig-dev libsamplerate0-dev
    libsystemd-dev libopusenc-dev libvorbis-dev
    # spoken text: synthesisers and a loudness meter, as libraries
    flite1-dev libespeak-ng-dev libebur128-dev
    # a stand-in listener for spoken text, and ffmpeg to decode renders as players do
    pocketsphinx pocketsphinx-en-us ffmpeg
    # the desktop tests: a private session bus, an MPRIS client, a fake logind
    dbus dbus-bin playerctl python3-dbus python3-gi python3-dbusmock
    # PipeWire, the second sound server the live tests run on (next to pulseaudio)
    pipewire pipewire-bin pipewire-pulse wireplumber
    # the live tests: a real sound server, its ALSA bridge, and a recorder
    pulseaudio pulseaudio-utils libasound2-plugins tmux
    # the hardening checks: sanitizers, libFuzzer, valgrind
    clang libclang-rt-dev valgrind
    # the install checks: the man page, and the .deb's computed dependencies
    man-db groff-base dpkg-dev
    # regenerating sounds/ and inspecting audio
    sox libsox-fmt-all flite espeak-ng
    # what a listener hears: loudness (BS.1770) and a recogniser as the listener
    libebur128-dev python3-numpy python3-pocketsphinx pocketsphinx-en-us
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build=${CALFPACE_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" ${CALFPACE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
