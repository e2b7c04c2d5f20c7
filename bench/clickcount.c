/* clickcount: count the clicks in a sound file and print where the tempo starts and ends.
 *
 *   clickcount FILE [THRESHOLD]
 *
 * A click starts at the first frame whose largest channel magnitude exceeds
 * THRESHOLD (default 0.01) after at least 100 ms at or below it.  Prints one
 * line of key=value pairs: channels, rate, frames, seconds, clicks, the first
 * and last click's frame, and the tempo (bpm) of the first and last interval.
 * A benchmark helper for bench/run.sh, not a test. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: clickcount FILE [THRESHOLD]\n");
        return 2;
    }
    float threshold = argc > 2 ? strtof(argv[2], NULL) : 0.01f;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(argv[1], SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "clickcount: %s: %s\n", argv[1], sf_strerror(NULL));
        return 1;
    }
    enum { BLOCK = 65536 };
    float *buf = malloc((size_t)BLOCK * (size_t)info.channels * sizeof *buf);
    if (!buf)
        return 1;
    long long min_gap = info.samplerate / 10;
    long long quiet = min_gap, frame = 0, clicks = 0;
    long long first = -1, second = -1, before_last = -1, last = -1;
    sf_count_t n;
    while ((n = sf_readf_float(f, buf, BLOCK)) > 0) {
        for (sf_count_t i = 0; i < n; i++, frame++) {
            float a = 0.0f;
            for (int c = 0; c < info.channels; c++) {
                float v = fabsf(buf[i * info.channels + c]);
                if (v > a)
                    a = v;
            }
            if (a > threshold) {
                if (quiet >= min_gap) {
                    clicks++;
                    if (first < 0)
                        first = frame;
                    else if (second < 0)
                        second = frame;
                    before_last = last;
                    last = frame;
                }
                quiet = 0;
            } else {
                quiet++;
            }
        }
    }
    sf_close(f);
    free(buf);
    double rate = info.samplerate;
    double bpm_first = second > first ? 60.0 * rate / (double)(second - first) : 0.0;
    double bpm_last = last > before_last && before_last >= 0 ? 60.0 * rate / (double)(last - before_last) : 0.0;
    printf("channels=%d rate=%d frames=%lld seconds=%.3f clicks=%lld first_click=%lld "
           "last_click=%lld first_bpm=%.2f last_bpm=%.2f\n",
           info.channels, info.samplerate, (long long)frame, (double)frame / rate, clicks, first,
           last, bpm_first, bpm_last);
    return 0;
}
