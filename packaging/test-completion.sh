#!/usr/bin/env bash
# Tests of completion/calfpace.bash: commands, options per command, routine
# files, output files, folders, --voice, and device names parsed from a
# stand-in `calfpace devices`.  Each check sets COMP_WORDS and COMP_CWORD
# the way bash does (and COMP_LINE/COMP_POINT for the checks of words that
# bash splits at '=' and ':'), calls _calfpace and compares COMPREPLY.
#
#   packaging/test-completion.sh      prints each check, then "N passed, M failed"
#
# Exits 0 when every check passed, 1 otherwise.  Needs only bash.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
completion="$here/../completion/calfpace.bash"
[[ -f $completion ]] || { echo "test-completion.sh: no $completion" >&2; exit 1; }

dir=$(mktemp -d /tmp/calfpace-completion-XXXXXX)
trap 'rm -rf "$dir"' EXIT

# A stand-in calfpace whose `devices` prints what the real one prints
# (out_pa_list: "%c %2d  %-40s %s, %d ch, %.0f Hz").
mkdir -p "$dir/bin" "$dir/work/sub/my sounds" "$dir/work/sub/old.cfg"
cat >"$dir/bin/calfpace" <<'EOF'
#!/usr/bin/env bash
[[ ${1:-} == devices ]] || exit 2
[[ -n ${FAKE_NO_DEVICES:-} ]] && { echo "calfpace: no audio output device found" >&2; exit 1; }
row() { printf '%c %2d  %-40s %s, %d ch, %.0f Hz\n' "$1" "$2" "$3" "$4" "$5" "$6"; }
row ' ' 0 'HDA Intel PCH: ALC892 Analog (hw:0,0)' ALSA 2 44100
row ' ' 1 'sysdefault' ALSA 128 48000
row ' ' 2 'USB Audio CODEC with a rather long name: USB Audio (hw:2,0)' ALSA 2 48000
row ' ' 3 'pulse' ALSA 32 44100
row '*' 4 'default' ALSA 32 44100
row ' ' 5 'system' 'JACK Audio Connection Kit' 2 48000
row ' ' 12 'dmix' ALSA 2 48000
EOF
chmod +x "$dir/bin/calfpace"
touch "$dir/work/a.cfg" "$dir/work/b.cfg" "$dir/work/notes.txt" "$dir/work/out.wav" \
    "$dir/work/old.ogg" "$dir/work/take.flac" "$dir/work/sub/c.cfg"
cd "$dir/work" || exit 1
PATH="$dir/bin:$PATH"

# shellcheck source-path=SCRIPTDIR source=../completion/calfpace.bash
source "$completion"

passed=0 failed=0

# result: COMPREPLY sorted, one line each, joined with '|'.
result() { printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd'|'; }

# words EXPECTED WORD...: the words as bash gives them, the last being the
# one under the cursor; EXPECTED is the sorted candidates joined by '|'.
words() {
    local want=$1; shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    unset COMP_LINE COMP_POINT
    COMPREPLY=()
    _calfpace calfpace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
    report "$want" "$(result)" "COMP_WORDS=($*)"
}

# line EXPECTED LINE: LINE as typed, the cursor at its end; COMP_WORDS are
# made the way bash makes them: split at blanks, and at '=' and ':' (from
# COMP_WORDBREAKS), which become words of their own; a backslash escapes.
line() {
    local want=$1 text=$2 w="" c i brk=0
    local -a ws=()
    for ((i = 0; i < ${#text}; i++)); do
        c=${text:i:1}
        if [[ $c == "\\" ]]; then
            if ((brk)); then ws+=("$w"); w=""; brk=0; fi
            w+=${text:i:2}; i=$((i + 1))
        elif [[ $c == ' ' ]]; then
            [[ -n $w ]] && ws+=("$w"); w=""; brk=0
        elif [[ $c == '=' || $c == ':' ]]; then
            if ((brk)); then w+=$c; else [[ -n $w ]] && ws+=("$w"); w=$c; brk=1; fi
        else
            if ((brk)); then ws+=("$w"); w=""; brk=0; fi
            w+=$c
        fi
    done
    ws+=("$w")
    COMP_WORDS=("${ws[@]}")
    COMP_CWORD=$((${#ws[@]} - 1))
    COMP_LINE=$text
    COMP_POINT=${#text}
    COMPREPLY=()
    _calfpace calfpace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
    report "$want" "$(result)" "COMP_LINE='$text'"
    unset COMP_LINE COMP_POINT
}

report() {
    if [[ $2 == "$1" ]]; then
        passed=$((passed + 1)); echo "ok: $3 -> ${2:-(nothing)}"
    else
        failed=$((failed + 1)); echo "FAIL: $3"; echo "   want: ${1:-(nothing)}"; echo "   got:  ${2:-(nothing)}"
    fi
}

q() { printf '%q' "$1"; }
HDA=$(q 'HDA Intel PCH: ALC892 Analog (hw:0,0)')
USB=$(q 'USB Audio CODEC with a rather long name: USB Audio (hw:2,0)')

# Commands, and routines where a routine may come (play is the default).
words 'remind|render' calfpace re
words 'check' calfpace ch
words 'a.cfg|b.cfg|check|devices|play|remind|render|stats|sub' calfpace ''
words 'a.cfg|b.cfg|sub' calfpace play ''
words 'a.cfg|b.cfg|sub' calfpace check ''
words 'sub/c.cfg|sub/my sounds|sub/old.cfg' calfpace check sub/   # a folder x.cfg once
words '' calfpace check a.cfg ''
words 'a.cfg|b.cfg|sub' calfpace render ''
words 'a.cfg|b.cfg|none|sub' calfpace remind ''
words 'none' calfpace remind n
words '' calfpace devices ''
words '' calfpace stats ''
words 'a.cfg|b.cfg|check|devices|play|remind|render|stats|sub' calfpace --quiet ''
words 'a.cfg|b.cfg|sub' calfpace --quiet check ''
words 'a.cfg|b.cfg|sub' calfpace play --latency 0.1 ''
words 'a.cfg|b.cfg|none|sub' calfpace remind --every 45m ''
words '' calfpace a.cfg ''

# The shipped routines by name: from $CALFPACE_DATA/config, or from
# PREFIX/share/calfpace/config beside the calfpace on the PATH; not after a
# routine, not for devices or stats, not where a file of that name (or
# NAME.cfg, which the program takes first) is here.
mkdir -p "$dir/data/config" "$dir/inst/bin" "$dir/inst/share/calfpace/config"
touch "$dir/data/config/quick.cfg" "$dir/data/config/calf-pump.cfg" "$dir/data/config/a.cfg" \
    "$dir/inst/share/calfpace/config/morning.cfg" "$dir/data/config/notes.txt"
cp "$dir/bin/calfpace" "$dir/inst/bin/calfpace"
CALFPACE_DATA=$dir/data words 'a.cfg|b.cfg|calf-pump|check|devices|play|quick|remind|render|stats|sub' calfpace ''
CALFPACE_DATA=$dir/data words 'quick' calfpace q
CALFPACE_DATA=$dir/data words 'calf-pump|check' calfpace c
CALFPACE_DATA=$dir/data words 'a.cfg|b.cfg|calf-pump|quick|sub' calfpace play ''
CALFPACE_DATA=$dir/data words 'calf-pump' calfpace check ca
CALFPACE_DATA=$dir/data words 'quick' calfpace render q
CALFPACE_DATA=$dir/data words 'a.cfg|b.cfg|calf-pump|none|quick|sub' calfpace remind ''
CALFPACE_DATA=$dir/data words '' calfpace check quick ''
CALFPACE_DATA=$dir/data words '' calfpace stats ''
CALFPACE_DATA=$dir/data words 'sub/c.cfg|sub/my sounds|sub/old.cfg' calfpace check sub/
PATH="$dir/inst/bin:$PATH" words 'morning' calfpace play mo
words '' calfpace play mo

# Options fit the command.
words '--output' calfpace render --o
words '--events' calfpace check --ev
words '--csv|--help' calfpace stats --
words '--help' calfpace devices --
words '--every' calfpace remind --e
words '--away|--between|--device|--every|--for|--help|--latency|--no-mpris|--no-voice|--quiet|--snooze|--sounds|--voice' calfpace remind --
words '--version' calfpace --vers
words '--no-mpris|--no-voice' calfpace play --no
words '--voice' calfpace render --voi

# Values of options.
words 'old.ogg|out.wav' calfpace render a.cfg -o o
words 'old.ogg|out.wav|sub|take.flac' calfpace render a.cfg --output ''
words 'sub' calfpace --sounds s
words 'sub/my sounds|sub/old.cfg' calfpace --sounds sub/
words 'de|en' calfpace --voice ''
words 'de' calfpace play --voice d
words '--voice=de' calfpace --voice=d
words '' calfpace --every ''
words '' calfpace remind --snooze ''

# Devices, from `calfpace devices`.
words "$HDA|$USB|default|dmix|pulse|sysdefault|system" calfpace -d ''
words 'sysdefault|system' calfpace --device sys
words "$HDA" calfpace play --device HDA
words "$USB" calfpace -d USB
words 'system' calfpace -d system
words '1|12' calfpace -d 1
words '--device=pulse' calfpace --device=pu
FAKE_NO_DEVICES=1 words '' calfpace -d ''
words '' "$dir/nobin/calfpace" -d ''

# Words that bash splits at '=' and ':', with COMP_LINE.
line 'de' 'calfpace --voice=d'
line 'de|en' 'calfpace --voice='
line 'pulse' 'calfpace --device=pu'
line "$(q ' ALC892 Analog (hw:0,0)')" 'calfpace -d HDA\ Intel\ PCH:\ A'
line "$(q ' ALC892 Analog (hw:0,0)')" 'calfpace -d HDA\ Intel\ PCH:'
line 'a.cfg|b.cfg|none|sub' 'calfpace remind --between 09:00-17:30 '
line '--csv' 'calfpace stats --c'
line 'a.cfg|b.cfg|sub' 'calfpace check '

# Registered for the command.
if complete -p calfpace 2>/dev/null | grep -q -- '-F _calfpace calfpace'; then
    passed=$((passed + 1)); echo "ok: complete -F _calfpace calfpace is registered"
else
    failed=$((failed + 1)); echo "FAIL: no 'complete -F _calfpace calfpace'"
fi

echo "$passed passed, $failed failed"
((failed == 0))
