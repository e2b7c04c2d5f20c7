/* onsets_tool RAW MODE: the onsets in a raw s16le stereo 48 kHz recording,
 * one frame number a line.  MODE "side" looks at left minus right (clicks
 * panned hard to one side, with centred speech cancelled out); "right" at the
 * right channel alone.  Used by the live key, reload and signal tests. */
#include "onset.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "side") != 0 && strcmp(argv[2], "right") != 0)) {
        fprintf(stderr, "usage: onsets_tool RAW side|right\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    int side = strcmp(argv[2], "side") == 0;
    struct onsets o = {0};
    struct onset_state st = {0};
    int16_t in[2 * 4096];
    float y[4096];
    int64_t pos = 0;
    size_t n;
    while ((n = fread(in, 4, 4096, f)) > 0) {
        for (size_t i = 0; i < n; i++)
            y[i] = side ? (float)(in[2 * i] - in[2 * i + 1]) / 32768.0f
                        : (float)in[2 * i + 1] / 32768.0f;
        onset_scan(&o, &st, y, (int64_t)n, 1, 0, pos, side ? 0.05f : 0.02f, side ? 480 : 9600);
        pos += (int64_t)n;
    }
    fclose(f);
    for (size_t i = 0; i < o.n; i++)
        printf("%lld\n", (long long)o.frame[i]);
    onsets_free(&o);
    return 0;
}
