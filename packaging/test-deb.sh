#!/usr/bin/env bash
# Builds calfpace's Debian package exactly as the README says (tools/setup.sh,
# then `cd build && cpack -G DEB`) in a copy of the tree, checks it (fields,
# contents, lintian, the reminder's systemd unit with systemd-analyze),
# installs it with apt-get (so that its dependencies resolve), tries the
# INSTALLED /usr/bin/calfpace away from the source tree, and removes the
# package again.
#
#   packaging/test-deb.sh [SOURCE_DIR]     (default: the tree this script is in)
#
# Needs root (or sudo) and what tools/setup.sh installs; lintian and
# systemd-analyze (skipped when missing; .ci/run has them).  Builds in a
# fresh folder under /tmp, never in the tree.
# Prints each check, then "N passed, M failed"; exits 0 only if all passed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "${1:-$here/..}" && pwd)
bin=/usr/bin/calfpace
unit=/usr/lib/systemd/user/calfpace-remind.service
data=/usr/share/calfpace

sudo=""
if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "test-deb.sh: run as root or install sudo" >&2; exit 1; }
    sudo=sudo
fi

passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "skip: $*"; }
summary() {
    if ((skipped)); then
        echo "$passed passed, $failed failed, $skipped skipped"
    else
        echo "$passed passed, $failed failed"
    fi
}
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
    local what=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/   | /' "$tmp/out" | head -20; fi
}

tmp=$(mktemp -d /tmp/calfpace-deb-XXXXXX)
installed_by_us=0
cleanup() {
    if ((installed_by_us)) && dpkg -s calfpace >/dev/null 2>&1; then
        $sudo apt-get remove -y calfpace >/dev/null 2>&1
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if dpkg -s calfpace >/dev/null 2>&1; then
    echo "test-deb.sh: a calfpace package is installed already; remove it first (apt-get remove calfpace)" >&2
    exit 1
fi
if [[ -e $bin ]]; then
    echo "test-deb.sh: $bin exists but belongs to no package (a 'cmake --install' to /usr?); remove it first" >&2
    exit 1
fi

# ---------------------------------------------------------------- build
# From a copy of the tree that is deleted before the package is tried, so
# that the installed binary cannot fall back on the sources it was built from.
copy=$tmp/src
mkdir -p "$copy"
(cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$copy"
echo "test-deb.sh: building a copy of $src as the README says (tools/setup.sh, then cd build && cpack -G DEB)"
build=$copy/build
if (cd "$copy" && tools/setup.sh) >"$tmp/cmake.log" 2>&1; then
    ok "tools/setup.sh builds into build/"
else
    fail "tools/setup.sh"; tail -30 "$tmp/cmake.log" | sed 's/^/   | /'
    summary; exit 1
fi
if (cd "$copy" && cd build && cpack -G DEB) >"$tmp/cpack.log" 2>&1; then
    ok "cd build && cpack -G DEB"
else
    fail "cd build && cpack -G DEB"; tail -30 "$tmp/cpack.log" | sed 's/^/   | /'
    summary; exit 1
fi
shopt -s nullglob
debs=("$build"/calfpace_*.deb)
shopt -u nullglob
if ((${#debs[@]} == 1)); then
    mv "${debs[0]}" "$tmp/" && deb=$tmp/$(basename "${debs[0]}")
    ok "one package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
else
    fail "one calfpace_*.deb in $build (found ${#debs[@]})"
    summary; exit 1
fi

# ---------------------------------------------------------------- the package's metadata and contents
version=$(sed -n 's/^project(calfpace VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
dpkg-deb -f "$deb" >"$tmp/control"
sed 's/^/   | /' "$tmp/control"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: calfpace" test "$(field Package)" = calfpace
check "Version: $version (from project())" test "$(field Version)" = "$version"
check "Section: sound" test "$(field Section)" = sound
check "Maintainer is set" test -n "$(field Maintainer)"
check "Description is set" test -n "$(field Description)"
depends=$(field Depends)
for lib in libportaudio2 libsndfile1 libconfig9 libsamplerate0 libasound2 libsystemd0; do
    check "Depends names $lib" grep -Eq "(^|[ ,])$lib([ (,]|t64|$)" <<<"$depends"
done
check "Recommends: libasound2-plugins" grep -q libasound2-plugins <<<"$(field Recommends)"
check "Recommends: bash-completion" grep -q bash-completion <<<"$(field Recommends)"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$tmp/contents"
for f in $bin $data/config/calf-pump.cfg $data/config/quick.cfg \
    $data/sounds/click.wav $data/sounds/heel-raises.ogg $data/sounds/SOURCES.md \
    $data/sounds/de/heel-raises.ogg $data/sounds/de/n200.ogg \
    $data/sounds/phrases.tsv $data/sounds/de/phrases.tsv \
    /usr/share/bash-completion/completions/calfpace /usr/share/doc/calfpace/routine-format.md \
    /usr/share/applications/calfpace.desktop /usr/share/icons/hicolor/scalable/apps/calfpace.svg \
    /usr/share/doc/calfpace/copyright /usr/share/doc/calfpace/changelog.gz \
    /usr/share/man/man1/calfpace.1.gz $unit; do
    check "the package holds $f" grep -qx "$f" "$tmp/contents"
done
check "the package holds no make-sounds.sh" bash -c "! grep -E 'make-sounds' '$tmp/contents'"
check "the package holds no .service outside /usr/lib/systemd/user" bash -c "! grep '\.service\$' '$tmp/contents' | grep -vx '$unit'"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ".$unit" >"$tmp/unit" 2>/dev/null
check "the unit starts $bin" grep -qx "ExecStart=$bin remind .*" "$tmp/unit"
if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1
    sed 's/^/   | lintian: /' "$tmp/lintian" | grep -v 'root privileges'
    check "lintian finds no errors" bash -c "! grep -q '^E:' '$tmp/lintian'"
else
    skip "lintian (not installed)"
fi
check "the package holds nothing outside /usr" bash -c "! grep -v '^/usr' '$tmp/contents' | grep -vx '/'"

rm -rf "$copy"

# ---------------------------------------------------------------- install
echo "test-deb.sh: apt-get install -y $deb"
if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" >"$tmp/apt.log" 2>&1; then
    installed_by_us=1
    ok "apt-get install -y ./$(basename "$deb")"
else
    fail "apt-get install"; tail -20 "$tmp/apt.log" | sed 's/^/   | /'
    summary; exit 1
fi

# The installed binary, from /, without CALFPACE_DATA, and with the tree it
# was built from deleted: everything it plays must come from /usr/share.
run() { (cd / && env -u CALFPACE_DATA HOME="$tmp/home" XDG_DATA_HOME= XDG_CONFIG_HOME= \
    XDG_STATE_HOME="$tmp/state" "$bin" "$@"); }
mkdir -p "$tmp/home"

check "$bin is installed and executable" test -x $bin
check "calfpace --version prints $version" bash -c "[[ \$(cd / && $bin --version) == 'calfpace $version' ]]"
if run check $data/config/calf-pump.cfg >"$tmp/check.out" 2>&1 && grep -q 'total' "$tmp/check.out"; then
    ok "calfpace check $data/config/calf-pump.cfg"
else
    fail "calfpace check $data/config/calf-pump.cfg"; sed 's/^/   | /' "$tmp/check.out"
fi
if run check --events $data/config/quick.cfg 2>&1 | grep -q ' beat '; then
    ok "calfpace check --events lists the beats"
else
    fail "calfpace check --events lists the beats"
fi

wav=$tmp/quick.wav
if run render $data/config/quick.cfg -o "$wav" >"$tmp/render.out" 2>&1 && [[ -s $wav ]]; then
    ok "calfpace render quick.cfg -o $wav ($(du -h "$wav" | cut -f1))"
else
    fail "calfpace render quick.cfg"; sed 's/^/   | /' "$tmp/render.out"
fi
seconds() {
    if command -v soxi >/dev/null; then
        soxi -D "$1"
    else # a plain 44-byte WAV header: 48 kHz stereo 16-bit
        awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.3f\n", (b - 44) / (48000 * 2 * 2) }'
    fi
}
if [[ -s $wav ]]; then
    len=$(seconds "$wav")
    if awk -v s="$len" 'BEGIN { exit !(s > 150 && s < 260) }'; then
        ok "the render lasts $len s (quick.cfg: about 3 minutes)"
    else
        fail "the render lasts $len s, expected 150 to 260"
    fi
    if command -v soxi >/dev/null; then
        check "the render is 48000 Hz stereo" bash -c "[[ \$(soxi -r '$wav') == 48000 && \$(soxi -c '$wav') == 2 ]]"
    fi
fi

cat >"$tmp/missing.cfg" <<'EOF'
steps = ( { type = "rest"; seconds = 1.0; cue = "no-such-sound"; } );
EOF
run check "$tmp/missing.cfg" >"$tmp/missing.out" 2>&1
rc=$?
if [[ $rc == 2 ]] && grep -q "$data/sounds\|/usr/bin/\.\./share/calfpace/sounds" "$tmp/missing.out" &&
    ! grep -qF "$copy" "$tmp/missing.out"; then
    ok "the installed binary looks for sounds in $data/sounds, not in the source tree"
else
    fail "where the installed binary looks for sounds (status $rc)"; sed 's/^/   | /' "$tmp/missing.out"
fi

if "$bin" --help 2>&1 | grep -q -- '--voice'; then
    if run render $data/config/quick.cfg --voice de -o "$tmp/de.wav" >"$tmp/de.out" 2>&1 && [[ -s $tmp/de.wav ]]; then
        ok "calfpace render quick.cfg --voice de"
        check "the German render is not the English one" bash -c "! cmp -s '$tmp/de.wav' '$wav'"
    else
        fail "calfpace render quick.cfg --voice de"; sed 's/^/   | /' "$tmp/de.out"
    fi
else
    skip "--voice de (this calfpace has no --voice yet)"
fi

page=$(man -w calfpace 2>/dev/null)
if [[ $page == /usr/share/man/man1/calfpace.1* ]]; then
    ok "man -w calfpace: $page"
else
    fail "man -w calfpace (got '${page}')"
fi
if [[ -n $page ]]; then
    check "man calfpace renders without warnings" bash -c "man --warnings -l '$page' 2>&1 >/dev/null | (! grep .)"
fi

mkdir -p "$tmp/run" && chmod 700 "$tmp/run"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze --user verify $unit" bash -c \
        "out=\$(cd / && XDG_RUNTIME_DIR='$tmp/run' systemd-analyze --user verify $unit 2>&1) && echo \"\$out\" && [[ -z \$out ]]"
else
    skip "systemd-analyze (not installed)"
fi

comp=/usr/share/bash-completion/completions/calfpace
check "the bash completion completes commands" bash -c \
    "source $comp; COMP_WORDS=(calfpace re); COMP_CWORD=1; _calfpace; [[ \"\${COMPREPLY[*]}\" == 'render remind' || \"\${COMPREPLY[*]}\" == 'remind render' ]]"

# ---------------------------------------------------------------- remove
if $sudo apt-get remove -y calfpace >"$tmp/remove.log" 2>&1 && ! dpkg -s calfpace >/dev/null 2>&1 \
    && [[ ! -e $bin && ! -e $data/sounds/click.wav && ! -e $unit ]]; then
    installed_by_us=0
    ok "apt-get remove -y calfpace removes $bin and $data"
else
    fail "apt-get remove -y calfpace"; tail -10 "$tmp/remove.log" | sed 's/^/   | /'
fi

summary
((failed == 0))
