#!/usr/bin/env bash
# Installs what calfpace needs to build and play on Debian (or Ubuntu) and
# builds it in build/.  Safe to run again: apt and cmake skip what is done.
#   tools/setup.sh           what playing needs, then the build
#   tools/setup.sh --tests   only what the tests need besides (sound servers,
#                            the recogniser, sanitizers...); the test suite's
#                            first test runs this, so 'ctest' installs it
#   CALFPACE_CMAKE_ARGS  extra arguments for cmake's configure step
#   CALFPACE_BUILD_DIR   where to build (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."

# To build and play: the compiler, the libraries, and ALSA's bridge to the
# desktop's sound server (PulseAudio or PipeWire), through which PortAudio plays.
play_packages=(
    build-essential cmake pkg-config dpkg-dev
    portaudio19-dev libasound2-dev libsndfile1-dev libconfig-dev libsamplerate0-dev
    libsystemd-dev libopusenc-dev libvorbis-dev
    # spoken text: synthesisers and a loudness meter, as libraries
    flite1-dev libespeak-ng-dev libebur128-dev
    libasound2-plugins
)
test_packages=(
    # a stand-in listener for spoken text, and ffmpeg to decode renders as players do
    pocketsphinx pocketsphinx-en-us ffmpeg
    # the desktop tests: a private session bus, an MPRIS client, a fake logind
    dbus dbus-bin playerctl python3-dbus python3-gi python3-dbusmock
    # PipeWire, the second sound server the live tests run on (next to pulseaudio)
    pipewire pipewire-bin pipewire-pulse wireplumber
    # the live tests: a real sound server and a recorder, in a terminal
    pulseaudio pulseaudio-utils tmux
    # the hardening checks: sanitizers, libFuzzer, valgrind
    clang libclang-rt-dev valgrind
    # what the test scripts call: bc, /usr/bin/time, busctl (not on a minimal Debian)
    bc time systemd
    # the install checks: the man page, and lintian on the .deb
    man-db groff-base lintian
    # regenerating sounds/ and inspecting audio
    sox libsox-fmt-all flite espeak-ng
    # what a listener hears: loudness (BS.1770) and a recogniser as the listener
    python3-numpy python3-pocketsphinx
)

tests_only=0
case ${1:-} in
--tests) tests_only=1 ;;
"") ;;
*) echo "usage: tools/setup.sh [--tests]" >&2; exit 2 ;;
esac
if ((tests_only)); then
    packages=("${test_packages[@]}")
else
    packages=("${play_packages[@]}")
fi

# One dpkg-query for all: the test suite runs this before every run.
declare -A have=()
while read -r name status; do
    [[ $status == "install ok installed" ]] && have[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
    [[ -n ${have[$p]:-} ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        # Debian installed with a root password has no sudo: say what to run as root
        if ! command -v sudo >/dev/null; then
            echo "tools/setup.sh: installing packages needs root, and sudo is not installed; as root, run" >&2
            echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
            echo "then run tools/setup.sh again" >&2
            exit 1
        fi
        sudo="sudo"
    fi
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

((tests_only)) && exit 0

build=${CALFPACE_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" ${CALFPACE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
