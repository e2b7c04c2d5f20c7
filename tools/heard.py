#!/usr/bin/python3
"""heard.py: how well a stand-in listener hears calfpace's spoken cues.

The listener is pocketsphinx with its en-us acoustic model, restricted to a
closed set: a JSGF grammar whose only sentences are the phrases of
sounds/phrases.tsv.  A clip counts as heard when the recogniser picks its own
phrase.  Noise is speech-shaped: random-phase noise with the long-term
average spectrum of the clips under test (the classical masker of speech
audiometry), mixed at a fixed speech-to-noise ratio (RMS of the clip against
RMS of the noise over the same samples).  Everything is seeded, so a run is
repeatable to the clip.

Used by tools/choose-voice.py (which voice to ship) and by the test suite
(tests/test_heard.sh: the shipped clips at +5 dB).

    heard.py [--snr DB ...] [--min-fraction F] [--jobs N] CLIPDIR

scores every CLIPDIR/NAME.ogg (or .wav, .flac) named in sounds/phrases.tsv
and exits 1 when a --snr condition hears fewer than --min-fraction of them.
Needs: python3-pocketsphinx, pocketsphinx-en-us, python3-numpy, sox.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

RATE = 16000                  # the en-us model's rate
PAD = 0.3                     # s of silence (or noise) before and after a clip
MODEL = "/usr/share/pocketsphinx/model/en-us"
HERE = os.path.dirname(os.path.abspath(__file__))
PHRASES = os.path.join(HERE, "..", "sounds", "phrases.tsv")
# Words of the cues that cmudict lacks, in its phone set.
EXTRA_WORDS = {"config": "K AA N F IH G"}


def read_phrases(path=PHRASES):
    """[(name, text)] from a phrases.tsv (NAME<TAB>TEXT, # comments)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            name, text = line.split("\t", 1)
            out.append((name.strip(), text.strip()))
    return out


def words(text):
    """The words a listener hears: lower case, no punctuation, hyphens split."""
    t = text.lower().replace("-", " ")
    t = re.sub(r"[^a-z' ]", " ", t)
    return " ".join(t.split())


def read_audio(path):
    """A clip as float64 mono at RATE (decoded and resampled by sox)."""
    raw = subprocess.run(
        ["sox", "-R", "-V1", path, "-t", "raw", "-e", "floating-point", "-b", "32",
         "-c", "1", "-r", str(RATE), "-"],
        check=True, stdout=subprocess.PIPE).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


class Listener:
    """pocketsphinx in a closed set of phrases."""

    def __init__(self, phrases, workdir):
        from pocketsphinx import Decoder
        sentences = sorted({words(t) for _, t in phrases})
        vocab = sorted({w for s in sentences for w in s.split()})
        dict_lines = {}
        with open(os.path.join(MODEL, "cmudict-en-us.dict"), encoding="utf-8") as f:
            for line in f:
                head = line.split(" ", 1)[0]
                base = re.sub(r"\(\d+\)$", "", head)
                if base in vocab:
                    dict_lines.setdefault(base, []).append(line)
        for w, phones in EXTRA_WORDS.items():
            if w in vocab and w not in dict_lines:
                dict_lines[w] = ["%s %s\n" % (w, phones)]
        missing = [w for w in vocab if w not in dict_lines]
        if missing:
            raise SystemExit("heard.py: words not in the en-us dictionary: " + " ".join(missing))
        dic = os.path.join(workdir, "cues.dict")
        with open(dic, "w", encoding="utf-8") as f:
            for w in vocab:
                f.writelines(dict_lines[w])
        gram = os.path.join(workdir, "cues.gram")
        with open(gram, "w", encoding="utf-8") as f:
            f.write("#JSGF V1.0;\ngrammar cues;\npublic <cue> =\n    ")
            f.write("\n  | ".join(sentences))
            f.write(" ;\n")
        config = Decoder.default_config()
        config.set_string("-hmm", os.path.join(MODEL, "en-us"))
        config.set_string("-dict", dic)
        config.set_string("-jsgf", gram)
        config.set_string("-logfn", os.devnull)
        self.decoder = Decoder(config)

    def hear(self, x):
        """The phrase (as words) the listener picks for float samples x."""
        pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2").tobytes()
        d = self.decoder
        d.start_utt()
        d.process_raw(pcm, False, True)
        d.end_utt()
        h = d.hyp()
        return h.hypstr if h is not None else ""


def ltass(clips, nfft=1024):
    """Long-term average power spectrum (Welch, Hann windows, half overlap)."""
    acc = np.zeros(nfft // 2 + 1)
    n = 0
    win = np.hanning(nfft)
    for x in clips:
        for s in range(0, len(x) - nfft + 1, nfft // 2):
            acc += np.abs(np.fft.rfft(x[s:s + nfft] * win)) ** 2
            n += 1
    return acc / max(n, 1)


def speech_shaped_noise(spectrum, seconds, seed):
    """Random-phase noise with the given long-term power spectrum, unit RMS."""
    n = int(seconds * RATE)
    rng = np.random.default_rng(seed)
    freqs = np.fft.rfftfreq(n, 1.0 / RATE)
    sfreqs = np.linspace(0.0, RATE / 2.0, len(spectrum))
    mag = np.sqrt(np.interp(freqs, sfreqs, spectrum))
    mag[0] = 0.0
    phase = rng.uniform(0.0, 2.0 * np.pi, len(freqs))
    noise = np.fft.irfft(mag * np.exp(1j * phase), n)
    return noise / np.sqrt(np.mean(noise ** 2))


def mix(clip, noise, snr_db, offset):
    """clip padded by PAD s each side, with noise at snr_db (None: quiet)."""
    pad = np.zeros(int(PAD * RATE))
    x = np.concatenate([pad, clip, pad])
    if snr_db is None:
        return x
    rms = np.sqrt(np.mean(clip ** 2))
    seg = noise[offset:offset + len(x)]
    x = x + seg * rms / (10.0 ** (snr_db / 20.0))
    peak = np.max(np.abs(x))
    return x / peak * 0.7 if peak > 0.7 else x


def score(listener, phrases, clips, snrs, seeds=(10,)):
    """{snr: (heard, trials, [misheard (name, heard as)])} for clips {name:
    samples}; in noise, each clip is tried once per seed (a fresh noise
    segment each time), quiet once."""
    names = [n for n, _ in phrases if n in clips]
    spectrum = ltass([clips[n] for n in names])
    longest = max(len(clips[n]) for n in names) + 2 * int(PAD * RATE)
    text = dict(phrases)
    out = {snr: [0, 0, []] for snr in snrs}
    for seed in seeds:
        noise = speech_shaped_noise(spectrum, 60.0, seed)
        rng = np.random.default_rng(seed + 1)
        offsets = {n: int(rng.integers(0, len(noise) - longest)) for n in names}
        for snr in snrs:
            if snr is None and seed != seeds[0]:
                continue
            for n in names:
                got = listener.hear(mix(clips[n], noise, snr, offsets[n]))
                out[snr][1] += 1
                if got == words(text[n]):
                    out[snr][0] += 1
                else:
                    out[snr][2].append((n, got))
    return {snr: tuple(v) for snr, v in out.items()}


def snr_label(snr):
    return "quiet" if snr is None else "%+g dB" % snr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clipdir")
    ap.add_argument("--snr", type=float, action="append",
                    help="speech-to-noise ratio in dB (repeat; default: quiet, +10, +5)")
    ap.add_argument("--min-fraction", type=float, default=0.0,
                    help="fail when a condition hears fewer than this fraction of clips")
    ap.add_argument("--seeds", type=int, default=1,
                    help="noise segments per clip in each noisy condition (default 1)")
    ap.add_argument("--phrases", default=PHRASES)
    args = ap.parse_args()
    snrs = args.snr if args.snr else [None, 10.0, 5.0]
    phrases = read_phrases(args.phrases)
    clips = {}
    for name, _ in phrases:
        for ext in (".ogg", ".flac", ".wav"):
            p = os.path.join(args.clipdir, name + ext)
            if os.path.exists(p):
                clips[name] = read_audio(p)
                break
        else:
            print("heard.py: %s: no clip for '%s'" % (args.clipdir, name), file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        listener = Listener(phrases, tmp)
        result = score(listener, phrases, clips, snrs, seeds=tuple(range(10, 10 + args.seeds)))
    fail = False
    for snr in snrs:
        ok, total, bad = result[snr]
        frac = ok / total
        print("%s: %d of %d heard (%.1f %%)" % (snr_label(snr), ok, total, 100.0 * frac))
        for n, got in bad:
            print("    %s heard as \"%s\"" % (n, got))
        if frac < args.min_fraction:
            print("heard.py: %s: %s: only %d of %d heard, need at least %.1f %%"
                  % (args.clipdir, snr_label(snr), ok, total, 100.0 * args.min_fraction))
            fail = True
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
