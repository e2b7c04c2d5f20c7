#!/usr/bin/env bash
# Bad input, as a user or a broken disk might hand it over: every case must be
# refused with one line that names the file (and the line, where there is
# one) and says what is wrong, and exit 2; nothing may crash.  A few inputs
# that look odd but are fine (8 channels, 8 and 192 kHz sounds) must work.
#
# Messages are matched from their start, as fixed text: the case fails if the
# first line of stderr does not begin with the expected text, if stderr has
# more than one line, or if the exit status differs.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
command -v sox >/dev/null || { echo "FAIL: sox is needed to make the test sounds"; echo "0 passed, 1 failed"; exit 1; }
d=$(mktemp -d /tmp/calfpace-badinput-XXXXXX)
trap 'chmod -R u+rwX "$d" 2>/dev/null; rm -rf "$d"' EXIT
snd=$d/snd
mkdir "$snd"
passed=0 failed=0 known=0

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect STATUS PREFIX -- ARGS: runs calfpace with ARGS; wants exit STATUS
# and, for STATUS != 0, stderr to be one line starting with PREFIX (for
# STATUS 0: stderr empty, PREFIX unused).
expect() {
    local want=$1 prefix=$2; shift 3
    local rc err lines
    "$bin" "$@" >"$d/out" 2>"$d/err"; rc=$?
    err=$(cat "$d/err")
    lines=$(grep -c '' "$d/err")
    if [ "$want" = 0 ]; then
        if [ "$rc" = 0 ]; then
            ok "calfpace $* -> 0"
            [ "$lines" = 0 ] || sed 's/^/   | /' "$d/err" | head -5
            return 0
        fi
        bad "calfpace $* -> $rc (want 0)"
    else
        if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && [[ "$err" == "$prefix"* ]]; then
            ok "calfpace $* -> $rc: $err"; return 0
        fi
        bad "calfpace $* -> $rc (want $want, one line starting: $prefix)"
    fi
    sed 's/^/   | /' "$d/err" | head -20
    return 1
}

# A routine file NAME.cfg in $d from the text on stdin.
routine() { cat >"$d/$1.cfg"; }

STEP='steps = ( { type = "paced"; tempo = 100.0; beats = 4; } );'

# --- files that are not routines -------------------------------------------
: >"$d/empty.cfg"
expect 2 "$d/empty.cfg: the file is empty (a routine needs at least steps = ( ... );" -- check "$d/empty.cfg"
printf ' \n\t\n\n' >"$d/blank.cfg"
expect 2 "$d/blank.cfg: the file is empty" -- check "$d/blank.cfg"

# Binary garbage: a sound file given as a routine (it holds NUL bytes), and
# high bytes without NULs, which reach the parser.
sox -n -r 8000 -c 1 -b 16 -t wav "$d/garbage.cfg" synth 0.05 sine 440 2>/dev/null
expect 2 "$d/garbage.cfg: the file holds binary data (a routine is a text file;" -- check "$d/garbage.cfg"
head -c 4096 /dev/zero | tr '\0' '\376' >"$d/highbytes.cfg"
expect 2 "$d/highbytes.cfg:1: syntax error" -- check "$d/highbytes.cfg"

# 10 MB: refused by its size before it is read.
head -c 10485760 /dev/zero | tr '\0' '#' >"$d/huge.cfg"
expect 2 "$d/huge.cfg: the routine is 10485760 bytes (allowed: at most 1048576)" -- check "$d/huge.cfg"
# Just under 1 MB of comments before a good step: fine.
{ for _ in $(seq 16000); do echo "# a comment line of about sixty characters, padding the file"; done
  echo "$STEP"; } >"$d/big-ok.cfg"
expect 0 '' -- check "$d/big-ok.cfg"

# Deep nesting: libconfig's parser stops at its stack limit (10000 entries)
# with a message of its own rather than crashing; nesting it accepts is
# refused by the validator, and freed without running out of stack.
nest() { printf "$1%.0s" $(seq "$3"); printf '%s' "$2"; printf "$4%.0s" $(seq "$3"); }
{ echo "$STEP"; printf 'x = '; nest '(' '1' 10000 ')'; echo ';'; } >"$d/deep-lists.cfg"
expect 2 "$d/deep-lists.cfg:2: memory exhausted" -- check "$d/deep-lists.cfg"
{ echo "$STEP"; printf 'x = '; nest '{ a = ' '1;' 10000 ' };'; echo; } >"$d/deep-groups.cfg"
expect 2 "$d/deep-groups.cfg:2: memory exhausted" -- check "$d/deep-groups.cfg"
{ printf 'steps = ( { type = "paced"; tempo = 100.0; beats = 4;\n  sounds = '
  nest '(' '"click"' 4000 ')'; echo '; } );'; } >"$d/deep-sounds.cfg"
expect 2 "$d/deep-sounds.cfg:2: 'sound' must be a string in double quotes, not a list ( )" -- check "$d/deep-sounds.cfg"

# --- every setting with the wrong type -------------------------------------
wrong_type() { # NAME TEXT PREFIX-AFTER-FILE
    printf '%s\n' "$2" >"$d/type-$1.cfg"
    expect 2 "$d/type-$1.cfg:$3" -- check "$d/type-$1.cfg"
}
wrong_type name "name = 5;
$STEP" "1: 'name' must be a string in double quotes, not a whole number"
wrong_type cue "cue = true;
$STEP" "1: 'cue' must be a string in double quotes, not true/false"
wrong_type end_cue "end_cue = [ 1 ];
$STEP" "1: 'end_cue' must be a string in double quotes, not an array [ ]"
wrong_type lead_in "lead_in = \"long\";
$STEP" "1: 'lead_in' must be a number, not a string (allowed: 0 to 30)"
wrong_type repeat "repeat = 2.0;
$STEP" "1: 'repeat' must be a whole number, not a decimal number (allowed: 1 to 1000)"
wrong_type rate "rate = \"cd\";
$STEP" "1: 'rate' must be a whole number, not a string (allowed: 8000 to 192000)"
wrong_type volume "volume = -3.0;
$STEP" "1: 'volume' must be a group like { clicks = -8.0; voice = -2.0; }, not a decimal number"
wrong_type volume.clicks "volume = { clicks = \"loud\"; };
$STEP" "1: 'clicks' must be a number, not a string (allowed: -60 to 12)"
wrong_type volume.voice "volume = { voice = ( 1.0 ); };
$STEP" "1: 'voice' must be a number, not a list ( ) (allowed: -60 to 12)"
wrong_type sounds_dir "sounds_dir = 1;
$STEP" "1: 'sounds_dir' must be a string in double quotes, not a whole number"
wrong_type steps 'steps = "all of them";' "1: 'steps' must be a list ( { ... }, { ... } ), not a string"
wrong_type type 'steps = ( { type = 1; tempo = 100.0; beats = 4; } );' \
    "1: 'type' must be a string (allowed: \"paced\", \"hold\", \"rest\")"
wrong_type tempo 'steps = ( { type = "paced";
  tempo = "fast"; beats = 4; } );' \
    "2: 'tempo' must be a number or a ramp { from = ...; to = ...; }, not a string (bpm, 10 to 400)"
wrong_type tempo.from 'steps = ( { type = "paced"; tempo = { from = "slow"; to = 90.0; }; beats = 4; } );' \
    "1: 'from' must be a number, not a string (allowed: 10 to 400)"
wrong_type seconds 'steps = ( { type = "rest"; seconds = "ten"; } );' \
    "1: 'seconds' must be a number, not a string (allowed: "
wrong_type beats 'steps = ( { type = "paced"; tempo = 100.0; beats = 4.5; } );' \
    "1: 'beats' must be a whole number, not a decimal number (allowed: 1 to 100000)"
wrong_type sounds 'steps = ( { type = "paced"; tempo = 100.0; beats = 4; sounds = 5; } );' \
    "1: 'sounds' must be an array of sound names like [ \"tick\", \"tock\" ], not a whole number"
wrong_type pan 'steps = ( { type = "paced"; tempo = 100.0; beats = 4; pan = "left"; } );' \
    "1: 'pan' must be a number or an array like [ -1.0, 1.0 ], not a string"

# --- huge, negative and non-finite numbers ----------------------------------
number() { # NAME TEXT PREFIX-AFTER-FILE
    printf '%s\n' "$2" >"$d/num-$1.cfg"
    expect 2 "$d/num-$1.cfg:$3" -- check "$d/num-$1.cfg"
}
number tempo-1e308 'steps = ( { type = "paced"; tempo = 1e308; beats = 4; } );' \
    "1: tempo (bpm) 1e+308 is out of range (allowed: 10 to 400)"
number seconds--1e308 'steps = ( { type = "rest"; seconds = -1e308; } );' \
    "1: seconds -1e+308 is out of range (allowed: "
number repeat-99999999999 "repeat = 99999999999;
$STEP" "1: repeat 99999999999 is out of range (allowed: 1 to 1000)"
number beats-99999999999 'steps = ( { type = "paced"; tempo = 100.0; beats = 99999999999; } );' \
    "1: beats 99999999999 is out of range (allowed: 1 to 100000)"
number beats--5 'steps = ( { type = "paced"; tempo = 100.0; beats = -5; } );' \
    "1: beats -5 is out of range (allowed: 1 to 100000)"
number lead_in--5 "lead_in = -5;
$STEP" "1: lead_in (seconds) -5 is out of range (allowed: 0 to 30)"
number pan--5 'steps = ( { type = "paced"; tempo = 100.0; beats = 4; pan = [ -5.0 ]; } );' \
    "1: pan -5 is out of range (allowed: -1 to 1)"
# libconfig has no NaN or infinity literals: nan and inf are syntax errors,
# and 1e999 overflows to infinity, which the range check refuses.
number tempo-nan 'steps = ( { type = "paced"; tempo = nan; beats = 4; } );' "1:37: syntax error: nan is not a number (write a number such as 60.0)"
number tempo-inf 'steps = ( { type = "paced"; tempo = inf; beats = 4; } );' "1:37: syntax error: inf is not a number (write a number such as 60.0)"
number tempo-1e999 'steps = ( { type = "paced"; tempo = 1e999; beats = 4; } );' \
    "1: tempo (bpm) inf is out of range (allowed: 10 to 400)"
number seconds--1e999 'steps = ( { type = "rest"; seconds = -1e999; } );' \
    "1: seconds -inf is out of range (allowed: "

# Known bug, reported, in src/routine.c: libconfig keeps only the low 32 bits
# of an integer literal, and get_number (unlike get_int) does not look at the
# literal as written, so tempo = 4294967396 (2^32 + 100) plays at 100 bpm.
# Counted apart until it is fixed; then it passes like any other case.
printf '%s\n' 'steps = ( { type = "paced"; tempo = 4294967396; beats = 4; } );' >"$d/num-wrap.cfg"
if "$bin" check "$d/num-wrap.cfg" >/dev/null 2>&1; then
    known=$((known + 1))
    echo "KNOWN BUG: calfpace check num-wrap.cfg (tempo = 4294967396) -> 0: read as 100 bpm"
else
    expect 2 "$d/num-wrap.cfg:1: tempo (bpm) 4294967396 is out of range" -- check "$d/num-wrap.cfg"
fi

# --- sounds -----------------------------------------------------------------
sox -n -r 48000 -c 1 -b 16 "$snd/tone.wav" synth 0.2 sine 1000 2>/dev/null
size=$(wc -c <"$snd/tone.wav")
head -c $((size / 2)) "$snd/tone.wav" >"$snd/half.wav"
echo "this is not audio at all, just some words" >"$snd/x.wav"
sox -n -r 48000 -c 1 -b 16 "$snd/zero.wav" trim 0 0 2>/dev/null
sox -n -r 48000 -c 8 -b 16 "$snd/eight.wav" synth 0.2 sine 1000 2>/dev/null
sox -n -r 8000 -c 1 -b 16 "$snd/low.wav" synth 0.2 sine 1000 2>/dev/null
sox -n -r 192000 -c 1 -b 24 "$snd/high.wav" synth 0.2 sine 1000 2>/dev/null
for f in tone eight low high zero; do
    [ -f "$snd/$f.wav" ] || { bad "sox could not make $snd/$f.wav"; }
done

sound_routine() { # NAME SOUND: the sound named on line 3
    printf 'sounds_dir = "%s";\nsteps = ( { type = "paced"; tempo = 120.0; beats = 4;\n  sounds = [ "%s" ]; } );\n' \
        "$snd" "$2" >"$d/$1.cfg"
}
# render, and no output file may be left behind by a refusal
render_refused() { # NAME SOUND PREFIX-AFTER-LINE (SOUND may name its extension)
    sound_routine "$1" "$2"
    rm -f "$d/$1.wav"
    local file=$snd/$2
    [[ "$2" == *.* ]] || file=$file.wav
    if expect 2 "$d/$1.cfg:3: $file: $3" -- render "$d/$1.cfg" -o "$d/$1.wav" --no-voice --quiet; then
        if [ ! -e "$d/$1.wav" ]; then ok "$1: no output file left"; else bad "$1: a refused render left $d/$1.wav"; fi
    fi
}
render_works() { # NAME SOUND
    sound_routine "$1" "$2"
    if expect 0 '' -- render "$d/$1.cfg" -o "$d/$1.wav" --no-voice --quiet; then
        if [ -s "$d/$1.wav" ]; then ok "$1: rendered"; else bad "$1: no output file"; fi
    fi
}
# libsndfile reads a WAV cut short as if its header had promised less;
# calfpace compares with the size the header states and refuses it.
render_refused sound-truncated half "is truncated (its header promises 19200 bytes of audio, the file holds"
# The same for AIFF and AU, whose headers libsndfile also clamps; a FLAC cut
# short keeps its promised length and fails while being read.
for ext in aiff au flac; do
    sox -n -r 48000 -c 1 -b 16 "$snd/full.$ext" synth 0.2 sine 1000 2>/dev/null
    size=$(wc -c <"$snd/full.$ext")
    head -c $((size / 2)) "$snd/full.$ext" >"$snd/half.$ext"
done
render_refused sound-truncated-aiff half.aiff "is truncated (its header promises 19208 bytes of audio, the file holds"
render_refused sound-truncated-au half.au "is truncated (its header promises 19200 bytes of audio, the file holds"
render_refused sound-truncated-flac half.flac "is damaged or truncated (its header promises 9600 frames,"
render_refused sound-not-audio x "not a sound file calfpace can read"
render_refused sound-zero-frames zero "holds no audio (0 frames"
render_works sound-8-channels eight
render_works sound-8-khz low
render_works sound-192-khz high
sound_routine sound-check-truncated half
expect 2 "$d/sound-check-truncated.cfg:3: $snd/half.wav: is truncated" -- check "$d/sound-check-truncated.cfg"

printf 'sounds_dir = "nope";\n%s\n' "$STEP" >"$d/nodir.cfg"
expect 2 "$d/nodir.cfg:1: sounds_dir \"$d/nope\" is not a folder (No such file or directory)" -- check "$d/nodir.cfg"

# --- includes and permissions ------------------------------------------------
printf '@include "self.cfg"\n%s\n' "$STEP" >"$d/self.cfg"
expect 2 "$d/self.cfg:1: @include \"self.cfg\": include file nesting too deep (allowed: 10 levels)" -- check "$d/self.cfg"
printf '@include "missing.cfg"\n%s\n' "$STEP" >"$d/inc-missing.cfg"
expect 2 "$d/inc-missing.cfg:1: @include \"missing.cfg\": $d/missing.cfg: cannot read the included file: No such file or directory" -- check "$d/inc-missing.cfg"

printf '%s\n' "$STEP" >"$d/unreadable.cfg"
chmod 000 "$d/unreadable.cfg"
if [ "$(id -u)" = 0 ]; then
    echo "skip: unreadable routine (root reads any file, so chmod 000 proves nothing)"
else
    expect 2 "$d/unreadable.cfg: cannot read the routine: Permission denied" -- check "$d/unreadable.cfg"
fi

# A directory given as a routine.
expect 2 "$d: the routine is a folder (allowed: a regular file)" -- check "$d"

# Sanity: the shipped quick routine still checks, so a broken binary cannot
# pass the cases above by refusing everything.
expect 0 "" -- check "$src/config/quick.cfg"

[ "$known" = 0 ] || echo "known bugs: $known (see the KNOWN BUG lines; reported, not counted as failures)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
