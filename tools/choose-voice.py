#!/usr/bin/python3
"""choose-voice.py: pick the voice for calfpace's spoken cues by measurement.

English: every phrase of sounds/phrases.tsv is spoken by each candidate
Debian voice that is installed (flite's built-in voices, festival's, espeak-ng
variants), trimmed the way sounds/make-sounds.sh trims, and scored by
tools/heard.py's listener (pocketsphinx en-us, closed set of all phrases)
quiet and in speech-shaped noise at +10, +5 and 0 dB.  Voices are ranked by
clips heard at +5 dB, then +10, then 0.

German: an en-us recogniser cannot judge German, so the espeak-ng German
variants are compared by what can be measured without a listener: the
peak-to-loudness ratio (headroom left when a clip is brought to -16 LUFS;
above 15 dB its peak would pass -1 dBFS), the share of the speech's energy in
1-4 kHz (the band that carries consonants and that a TV's low end masks
least), and the total length of the clips (they must fit the routines'
lead-ins).

    nice tools/choose-voice.py [--jobs 2] [--lang en|de|both] [--only VOICE ...] [--fx]

With --fx, every English voice is scored after the compression that
sounds/make-sounds.sh gives the shipped clips (its SPEECH_FX).

Prints Markdown tables (kept in sounds/SOURCES.md).  About 5 minutes on two
cores for both languages.
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile

import shlex

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heard  # noqa: E402

SNRS = [None, 10.0, 5.0, 0.0]
SEEDS = (10, 11, 12)          # three noise segments per clip in each noisy condition

# (label, kind, voice): kind says which synthesiser speaks it.
EN_VOICES = [
    ("flite slt", "flite", "slt"),
    ("flite kal16", "flite", "kal16"),
    ("flite kal16, 1.2 x slower", "flite", "kal16:1.2"),
    ("flite kal", "flite", "kal"),
    ("flite rms", "flite", "rms"),
    ("flite awb", "flite", "awb"),
    ("festival kal_diphone", "festival", "kal_diphone"),
    ("festival cmu_us_slt_arctic_hts", "festival", "cmu_us_slt_arctic_hts"),
    ("espeak-ng en-us", "espeak", "en-us"),
    ("espeak-ng en-us+f3", "espeak", "en-us+f3"),
    ("espeak-ng en-us+m3", "espeak", "en-us+m3"),
    ("espeak-ng en-us+klatt", "espeak", "en-us+klatt"),
    ("espeak-ng en (British)", "espeak", "en"),
]
DE_SPEED = 160


def espeak_variants():
    out = subprocess.run(["espeak-ng", "--voices=variant"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.splitlines()[1:]
    return sorted(line.split()[4].split("/")[-1] for line in out if line.split())


def available(kind, voice):
    if kind == "flite":
        voice = voice.split(":")[0]
        return shutil.which("flite") is not None and voice in subprocess.run(
            ["flite", "-lv"], stdout=subprocess.PIPE, text=True).stdout.split()
    if kind == "festival":
        return shutil.which("text2wave") is not None and any(
            os.path.isdir(os.path.join("/usr/share/festival/voices", lang, voice))
            for lang in ("english", "us"))
    return shutil.which("espeak-ng") is not None


def read_wav(path):
    """float64 mono samples and rate of a 16-bit PCM WAV."""
    import wave
    with wave.open(path, "rb") as w:
        rate, ch, n = w.getframerate(), w.getnchannels(), w.getnframes()
        x = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float64) / 32768.0
    return x.reshape(-1, ch).mean(axis=1), rate


def resample(x, rate):
    """x at heard.RATE (FFT resampling: band-limited, fine for scoring)."""
    if rate == heard.RATE or len(x) == 0:
        return x
    n = int(round(len(x) * heard.RATE / rate))
    X = np.fft.rfft(x)
    m = n // 2 + 1
    Y = np.zeros(m, dtype=complex)
    k = min(m, len(X))
    Y[:k] = X[:k]
    return np.fft.irfft(Y, n) * (n / len(x))


def trim(x, level=0.001, hold=0.005):
    """Cut leading and trailing silence the way make-sounds.sh's sox chain
    does: after normalising the peak to -3 dBFS, sound starts where HOLD s in a
    row stay above LEVEL of full scale."""
    peak = np.max(np.abs(x)) if len(x) else 0.0
    if peak <= 0:
        return x
    y = x * (10 ** (-3 / 20.0) / peak)
    loud = np.abs(y) > level
    h = max(1, int(hold * heard.RATE))
    run = np.convolve(loud.astype(np.int32), np.ones(h, dtype=np.int32), "valid") == h
    idx = np.flatnonzero(run)
    if len(idx) == 0:
        return y[:0]
    return y[idx[0]:idx[-1] + h]


def speak_all(kind, voice, phrases, tmp, speed=None):
    """{name: float samples at heard.RATE}, trimmed as make-sounds.sh trims."""
    outs = {name: os.path.join(tmp, name + ".wav") for name, _ in phrases}
    if kind == "festival":
        # one festival for all phrases: its start-up is most of its cost
        scm = os.path.join(tmp, "all.scm")
        with open(scm, "w", encoding="utf-8") as f:
            f.write("(voice_%s)\n" % voice)
            for name, text in phrases:
                t = text.replace("\\", " ").replace('"', " ")
                f.write('(utt.save.wave (utt.synth (Utterance Text "%s")) "%s" \'riff)\n'
                        % (t, outs[name]))
        subprocess.run(["festival", "-b", scm], check=True, stdout=subprocess.DEVNULL)
    else:
        for name, text in phrases:
            if kind == "flite":
                v, _, stretch = voice.partition(":")
                cmd = ["flite", "-voice", v, "-t", text, "-o", outs[name]]
                if stretch:
                    cmd += ["--setf", "duration_stretch=" + stretch]
            else:
                cmd = ["espeak-ng", "-v", voice, "-w", outs[name]]
                if speed:
                    cmd += ["-s", str(speed)]
                cmd += ["--", text]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    clips = {}
    for name, _ in phrases:
        x, rate = read_wav(outs[name])
        clips[name] = trim(resample(x, rate))
    return clips


def speech_fx():
    """The sox effects sounds/make-sounds.sh applies to every spoken clip (SPEECH_FX)."""
    path = os.path.join(os.path.dirname(heard.PHRASES), "make-sounds.sh")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("SPEECH_FX=("):
                return shlex.split(line[len("SPEECH_FX=("):line.rindex(")")])
    raise SystemExit("choose-voice.py: no SPEECH_FX=(...) in " + path)


def apply_fx(x, fx):
    """x (float at heard.RATE) through the sox effects fx."""
    fmt = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", str(heard.RATE)]
    out = subprocess.run(["sox", "-R", "-V1"] + fmt + ["-"] + fmt + ["-"] + fx,
                         input=x.astype("<f4").tobytes(), stdout=subprocess.PIPE,
                         check=True).stdout
    return np.frombuffer(out, dtype="<f4").astype(np.float64)


def score_en(job):
    label, kind, voice, seeds, fx = job
    phrases = heard.read_phrases()
    with tempfile.TemporaryDirectory() as tmp:
        clips = speak_all(kind, voice, phrases, tmp)
        if fx:
            clips = {n: apply_fx(x, fx) for n, x in clips.items()}
        listener = heard.Listener(phrases, tmp)
        res = heard.score(listener, phrases, clips, SNRS, seeds)
    secs = sum(len(c) for c in clips.values()) / heard.RATE
    return label, res, secs


def kweighted_power(x, rate):
    """Mean square of x after BS.1770's K-weighting (done in the frequency domain)."""
    n = len(x)
    f = np.fft.rfftfreq(n, 1.0 / rate)
    # shelf: about +4 dB above 1.5 kHz; high-pass: second order at 38 Hz
    shelf = 10 ** (4.0 / 20.0 * (1.0 / (1.0 + (1500.0 / np.maximum(f, 1e-9)) ** 2)))
    hp = (f / 38.0) ** 2 / np.sqrt(1.0 + (f / 38.0) ** 4)
    X = np.fft.rfft(x) * shelf * hp
    return float(np.sum(np.abs(X) ** 2) / (n * n) * 2.0)


def score_de(job):
    label, voice = job
    phrases = heard.read_phrases(os.path.join(os.path.dirname(heard.PHRASES), "de", "phrases.tsv"))
    with tempfile.TemporaryDirectory() as tmp:
        clips = speak_all("espeak", voice, phrases, tmp, DE_SPEED)
    plr, band = [], []
    for x in clips.values():
        p = kweighted_power(x, heard.RATE)
        plr.append(20 * np.log10(np.max(np.abs(x))) - 10 * np.log10(max(p, 1e-12)))
        spec = np.abs(np.fft.rfft(x)) ** 2
        f = np.fft.rfftfreq(len(x), 1.0 / heard.RATE)
        band.append(np.sum(spec[(f >= 1000) & (f < 4000)]) / max(np.sum(spec[f >= 100]), 1e-12))
    secs = sum(len(c) for c in clips.values()) / heard.RATE
    return label, float(np.median(plr)), float(np.max(plr)), float(np.median(band)), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--lang", choices=["en", "de", "both"], default="both")
    ap.add_argument("--only", action="append", help="score only voices whose label contains this")
    ap.add_argument("--seeds", type=int, default=len(SEEDS),
                    help="noise segments per clip in each noisy condition (default %d)" % len(SEEDS))
    ap.add_argument("--fx", action="store_true",
                    help="score the English voices after make-sounds.sh's compression (SPEECH_FX)")
    args = ap.parse_args()
    seeds = tuple(range(10, 10 + args.seeds))
    fx = speech_fx() if args.fx else []

    def keep(label):
        return not args.only or any(o in label for o in args.only)

    with multiprocessing.Pool(args.jobs) as pool:
        if args.lang in ("en", "both"):
            jobs = [v + (seeds, fx) for v in EN_VOICES if available(v[1], v[2]) and keep(v[0])]
            skipped = [v[0] for v in EN_VOICES if not available(v[1], v[2])]
            rows = pool.map(score_en, jobs, chunksize=1)
            def frac(r, snr):
                return r[1][snr][0] / r[1][snr][1]
            rows.sort(key=lambda r: (-frac(r, 5.0), -frac(r, 10.0), -frac(r, 0.0), r[0]))
            total = rows[0][1][None][1]
            print("English: per cent of %d clips heard (pocketsphinx en-us, closed set of all "
                  "phrases; in speech-shaped noise, %d noise segments per clip%s)\n"
                  % (total, len(seeds), "; every clip through sox " + " ".join(fx) if fx else ""))
            print("| Voice | quiet | +10 dB | +5 dB | 0 dB | seconds, all clips |")
            print("|---|---:|---:|---:|---:|---:|")

            def pc(r):
                return 100.0 * r[0] / r[1]
            for label, res, secs in rows:
                print("| %s | %.1f | %.1f | %.1f | %.1f | %.0f |" % (
                    label, pc(res[None]), pc(res[10.0]), pc(res[5.0]), pc(res[0.0]), secs))
            if skipped:
                print("\nNot installed, not scored: %s." % ", ".join(skipped))
            print("\nWinner: %s.  Its misses in quiet and at +10 dB:" % rows[0][0])
            for label, res, _ in rows[:1]:
                for snr in SNRS[:2]:
                    for n, got in res[snr][2]:
                        print("- %s: %s heard as \"%s\"" % (heard.snr_label(snr), n, got))
            print()
        if args.lang in ("de", "both"):
            jobs = [("espeak-ng de", "de")] + [("espeak-ng de+" + v, "de+" + v)
                                               for v in espeak_variants() if keep("de+" + v)]
            rows = pool.map(score_de, jobs, chunksize=1)
            shortest = min(r[4] for r in rows)
            fit = [r for r in rows if r[2] <= 15.0 and r[4] <= 1.1 * shortest]
            fit.sort(key=lambda r: -r[3])
            rows.sort(key=lambda r: -r[3])
            print("German (espeak-ng at %d words a minute): measured without a listener\n" % DE_SPEED)
            print("| Voice | median peak-to-loudness, dB | max | median share of 1-4 kHz | seconds, all clips |")
            print("|---|---:|---:|---:|---:|")
            for label, plr_med, plr_max, band, secs in rows:
                print("| %s | %.1f | %.1f | %.2f | %.0f |" % (label, plr_med, plr_max, band, secs))
            print("\nWinner (max peak-to-loudness <= 15 dB, length within 10 %% of the shortest, "
                  "then the largest 1-4 kHz share): %s" % (fit[0][0] if fit else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
