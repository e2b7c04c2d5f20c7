#!/usr/bin/env bash
# The command line as a user meets it: exit statuses (0 ok, 1 runtime
# failure, 2 bad input), one clear line for each mistake, and no file left
# behind by a render that fails.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
dir=$(mktemp -d /tmp/calfpace-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0

# expect STATUS PATTERN -- ARGS: runs calfpace, checks its exit status and
# that its stderr (or stdout for status 0) matches PATTERN (grep -E).
expect() {
    local want=$1 pattern=$2; shift 3
    local out rc
    out=$("$bin" "$@" 2>"$dir/err"); rc=$?
    local text
    if [ "$want" = 0 ]; then text=$out; else text=$(cat "$dir/err"); fi
    if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$text"; then
        passed=$((passed + 1)); echo "ok: calfpace $* -> $rc"
    else
        failed=$((failed + 1))
        echo "FAIL: calfpace $* -> $rc (want $want, /$pattern/)"; echo "$text" | sed 's/^/   | /'
    fi
}

expect 0 'calfpace render ROUTINE -o FILE' -- --help
expect 0 '^calfpace [0-9]+\.[0-9]+' -- --version
expect 2 "unrecognized option '--frobnicate'" -- --frobnicate
expect 2 'check needs a routine: a file, or a shipped one by name' -- check
expect 2 'one routine at a time' -- check a.cfg b.cfg

cat >"$dir/typo.cfg" <<'CFG'
name = "Typo";
steps = (
  { type = "paced"; tempo_form = 80.0; beats = 4; }
);
CFG
expect 2 "^$dir/typo.cfg:3: unknown setting 'tempo_form' in a paced step \(did you mean 'tempo'\?" -- check "$dir/typo.cfg"

cat >"$dir/sound.cfg" <<'CFG'
name = "Sound";
steps = (
  { type = "paced"; tempo = 80.0; beats = 4;
    sounds = [ "click", "tik" ]; }
);
CFG
expect 2 "^$dir/sound.cfg:4: no sound 'tik' \(looked for tik.wav" -- check "$dir/sound.cfg"
expect 2 "^$dir/sound.cfg:4: no sound 'tik'" -- render "$dir/sound.cfg" -o "$dir/x.wav"
[ ! -e "$dir/x.wav" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a bad routine left a file"; }

expect 2 'cannot read the routine: No such file or directory' -- check "$dir/none.cfg"
expect 0 'total 11:30.1' -- check "$src/config/calf-pump.cfg"
expect 0 '^[0-9]+ beat 0 0 0 0$' -- check "$src/config/quick.cfg" --events
expect 0 'total 3:08.6' -- check quick
expect 2 'render needs an output file' -- render "$src/config/quick.cfg"
expect 2 'unknown file type \(allowed: .wav, .flac, .ogg, .oga, .mp3, .opus\)' -- render "$src/config/quick.cfg" -o "$dir/x.mp4"
expect 1 "^$dir/no/such/x.wav: cannot create the file: No such file or directory" -- render "$src/config/quick.cfg" -o "$dir/no/such/x.wav"

# An unwritable folder (root ignores permissions, so only as a normal user).
if [ "$(id -u)" != 0 ]; then
    mkdir "$dir/ro"; chmod 555 "$dir/ro"
    expect 1 'cannot create the file: Permission denied' -- render "$src/config/quick.cfg" -o "$dir/ro/x.wav"
fi

# A good render leaves exactly the target and no temporary file.
expect 0 '' -- render "$src/config/quick.cfg" -o "$dir/quick.ogg" --quiet
n=$(ls "$dir" | grep -c partial)
[ -s "$dir/quick.ogg" ] && [ "$n" = 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: render left $n partial files or no output"; }

# No device at all: one line of calfpace's own, exit 1, no backend noise.
# Only where the machine has no sound card; the sound server is kept out of
# reach through an empty runtime folder.
if grep -q '[0-9]' /proc/asound/cards 2>/dev/null; then
    echo "skip: this machine has a sound card, so 'no device' cannot be staged"
else
    out=$(env PULSE_SERVER="unix:$dir/no-server" XDG_RUNTIME_DIR="$dir" \
          "$bin" play "$src/config/quick.cfg" 2>&1 </dev/null); rc=$?
    lines=$(printf '%s\n' "$out" | grep -c .)
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q 'no audio output device found (is a sound server, PulseAudio or PipeWire, running?).*calfpace render' <<<"$out"; then
        passed=$((passed + 1)); echo "ok: no device -> one line, exit 1: $out"
    else
        failed=$((failed + 1)); echo "FAIL: no device -> $rc, $lines lines:"; echo "$out" | sed 's/^/   | /'
    fi
    # A reminder with no device: the sound server named, no advice to render.
    out=$(env PULSE_SERVER="unix:$dir/no-server" XDG_RUNTIME_DIR="$dir" HOME="$dir" XDG_CONFIG_HOME="$dir/c" \
          XDG_STATE_HOME="$dir/s" "$bin" remind --every 1s --for 2s none 2>&1 </dev/null)
    if grep -q 'is a sound server' <<<"$out" && ! grep -q 'render' <<<"$out"; then
        passed=$((passed + 1)); echo "ok: remind with no device: the sound server named, no render advice"
    else
        failed=$((failed + 1)); echo "FAIL: remind with no device:"; echo "$out" | sed 's/^/   | /'
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
