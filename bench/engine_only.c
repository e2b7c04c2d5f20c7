/* engine_only: how fast calfpace's engine renders a routine with no file and
 * no device, to separate the engine's share of a render from libsndfile's and
 * the kernel's.  Renders in blocks of 4096 frames (as out_file.c does) into
 * memory, best of N runs.
 *
 *   engine_only ROUTINE SOUNDS_DIR [--no-voice] [RUNS]
 *
 * Prints: frames=... seconds=... best_s=... x_realtime=...
 * A benchmark helper for bench/run.sh, linked against libcalfpace_core.a.
 * It uses the engine's internal API (engine_plan_create, engine_create),
 * which may change: bench/run.sh skips this figure when it does not build. */
#include "clips.h"
#include "engine.h"
#include "routine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: engine_only ROUTINE SOUNDS_DIR [--no-voice] [RUNS]\n");
        return 2;
    }
    int voice = 1, runs = 5;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--no-voice") == 0)
            voice = 0;
        else
            runs = atoi(argv[i]);
    }
    char err[2048];
    enum { BLOCK = 4096 };
    float *block = malloc(BLOCK * 2 * sizeof *block);
    double best = 1e30, checksum = 0.0;
    int rate = 1;
    long long frames = 0;
    for (int run = 0; run < runs; run++) {
        struct routine *r = routine_load(argv[1], err, sizeof err);
        if (!r) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        rate = r->rate;
        struct clip_bank *bank = clip_bank_create(r->rate);
        clip_bank_add_dir(bank, argv[2]);
        struct engine_plan *plan = engine_plan_create(r, bank, voice, err, sizeof err);
        if (!plan) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        struct engine *e = engine_create(plan, 1.0); /* owns the plan and the routine */
        frames = 0;
        double t0 = now();
        for (;;) {
            int n = engine_render(e, block, BLOCK);
            if (n <= 0)
                break;
            checksum += block[0] + block[2 * n - 1];
            frames += n;
            if (n < BLOCK)
                break;
        }
        double took = now() - t0;
        if (took < best)
            best = took;
        engine_destroy(e);
        clip_bank_destroy(bank);
    }
    double secs = (double)frames / rate;
    printf("frames=%lld seconds=%.3f best_s=%.4f x_realtime=%.0f checksum=%g\n", frames, secs, best,
           best > 0 ? secs / best : 0.0, checksum);
    free(block);
    return 0;
}
