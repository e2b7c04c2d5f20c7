#!/usr/bin/env bash
# A render that reports success is whole on disk, in every format; one that
# fails or is interrupted says why, exits 1 and leaves nothing behind.
#   - a small tmpfs filled at several points of the render, each format:
#     exit 0 with a file that decodes to the full length, or exit 1 with
#     "No space left on device" and an empty folder;
#   - SIGINT, SIGTERM and SIGHUP mid-render remove the partial file and say so;
#   - an output that is a folder, or in a missing folder, is refused at once;
#   - a WAV past 4 GiB is RF64 and reads back at its full length;
#   - a progress bar on a terminal for a long render, none in a pipe; a size
#     warning from check and render.
# Mounting needs root; without it those parts are skipped, and said so.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
dir=$(mktemp -d /tmp/calfpace-faults-XXXXXX)
mnt=$dir/mnt
mkdir "$mnt"
trap 'mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$dir"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# frames FILE: the decoded length in samples per channel, as ffmpeg sees it.
frames() {
    ffmpeg -nostdin -v error -i "$1" -f s16le -ac 1 - 2>"$dir/decode.err" | wc -c |
        awk '{print $1 / 2}'
}

quick=$src/config/quick.cfg
# Half a minute of speech and clicks: every kind of sound, quickly encoded.
short=$dir/short.cfg
cat >"$short" <<'CFG'
name = "Short";
cue = "quick";
end_cue = "done";
steps = (
  { type = "paced"; name = "Heel raises"; cue = "heel-raises"; lead_in = 9.0;
    tempo = 60.0; seconds = 12.0; sounds = [ "click-high", "click-low" ]; },
  { type = "hold"; name = "Stretch"; cue = "stretch-left"; lead_in = 7.0; seconds = 6.0; }
);
CFG
# The disk fills at several points of each format's render.
if [ "$(id -u)" = 0 ]; then
    for ext in wav flac ogg mp3 opus; do
        "$bin" render "$short" -o "$dir/full.$ext" --quiet || bad "full render .$ext"
        size=$(stat -c %s "$dir/full.$ext")
        want=$(frames "$dir/full.$ext")
        # tmpfs counts whole pages: a third of the way, one page short
        # (the trailer and header rewrite fail), and just enough.
        pages=$(((size + 4095) / 4096))
        for p in $((pages / 3)) $((pages - 1)) $pages; do
            bytes=$((p * 4096)) frac="$p of $pages pages"
            mount -t tmpfs -o size=$bytes tmpfs "$mnt"
            "$bin" render "$short" -o "$mnt/out.$ext" --quiet 2>"$dir/err"
            rc=$?
            left=$(ls -A "$mnt")
            if [ $rc = 0 ]; then
                got=$(frames "$mnt/out.$ext")
                if [ "$left" = "out.$ext" ] && [ "$got" = "$want" ] && [ ! -s "$dir/decode.err" ]; then
                    ok ".$ext on $bytes bytes ($frac): success, decodes to all $got frames"
                else
                    bad ".$ext on $bytes bytes: exit 0 but left '$left', decodes to $got of $want frames: $(head -c 300 "$dir/decode.err")"
                fi
            elif [ $rc = 1 ] && grep -q "No space left on device" "$dir/err" && [ -z "$left" ] &&
                [ "$(wc -l <"$dir/err")" = 1 ]; then
                ok ".$ext on $bytes bytes ($frac): exit 1, $(cat "$dir/err" | sed "s|$mnt/||"), nothing left"
            else
                bad ".$ext on $bytes bytes: exit $rc, left '$left': $(cat "$dir/err")"
            fi
            umount "$mnt"
        done
    done
    # The case as first reported: an .ogg on a 555008-byte tmpfs.
    mount -t tmpfs -o size=555008 tmpfs "$mnt"
    "$bin" render "$quick" -o "$mnt/out.ogg" --quiet 2>"$dir/err"
    rc=$?
    if { [ $rc = 1 ] && [ -z "$(ls -A "$mnt")" ]; } ||
        { [ $rc = 0 ] && [ "$(frames "$mnt/out.ogg")" = 9322496 ]; }; then
        ok "quick.cfg to .ogg on 555008 bytes: exit $rc, whole or nothing"
    else
        bad "quick.cfg to .ogg on 555008 bytes: exit $rc, $(ls -A "$mnt"): $(cat "$dir/err")"
    fi
    umount "$mnt"
else
    echo "skip: mounting a small tmpfs needs root"
fi

# Interrupted mid-render: the partial file goes, and the user is told.
cat >"$dir/long.cfg" <<'CFG'
name = "Long";
rate = 192000;
steps = ( { type = "paced"; name = "Heels"; tempo = 60.0; seconds = 7300.0; } );
CFG
for sig in INT TERM HUP; do
    "$bin" render "$dir/long.cfg" -o "$dir/sig.flac" --no-voice 2>"$dir/err" &
    pid=$!
    for _ in $(seq 100); do
        f=$(ls "$dir" | grep -m1 'sig.flac.partial-') && [ -s "$dir/$f" ] && break
        sleep 0.05
    done
    kill -s "$sig" $pid
    wait $pid
    rc=$?
    left=$(ls "$dir" | grep -c '^sig.flac')
    if [ $rc = 1 ] && [ "$left" = 0 ] && grep -q "render stopped; removed the unfinished .*sig.flac.partial-" "$dir/err"; then
        ok "SIG$sig mid-render: exit 1, '$(tail -1 "$dir/err" | sed "s|$dir/||")'"
    else
        bad "SIG$sig mid-render: exit $rc, $left files left: $(cat "$dir/err")"
    fi
done

# A path that cannot work is refused before a frame is rendered.
start=$(date +%s%N)
"$bin" render "$dir/long.cfg" -o "$dir" 2>"$dir/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $rc = 1 ] && grep -q "is a folder" "$dir/err" && [ $ms -lt 1000 ]; then
    ok "an existing folder as output: exit 1 in $ms ms: $(cat "$dir/err" | sed "s|$dir|DIR|")"
else
    bad "an existing folder as output: exit $rc after $ms ms: $(cat "$dir/err")"
fi
"$bin" render "$dir/long.cfg" -o "$dir/none/x.wav" 2>"$dir/err"
rc=$?
if [ $rc = 1 ] && grep -q "cannot create the file: No such file or directory" "$dir/err"; then
    ok "a missing folder: exit 1"
else
    bad "a missing folder: exit $rc: $(cat "$dir/err")"
fi

# A size warning before writing gigabytes, from check and from render.
if "$bin" check "$dir/long.cfg" --no-voice 2>&1 >/dev/null | grep -q "warning: a WAV render .* GB"; then
    ok "check warns of a multi-GB WAV"
else
    bad "check gives no size warning: $("$bin" check "$dir/long.cfg" --no-voice 2>&1 >/dev/null)"
fi

# A progress bar on a terminal, and not in a pipe.
if command -v script >/dev/null; then
    script -qec "timeout -s INT 3 '$bin' render '$dir/long.cfg' -o '$dir/bar.flac' --no-voice" /dev/null >"$dir/tty" 2>&1
    if grep -q 'warning: .*bar.flac will take about' "$dir/tty" && grep -Eq '\[#*\.*\] +[0-9]+%  [0-9:.]+ of 2:01:4[0-9.]+  [0-9]+x real time' "$dir/tty"; then
        ok "a terminal shows the warning and a progress bar: $(tr '\r' '\n' <"$dir/tty" | grep -m1 -E '^\[')"
    else
        bad "no progress bar on a terminal: $(tr '\r' '\n' <"$dir/tty" | head -5)"
    fi
else
    echo "skip: no script(1) to stand in for a terminal"
fi
timeout -s INT 3 "$bin" render "$dir/long.cfg" -o "$dir/bar.flac" --no-voice 2>"$dir/err"
if grep -q '%' "$dir/err"; then bad "a progress bar in a pipe"; else ok "no progress bar in a pipe"; fi

# Past 4 GiB a WAV is RF64, and reads back whole (2:01:43 at 192 kHz).
if [ "$(df --output=avail -B1 "$dir" | tail -1)" -gt 7000000000 ]; then
    "$bin" render "$dir/long.cfg" -o "$dir/big.wav" --quiet --no-voice
    rc=$?
    magic=$(head -c 4 "$dir/big.wav")
    len=$(ffprobe -v error -show_entries stream=duration_ts -of csv=p=0 "$dir/big.wav")
    if [ $rc = 0 ] && [ "$magic" = RF64 ] && [ "$len" = 1402195200 ]; then
        ok "a 5.6 GB WAV is RF64 and reads back as all 1402195200 frames"
    else
        bad "5.6 GB WAV: exit $rc, magic $magic, $len frames"
    fi
    rm -f "$dir/big.wav"
    "$bin" render "$short" -o "$dir/small.wav" --quiet
    [ "$(head -c 4 "$dir/small.wav")" = RIFF ] && ok "a small WAV stays plain RIFF" || bad "a small WAV is $(head -c 4 "$dir/small.wav")"
else
    echo "skip: under 7 GB free for the RF64 render"
fi

echo "test_render_faults: $passed passed, $failed failed"
[ $failed = 0 ]
