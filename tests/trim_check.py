#!/usr/bin/python3
"""trim_check.py RAWDIR SOUNDDIR: no shipped clip starts after its speech does.

RAWDIR holds the untrimmed synthesis of every phrase (sounds/make-sounds.sh
--raw RAWDIR), SOUNDDIR the shipped clips.  For each clip, the shipped audio is
found in the raw synthesis (cross-correlation of its first 300 ms), and the
raw synthesis's own speech onset is found independently of make-sounds.sh's
rule: the first 5 ms window whose RMS is 6 dB above the synthesiser's
background and within 50 dB of its loudest window.  The background is the
level that nine in ten of the windows more than 40 dB under the loudest stay
under (diphone voices fill pauses with recorded room noise that flickers
between -70 and -44 dB; espeak-ng with digital silence, which is left out).  A clip fails when it starts
after that onset: the first 20 ms of its speech (the consonant) would be cut.
"""
import os
import subprocess
import sys

import numpy as np


def read(path, rate=48000):
    raw = subprocess.run(["sox", "-R", "-V1", path, "-t", "raw", "-e", "floating-point", "-b", "32",
                          "-c", "1", "-r", str(rate), "-"], check=True,
                         stdout=subprocess.PIPE).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


def window_rms(x, rate=48000):
    win, hop = rate // 200, rate // 1000
    c = np.concatenate([[0.0], np.cumsum(x * x)])
    starts = np.arange(0, max(len(x) - win, 0) + 1, hop)
    return starts, np.sqrt((c[starts + win] - c[starts]) / win)


def onset(x):
    starts, rms = window_rms(x)
    top = rms.max()
    background = rms[(rms > 0) & (rms < top * 10 ** (-40 / 20.0))]
    floor = np.percentile(background, 90) if len(background) else 0.0
    level = max(floor * 10 ** (6 / 20.0), top * 10 ** (-50 / 20.0))
    return int(starts[np.argmax(rms > level)])


def locate(clip, raw):
    """Where clip starts in raw (the lag of the best normalised match)."""
    n = min(len(clip), 14400)
    a = clip[:n]
    size = 1 << int(np.ceil(np.log2(len(raw) + n)))
    corr = np.fft.irfft(np.fft.rfft(raw, size) * np.conj(np.fft.rfft(a, size)), size)
    lags = np.arange(0, len(raw) - n + 1)
    c = np.concatenate([[0.0], np.cumsum(raw * raw)])
    energy = np.sqrt(c[lags + n] - c[lags]) + 1e-12
    return int(lags[np.argmax(corr[lags] / energy)])


def main():
    rawdir, sounddir = sys.argv[1], sys.argv[2]
    bad = checked = 0
    worst = (-1e9, "")
    for sub in ("", "de"):
        for f in sorted(os.listdir(os.path.join(rawdir, sub) if sub else rawdir)):
            if not f.endswith(".wav"):
                continue
            name = os.path.join(sub, f[:-4]) if sub else f[:-4]
            raw = read(os.path.join(rawdir, name + ".wav"))
            clip = read(os.path.join(sounddir, name + ".ogg"))
            start, on = locate(clip, raw), onset(raw)
            checked += 1
            late_ms = (start - on) / 48.0
            worst = max(worst, (late_ms, name))
            if start > on + 48:
                bad += 1
                print("%s: the clip starts %.1f ms after its speech (sample %d of the synthesis, "
                      "speech from %d): its consonant is cut" % (name, late_ms, start, on))
    print("%d clips checked; latest start relative to the speech onset: %.1f ms (%s)"
          % (checked, worst[0], worst[1]))
    if checked == 0:
        print("no clips found in %s" % rawdir)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
