# bash completion for calfpace                            -*- shell-script -*-
#
# Installed as share/bash-completion/completions/calfpace, where
# bash-completion loads it on first use; or source it from ~/.bashrc.
# Needs nothing from bash-completion itself.
#
# Completes the commands, the options (those that fit the command given),
# routine files (*.cfg) and the shipped routines' names, output files for -o (.wav .flac .ogg
# .oga .mp3 .opus), folders for
# --sounds, languages for --voice, and device names for -d/--device, read
# from `calfpace devices`.

_calfpace_commands="play render check devices stats remind"

# Options that take a value (as a separate word or after '=').
_calfpace_valued="-o --output -d --device --latency --sounds --voice --every --between --for --away --snooze --bitrate"

# _calfpace_options COMMAND: the options that fit COMMAND ("" for none yet).
_calfpace_options() {
    local play="-d --device --latency --sounds --voice --no-voice -q --quiet --no-mpris"
    case $1 in
    play) echo "$play -h --help" ;;
    render) echo "-o --output --bitrate --sounds --voice --no-voice -q --quiet -h --help" ;;
    check) echo "--events --sounds --voice --no-voice -h --help" ;;
    devices) echo "-h --help" ;;
    stats) echo "--csv -h --help" ;;
    remind) echo "--every --between --for --away --snooze $play -h --help" ;;
    *) echo "$play -o --output --bitrate --events --every --between --for --away --snooze --csv -h --help -V --version" ;;
    esac
}

# The output device names, one a line, from `calfpace devices`, whose lines
# look like "*  1  default                                  ALSA, 32 ch, 44100 Hz":
# a '*' for the default, the index, the name padded to 40 columns, the host
# API, the channels and the rate.  With CALFPACE_COMPLETE_INDEX=1, the indexes.
_calfpace_devices() {
    local cmd=$1 line rest name
    local -a run=("$cmd" devices)
    command -v timeout >/dev/null 2>&1 && run=(timeout 5 "$cmd" devices)
    while IFS= read -r line; do
        [[ $line =~ ^[*\ ]\ +([0-9]+)\ \ (.*),\ [0-9]+\ ch,\ [0-9.]+\ Hz$ ]] || continue
        if [[ ${CALFPACE_COMPLETE_INDEX:-} == 1 ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
            continue
        fi
        rest=${BASH_REMATCH[2]}   # NAME<padding> API
        if [[ $rest =~ ^(.*[^\ ])\ \ +[^\ ] ]]; then
            name=${BASH_REMATCH[1]}   # the padding ends the name
        else
            # A name of 40 characters or more: one space before the API.
            name=$rest
            local api
            for api in "JACK Audio Connection Kit" "PulseAudio" "ALSA" "OSS" "sndio"; do
                if [[ $rest == *" $api" ]]; then
                    name=${rest%" $api"}
                    break
                fi
            done
            [[ $name == "$rest" ]] && name=${rest% *}
        fi
        printf '%s\n' "$name"
    done < <("${run[@]}" 2>/dev/null)
}

# Removes shell quoting from a partly typed word: backslashes and a leading
# quote.
_calfpace_dequote() {
    local w=$1
    case $w in
    \'*) w=${w#\'}; w=${w%\'} ;;
    \"*) w=${w#\"}; w=${w%\"} ;;
    *)
        local out="" i
        for ((i = 0; i < ${#w}; i++)); do
            [[ ${w:i:1} == "\\" ]] && i=$((i + 1))
            out+=${w:i:1}
        done
        w=$out
        ;;
    esac
    printf '%s' "$w"
}

# Rejoins the words that bash split at '=' and ':' (COMP_WORDBREAKS), so
# that "--voice=de" and "hw:0,0" are whole words.  Sets _cp_words and
# _cp_cword.  Without COMP_LINE (a test that sets COMP_WORDS alone), the words
# are taken as they are.
_calfpace_rejoin() {
    _cp_words=()
    _cp_cword=$COMP_CWORD
    if [[ -z ${COMP_LINE:-} ]]; then
        _cp_words=("${COMP_WORDS[@]}")
        return
    fi
    local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
    local i j=-1 w glued spaced
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        spaced=0
        if [[ $line =~ ^[[:space:]]+ ]]; then
            spaced=1
            line=${line:${#BASH_REMATCH[0]}}
        fi
        glued=0
        if ((j >= 0 && !spaced)); then
            if [[ $w == [=:]* || ${_cp_words[j]} == *[=:] ]]; then
                glued=1
            fi
        fi
        if ((glued)); then
            _cp_words[j]+=$w
        else
            _cp_words[++j]=$w
        fi
        ((i == COMP_CWORD)) && _cp_cword=$j
        line=${line:${#w}}
    done
    ((_cp_cword <= j)) || _cp_words[++j]=""
}

# Sets COMPREPLY to the candidates (one a line in $2) that start with the
# dequoted word $1, quoted for the shell.
_calfpace_reply_lines() {
    local want line
    want=$(_calfpace_dequote "$1")
    while IFS= read -r line; do
        [[ -n $line && $line == "$want"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
    done <<<"$2"
}

# Files with one of the extensions $2..., and folders to look into, each
# once (a folder named x.cfg matches both).
_calfpace_files() {
    local cur=$1 ext f
    local -A seen=()
    shift
    compopt -o filenames 2>/dev/null
    while IFS= read -r f; do
        [[ -n $f && -z ${seen[$f]:-} ]] || continue
        seen[$f]=1
        COMPREPLY+=("$f")
    done < <(
        for ext; do compgen -f -X "!*.$ext" -- "$cur"; done
        compgen -d -- "$cur"
    )
}

# The shipped routines' names (quick, calf-pump), which play, check, render
# and remind take by name: the .cfg files in $CALFPACE_DATA/config, or in
# PREFIX/share/calfpace/config beside the calfpace on the PATH (where the
# program itself looks).  Not a name that NAME or NAME.cfg here would take.
_calfpace_shipped() {
    local cur=$1 data="" bin f name
    if [[ -n ${CALFPACE_DATA:-} ]]; then
        data=$CALFPACE_DATA
    else
        bin=$(type -P "${2:-calfpace}" 2>/dev/null) || return 0
        bin=$(readlink -f "$bin" 2>/dev/null || printf '%s' "$bin")
        data=${bin%/*}/../share/calfpace
    fi
    [[ $cur == */* ]] && return 0
    for f in "$data"/config/*.cfg; do
        [[ -f $f ]] || continue
        name=${f##*/}
        name=${name%.cfg}
        [[ $name == "$cur"* && ! -e $name && ! -e $name.cfg ]] && COMPREPLY+=("$name")
    done
    return 0
}

_calfpace() {
    local _cp_words _cp_cword
    COMPREPLY=()
    _calfpace_rejoin
    local cur=${_cp_words[_cp_cword]} prev="" value_of=""
    ((_cp_cword > 0)) && prev=${_cp_words[_cp_cword - 1]}

    # --option=value: complete the value.
    if [[ $cur == --*=* ]]; then
        value_of=${cur%%=*}
        cur=${cur#*=}
    elif [[ " $_calfpace_valued " == *" $prev "* ]]; then
        value_of=$prev
    fi

    # The command given so far, and whether a routine follows it already.
    local i w cmd="" have_routine=0 skip=0
    for ((i = 1; i < _cp_cword; i++)); do
        w=${_cp_words[i]}
        if ((skip)); then skip=0; continue; fi
        case $w in
        --*=*) ;;
        -*) [[ " $_calfpace_valued " == *" $w "* ]] && skip=1 ;;
        *)
            if [[ -z $cmd && $have_routine == 0 && " $_calfpace_commands " == *" $w "* ]]; then
                cmd=$w
            else
                have_routine=1
            fi
            ;;
        esac
    done

    if [[ -n $value_of ]]; then
        case $value_of in
        -o | --output) _calfpace_files "$cur" wav flac ogg oga mp3 opus ;;
        -d | --device)
            local devices
            devices=$(_calfpace_devices "${_cp_words[0]:-calfpace}")
            if [[ $cur == [0-9]* ]]; then
                devices=$(CALFPACE_COMPLETE_INDEX=1 _calfpace_devices "${_cp_words[0]:-calfpace}")
            fi
            _calfpace_reply_lines "$cur" "$devices"
            ;;
        --sounds) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
        --voice) mapfile -t COMPREPLY < <(compgen -W "en de" -- "$cur") ;;
        *) ;; # a number, a duration or hours: nothing to offer
        esac
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_calfpace_options "$cmd")" -- "$cur")
    else
        case $cmd in
        devices | stats) ;;
        "")
            ((have_routine)) || {
                mapfile -t COMPREPLY < <(compgen -W "$_calfpace_commands" -- "$cur")
                _calfpace_files "$cur" cfg
                _calfpace_shipped "$cur" "${_cp_words[0]:-calfpace}"
            }
            ;;
        remind)
            ((have_routine)) || {
                mapfile -t COMPREPLY < <(compgen -W "none" -- "$cur")
                _calfpace_files "$cur" cfg
                _calfpace_shipped "$cur" "${_cp_words[0]:-calfpace}"
            }
            ;;
        *) ((have_routine)) || {
                _calfpace_files "$cur" cfg
                _calfpace_shipped "$cur" "${_cp_words[0]:-calfpace}"
            } ;;
        esac
    fi

    # Bash replaces only the part of the word after its last '=' or ':'
    # (COMP_WORDBREAKS); drop what comes before it from each candidate.
    local typed=${COMP_WORDS[COMP_CWORD]:-}
    [[ $typed =~ ^[=:]+$ ]] && typed=""   # the cursor right after '=' or ':'
    local full=${_cp_words[_cp_cword]}
    if [[ $full != "$typed" && $full == *"$typed" && -n ${COMP_LINE:-} ]]; then
        local drop=$((${#full} - ${#typed}))
        [[ -n $value_of && ${full} == --*=* ]] && drop=$((drop - ${#value_of} - 1))
        if ((drop > 0)); then
            for i in "${!COMPREPLY[@]}"; do
                COMPREPLY[i]=${COMPREPLY[i]:drop}
            done
        fi
    elif [[ $full == --*=* && -z ${COMP_LINE:-} ]]; then
        # Words given whole (no COMP_LINE): answer with the option in front.
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=$value_of=${COMPREPLY[i]}
        done
    fi
    return 0
}

complete -F _calfpace calfpace
