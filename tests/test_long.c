/* Hours at a low sample rate, through the engine block by block exactly as
 * the live callback calls it: the last click of a three-hour session lands
 * on the same sample the tempo math gives it, so nothing drifts.  97 bpm at
 * 8 kHz is 4948.45... frames a beat, so any accumulation of rounded
 * intervals would be off by thousands of samples by the end. */
#include "check.h"
#include "clips.h"
#include "engine.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"
#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char dir[256], path[512], err[2048];
    tmp_dir(dir, sizeof dir, "long");
    snprintf(path, sizeof path, "%s/imp.wav", dir);
    write_click(path, 8000, 0.8f, 24);
    snprintf(path, sizeof path, "%s/long.cfg", dir);
    const char *text = "name = \"Three hours\";\n"
                       "rate = 8000;\n"
                       "sounds_dir = \".\";\n"
                       "volume = { clicks = 0.0; };\n"
                       "steps = ( { type = \"paced\"; tempo = 97.0; seconds = 10800.0;\n"
                       "            sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n";
    struct routine *r = routine_parse(text, path, err, sizeof err);
    CHECK(r != NULL, "routine: %s", err);
    if (!r)
        return CHECK_DONE("test_long");
    struct clip_bank *bank = clip_bank_create(r->rate);
    clip_bank_add_dir(bank, r->sounds_dir);
    setup_add_dirs(bank, r, NULL, "en"); /* the standard click, for feedback */
    struct engine_plan *plan = engine_plan_create(r, bank, 0, err, sizeof err);
    CHECK(plan != NULL, "plan: %s", err);
    if (!plan)
        return CHECK_DONE("test_long");
    struct engine *e = engine_create(plan, 1.0);

    struct onsets on = {0};
    struct onset_state st = {0};
    /* Odd block sizes, as a device may ask for, so events fall mid-block. */
    static float block[2 * 1031];
    int64_t pos = 0;
    for (int i = 0;; i++) {
        int want = i % 2 ? 1031 : 256;
        int n = engine_render(e, block, want);
        onset_scan(&on, &st, block, n, 2, 0, pos, 0.02f, 200);
        pos += n;
        if (n < want)
            break;
    }
    struct expected_beat *x;
    size_t n = expected_beats(r, &x);
    CHECK(n == 17460, "3 h at 97 bpm: 17460 beats, planned %zu", n);
    CHECK(on.n == n, "heard %zu beats", on.n);
    size_t exact = 0;
    for (size_t i = 0; i < n && i < on.n; i++)
        if (on.frame[i] == x[i].frame)
            exact++;
    CHECK(exact == n, "%zu of %zu on their planned sample", exact, n);
    int64_t naive = (int64_t)(0.1 * 8000) + (int64_t)(n - 1) * (int64_t)(60.0 / 97.0 * 8000);
    printf("3 h at 97 bpm, 8 kHz: %zu beats, %zu exact; last at %lld (accumulating truncated "
           "intervals would put it at %lld)\n",
           n, exact, (long long)(on.n ? on.frame[on.n - 1] : -1), (long long)naive);
    CHECK(pos >= x[n - 1].frame, "the session ran to its end: %lld frames", (long long)pos);
    free(x);
    onsets_free(&on);
    engine_destroy(e); /* and with it the plan and the routine */
    clip_bank_destroy(bank);
    tmp_cleanup(dir);
    return CHECK_DONE("test_long");
}
