#!/usr/bin/env bash
# What a new user meets on the command line, mistake by mistake: output that
# cannot be written, options that do not fit, values that cannot work, how a
# routine is found by name, and the personal config's messages.  Each check
# runs the real binary and compares its exit status and its words.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
dir=$(mktemp -d /tmp/calfpace-firstuse-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
# Everything personal in a scratch folder.
export HOME=$dir/home XDG_CONFIG_HOME=$dir/home/.config XDG_STATE_HOME=$dir/home/.state \
    XDG_DATA_HOME=$dir/home/.data XDG_RUNTIME_DIR=$dir/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
unset CALFPACE_DATA

# expect STATUS PATTERN -- ARGS: status and stderr (stdout for status 0)
# matching PATTERN (grep -E).
expect() {
    local want=$1 pattern=$2; shift 3
    local out rc text
    out=$(cd "$dir" && "$bin" "$@" 2>"$dir/err"); rc=$?
    if [ "$want" = 0 ]; then text=$out; else text=$(cat "$dir/err"); fi
    if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" <<<"$text"; then
        passed=$((passed + 1)); echo "ok: calfpace $* -> $rc"
    else
        failed=$((failed + 1))
        echo "FAIL: calfpace $* -> $rc (want $want, /$pattern/)"; echo "$text" | sed 's/^/   | /'
    fi
}
# full STATUS -- ARGS: output to /dev/full must fail with STATUS 1.
full() {
    local rc
    (cd "$dir" && "$bin" "$@" >/dev/full 2>"$dir/err"); rc=$?
    if [ "$rc" = 1 ] && grep -q 'cannot write' "$dir/err"; then
        passed=$((passed + 1)); echo "ok: calfpace $* >/dev/full -> 1: $(cat "$dir/err")"
    else
        failed=$((failed + 1)); echo "FAIL: calfpace $* >/dev/full -> $rc (want 1)"; sed 's/^/   | /' "$dir/err"
    fi
}

# Output that cannot be written is a runtime failure.
full stats --csv
full stats
full check quick
full check --events quick
full --help
full --version

# Values that cannot work are refused, naming what is allowed.
expect 2 'latency takes seconds, 0.02 to 2 \(got "0.0001"\)' -- --latency 0.0001 check quick
expect 2 'latency takes seconds, 0.02 to 2 \(got "0.001"\)' -- --latency 0.001
expect 2 '--sounds "/nonexistent" is not a folder' -- --sounds /nonexistent check quick
expect 2 '--sounds "/etc/hostname" is not a folder' -- --sounds /etc/hostname check quick
expect 0 'total' -- --sounds "$src/sounds" check quick
expect 2 "--device needs a name or an index" -- --device ''
expect 2 "--device needs a name or an index" -- remind -d ''

# Options that do not apply to the command are mistakes.
expect 2 '--events does not apply to stats \(stats takes: --csv\)' -- stats --events
expect 2 '--csv does not apply to check' -- check --csv quick
expect 2 '--every does not apply to check' -- check --every 5m quick
expect 2 '--every does not go with remind --snooze' -- remind --snooze 5m --every 10m
expect 2 '-o/--output does not apply to play' -- play quick -o x.wav
expect 2 '--device does not apply to render' -- render quick -o "$dir/x.wav" --device pulse
expect 2 'does not apply to devices \(devices takes: no options\)' -- devices --quiet
expect 2 'remind --snooze takes no routine' -- remind --snooze 5m quick

# --voice as the personal config takes it: any case, and "off".
expect 0 'total' -- --voice DE check quick
for v in "--voice DE" "--voice en" "--voice off" "--no-voice"; do
    # shellcheck disable=SC2086
    (cd "$dir" && "$bin" render quick -o "$dir/v${v// /}.wav" $v --quiet) || echo "render $v failed"
done
if ! cmp -s "$dir/v--voiceDE.wav" "$dir/v--voiceen.wav" && cmp -s "$dir/v--voiceoff.wav" "$dir/v--no-voice.wav" &&
    ! cmp -s "$dir/v--voiceoff.wav" "$dir/v--voiceen.wav"; then
    passed=$((passed + 1)); echo "ok: --voice DE renders German, --voice off as --no-voice"
else
    failed=$((failed + 1)); echo "FAIL: --voice DE/off"; ls -la "$dir"/v*.wav
fi
rm -f "$dir"/v*.wav
expect 2 '--voice "fr" is not a language calfpace speaks \(allowed: en, de, or off' -- --voice fr check quick

# Finding a routine by name.
expect 0 'Usage: calfpace' -- help
cp "$src/config/quick.cfg" "$dir/morning.cfg"
expect 0 'total 3:08.6' -- check morning
expect 2 'no routine "evening": not a file in this folder, and not a shipped routine \(looked for evening, evening.cfg and .*/config/evening.cfg; shipped: calf-pump, quick\)' -- check evening
expect 2 'check needs a routine: a file, or a shipped one by name \(calf-pump, quick\)' -- check
if (cd "$dir" && "$bin" check evening 2>&1 | grep -q '/\.\./'); then
    failed=$((failed + 1)); echo "FAIL: a path with /../ in it"
else passed=$((passed + 1)); echo "ok: paths are shown tidy (no /../)"; fi

# Syntax errors: the column and the likely cause of the common ones.
syntax() { # syntax TEXT PATTERN
    printf '%s\n' "$1" >"$dir/s.cfg"
    expect 2 "^s.cfg:$2" -- check s.cfg
}
syntax 'steps = ( { type = "paced"; tempo = 60,5; beats = 4; } );' "1:39: syntax error: 60,5 has a decimal comma \(write 60.5\)$"
syntax 'steps = ( { type = "rest"; seconds = 1:30; } );' "1:38: syntax error: 1:30 is not a number \(a time is written in seconds: 90.0\)$"
syntax 'name = Morning;
steps = ( { type = "rest"; seconds = 5.0; } );' '1:8: syntax error: Morning is not in double quotes \(write "Morning"\)$'
syntax "name = 'Rest'; steps = ( { type = \"rest\"; seconds = 5; } );" "1:8: syntax error: 'Rest' is in single quotes"
syntax 'steps = ( { type = "rest"; seconds = 5.0; },
);' "1:44: syntax error: a comma before '\)' on the next line \(the last element takes none: remove it\)$"
syntax 'steps = ( { type = "paced"; tempo = 60.0; beats = 4; sounds = [ "click", ]; } );' "1:72: syntax error: a comma before '\]'"
syntax 'steps = (
  { type = "rest"; seconds = 10.0; }
  { type = "rest"; seconds = 10.0; }
);' "2:36: syntax error: no comma after '\}'"
syntax 'name = "a";
steps = ( { type = "rest"; seconds = 5.0; seconds = 4.0; } );' "2: 'seconds' is set twice in the same group \(keep one\)"
syntax 'steps = ( { type = "paced"; tempo = 60.0; beats = 4; sounds = [ "click-high" "click-low" ]; } );' \
    '1: "click-high" "click-low" has no comma between the names, so they read as one, "click-highclick-low" \(write \[ "click-high", "click-low" \]\)$'
syntax 'steps = ( { type = "paced"; tempo = 60.0; beats = 4; sounds = [ "click-hi" ]; } );' \
    "1: no sound 'click-hi' \(did you mean 'click-high'\? looked for click-hi.wav"
syntax 'steps = ( { type = "paced"; tempo = 60.0; beats = 4.5; } );' \
    "1: 'beats' must be a whole number, not a decimal number \(allowed: 1 to 100000\)$"
printf '\xef\xbb\xbfsteps = ( { type = "rest"; seconds = 5.0; } );\n' >"$dir/bom.cfg"
expect 0 'total 0:05' -- check bom.cfg
# A routine saved as Latin-1 ("Wadenübung" with a single byte 0xFC): a
# warning with its line; UTF-8 and plain ASCII get none.
printf '# Latin-1\nname = "Waden\xfcbung";\nsteps = ( { type = "rest"; seconds = 5.0; } );\n' >"$dir/latin1.cfg"
for voice in --no-voice --voice=en; do
    (cd "$dir" && "$bin" check latin1.cfg $voice >/dev/null 2>"$dir/err")
    if [ $? = 0 ] && grep -q '^latin1.cfg:2: warning: the file is not UTF-8 (Latin-1, perhaps)' "$dir/err"; then
        passed=$((passed + 1)); echo "ok: check latin1.cfg $voice warns: $(cat "$dir/err")"
    else failed=$((failed + 1)); echo "FAIL: check latin1.cfg $voice:"; sed 's/^/   | /' "$dir/err"; fi
done
printf '# UTF-8\nname = "Waden\xc3\xbcbung";\nsteps = ( { type = "rest"; seconds = 5.0; } );\n' >"$dir/utf8.cfg"
(cd "$dir" && "$bin" check utf8.cfg >/dev/null 2>"$dir/err")
if [ $? = 0 ] && ! grep -q 'not UTF-8' "$dir/err"; then
    passed=$((passed + 1)); echo "ok: a UTF-8 routine gets no encoding warning"
else failed=$((failed + 1)); echo "FAIL: a UTF-8 routine:"; sed 's/^/   | /' "$dir/err"; fi
# check --events starts with a header naming its columns.
out=$(cd "$dir" && "$bin" check utf8.cfg --events 2>/dev/null | head -1)
if [ "$out" = "# sample event round step beat pan   (samples at 48000 Hz from the start)" ]; then
    passed=$((passed + 1)); echo "ok: check --events has a header: $out"
else failed=$((failed + 1)); echo "FAIL: check --events first line: $out"; fi

# The smallest documented routine: no warning about its own defaults, and
# no closing cue promised where there is none.
printf 'steps = ( { type = "paced"; tempo = 60.0; beats = 40; } );\n' >"$dir/small.cfg"
out=$(cd "$dir" && "$bin" check small.cfg 2>&1); rc=$?
if [ "$rc" = 0 ] && ! grep -q warning <<<"$out" && ! grep -q 'closing cue' <<<"$out" &&
    grep -q 'total 0:43.1 (the spoken session length follows)$' <<<"$out"; then
    passed=$((passed + 1)); echo "ok: the smallest routine checks without a warning"
else
    failed=$((failed + 1)); echo "FAIL: the smallest routine:"; echo "$out" | sed 's/^/   | /'
fi
printf 'lead_in = 3.0;\nsteps = ( { type = "paced"; tempo = 60.0; beats = 40; } );\n' >"$dir/given.cfg"
expect 0 '' -- check given.cfg
grep -q "given.cfg:2: warning: step 1's announcement" "$dir/err" && { passed=$((passed + 1)); echo "ok: a lead_in written in the file is still warned about"; } ||
    { failed=$((failed + 1)); echo "FAIL: no warning for a written lead_in"; sed 's/^/   | /' "$dir/err"; }

# Reminders: what --snooze and a snoozed start say, and no "next reminder"
# that --for will not reach.
expect 0 'no reminder is running; one started before .* waits until then' -- remind --snooze 5m
out=$(cd "$dir" && "$bin" remind --for 1s none </dev/null 2>&1)
grep -q 'reminders are snoozed until' <<<"$out" && { passed=$((passed + 1)); echo "ok: a snoozed start says so"; } ||
    { failed=$((failed + 1)); echo "FAIL: a snoozed start: $out"; }
rm -rf "$XDG_RUNTIME_DIR/calfpace"
out=$(cd "$dir" && "$bin" remind --every 1h --for 1s none </dev/null 2>&1)
if grep -q 'next reminder at' <<<"$out" || ! grep -q 'reminders stopped' <<<"$out"; then
    failed=$((failed + 1)); echo "FAIL: --for 1s with --every 1h: $out"
else passed=$((passed + 1)); echo "ok: no next reminder announced past --for"; fi
(cd "$dir" && exec "$bin" remind --every 1h --for 3s none </dev/null >"$dir/remind.out" 2>&1) &
sleep 1
expect 0 '^calfpace: reminders snoozed until' -- remind --snooze 5m
wait

# The personal config: each setting with its own limit.
mkdir -p "$XDG_CONFIG_HOME/calfpace"
conf=$XDG_CONFIG_HOME/calfpace/calfpace.cfg
try_conf() { # try_conf TEXT PATTERN
    printf '%s\n' "$1" >"$conf"
    expect 2 "$2" -- remind --for 1s none
    if grep -q 'tempo_scale.*latency\|volume.*tempo_scale' "$dir/err" && ! grep -q 'unknown setting' "$dir/err"; then
        failed=$((failed + 1)); echo "FAIL: the message lists every setting's limit: $(cat "$dir/err")"
    fi
}
try_conf 'volume = 30.0;' "^$conf:1: 'volume' is out of range \(allowed: a number of dB, -40.0 to 12.0\)$"
try_conf 'tempo_scale = "fast";' "^$conf:1: 'tempo_scale' has a wrong type \(allowed: a number, 0.5 to 2.0\)$"
try_conf 'latency = 0.001;' "^$conf:1: 'latency' is out of range \(allowed: seconds, 0.02 to 2.0\)$"
try_conf 'device = 3;' "^$conf:1: 'device' has a wrong type \(allowed: a name in quotes"
rm -f "$conf"

# stats counts a session only when it played a step to its end: a start
# and a stop, or every step skipped, is a try, said as such; skipped steps
# are shown as skipped.  The first line is of the older 9-field format.
hist=$XDG_STATE_HOME/calfpace/history.tsv
mkdir -p "${hist%/*}"
now=$(date +%Y-%m-%dT%H:%M:%S%z)
printf '%s\tcalf-pump\t692.5\t2.1\t0\t12\t0\t0\tquit\n%s\tcalf-pump\t692.5\t101.3\t0\t12\t60.0\t100.0\tdone\t12\n%s\tcalf-pump\t692.5\t692.5\t12\t12\t60.0\t160.0\tdone\t0\n' \
    "$now" "$now" "$now" >"$hist"
expect 0 '^Total: 1 session, 11.5 minutes on 1 day, since [0-9-]+ \(2 tries with no step played to its end not counted\)$' -- stats
expect 0 '^Skipped: 12 steps left early with n \(not done, so not counted\)$' -- stats
expect 0 '  1 session, 12 steps skipped  \(today\)$' -- stats
expect 0 '^date,sessions,minutes,steps_skipped$' -- stats --csv
expect 0 ',1,11.5,12$' -- stats --csv
rm -f "$hist"

# A broken click.wav in the user's own sound folder breaks only the
# routines that need it, and the message says what for.
mine=$XDG_DATA_HOME/calfpace/sounds
mkdir -p "$mine"
echo 'not a sound' >"$mine/click.wav"
expect 0 'total' -- check quick
printf 'steps = ( { type = "hold"; seconds = 5.0; } );\n' >"$dir/hold.cfg"
expect 2 "^hold.cfg: .*click.wav.* \(the standard click is what answers the volume keys, and this routine has no beat sound to use instead\)$" -- check hold.cfg
printf 'steps = (\n  { type = "paced"; tempo = 60.0; beats = 4; } );\n' >"$dir/beat.cfg"
expect 2 "^beat.cfg:2: .*click.wav" -- check beat.cfg
rm -rf "$mine"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
