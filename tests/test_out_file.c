/* The file output through the output interface (output.h), as render drives
 * it: a block a pump until the session's end, then finish.  What each way of
 * failing leaves behind and which kind of error it reports: a name no file
 * can have is bad input, a folder that cannot take the file a runtime
 * failure, a cancel an interruption; in none of them a file or a partial
 * one stays on disk. */
#include "check.h"
#include "cp_error.h"
#include "engine.h"
#include "out_file.h"
#include "output.h"
#include "render_util.h"
#include "setup.h"

#include <dirent.h>
#include <signal.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static const char *routine_text = "name = \"two\"; rate = 22050;\n"
                                  "steps = ( { type = \"paced\"; seconds = 2.0; tempo = 60; "
                                  "sounds = [ \"click\" ]; lead_in = 0.0; } );\n";

static struct engine *make_engine(struct clip_bank **bank)
{
    char sounds[1024];
    struct cp_error err;
    const char *src = getenv("CALFPACE_SOURCE");
    snprintf(sounds, sizeof sounds, "%s/sounds", src ? src : ".");
    struct setup_choice c = {.sounds = sounds};
    struct engine_plan *p = setup_plan_text(routine_text, "two.cfg", &c, bank, &err);
    CHECK(p != NULL, "plan: %s", err.msg);
    if (!p)
        exit(1);
    return engine_create(p, 1.0);
}

/* Files in the test folder: whatever a render left, partial ones included. */
static int files_left(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Open, start, pump to the end, finish: RC of finish, the kind in *ERR. */
static int render(const char *path, struct out_file_options *fo, struct cp_error *err,
                  int64_t *frames, int *pumps)
{
    struct clip_bank *bank = NULL;
    struct engine *e = make_engine(&bank);
    struct output out = {0};
    struct output_params op = {.path = path, .file = fo};
    int rc = output_open(&out, &out_file_ops, e, &op, err);
    *pumps = 0;
    if (rc == 0 && (rc = output_start(&out, err)) == 0) {
        while (output_active(&out)) {
            output_pump(&out);
            ++*pumps;
        }
        rc = output_finish(&out, err);
    }
    struct output_stats st;
    output_stats(&out, &st);
    *frames = st.frames;
    output_close(&out);
    engine_destroy(e);
    clip_bank_destroy(bank);
    return rc;
}

static void test_whole(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/whole.wav", dir);
    struct out_file_options fo = {0};
    struct cp_error err;
    int64_t frames = 0;
    int pumps = 0;
    int rc = render(path, &fo, &err, &frames, &pumps);
    CHECK(rc == 0, "a whole render: %s", err.msg);
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    CHECK(f && info.frames == frames && info.samplerate == 22050 && info.channels == 2,
          "the file holds the frames the output reports (%lld, %lld)",
          (long long)(f ? info.frames : -1), (long long)frames);
    if (f)
        sf_close(f);
    /* 2 s at 22050 Hz in blocks of 4096: the last block is shorter. */
    CHECK(frames >= 2 * 22050 && pumps == (int)(frames / 4096) + 1,
          "a block a pump: %d pumps for %lld frames", pumps, (long long)frames);
    CHECK(files_left() == 1, "only the file itself is left (%d)", files_left());
    unlink(path);
    printf("ok: a render through out_file_ops is whole: %lld frames in %d pumps\n",
           (long long)frames, pumps);
}

static void test_kinds(void)
{
    char path[512];
    struct out_file_options fo = {0};
    struct cp_error err;
    int64_t frames;
    int pumps;

    snprintf(path, sizeof path, "%s/x.mp4", dir);
    CHECK(render(path, &fo, &err, &frames, &pumps) != 0 && err.kind == CP_BAD_INPUT &&
              strstr(err.msg, "unknown file type"),
          "an unknown extension is bad input: %s (%s)", err.msg, cp_err_kind_name(err.kind));

    snprintf(path, sizeof path, "%s/no/such/x.wav", dir);
    CHECK(render(path, &fo, &err, &frames, &pumps) != 0 && err.kind == CP_RUNTIME &&
              strstr(err.msg, "cannot create the file"),
          "a missing folder is a runtime failure: %s (%s)", err.msg,
          cp_err_kind_name(err.kind));

    volatile sig_atomic_t cancel = SIGINT;
    fo.cancel = &cancel;
    snprintf(path, sizeof path, "%s/cut.flac", dir);
    CHECK(render(path, &fo, &err, &frames, &pumps) != 0 && err.kind == CP_INTERRUPTED &&
              frames == 0,
          "a cancel before the first block interrupts: %s (%s), %lld frames", err.msg,
          cp_err_kind_name(err.kind), (long long)frames);
    CHECK(strstr(fo.partial, "cut.flac.partial-") != NULL, "the partial name is told: %s",
          fo.partial);
    CHECK(files_left() == 0, "nothing is left behind (%d files)", files_left());
    printf("ok: bad input, runtime and interrupted are told apart, nothing left behind\n");
}

/* Closed before finish (a caller that gives up): the partial file goes. */
static void test_closed_early(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/early.ogg", dir);
    struct clip_bank *bank = NULL;
    struct engine *e = make_engine(&bank);
    struct out_file_options fo = {0};
    struct output out = {0};
    struct output_params op = {.path = path, .file = &fo};
    struct cp_error err;
    CHECK(output_open(&out, &out_file_ops, e, &op, &err) == 0 && output_start(&out, &err) == 0,
          "open and start: %s", err.msg);
    output_pump(&out);
    CHECK(files_left() == 1 && access(fo.partial, F_OK) == 0, "while it renders, a partial file");
    output_close(&out);
    CHECK(files_left() == 0, "closed unfinished, nothing is left (%d files)", files_left());
    engine_destroy(e);
    clip_bank_destroy(bank);
    printf("ok: an output closed before its finish leaves no file\n");
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "out-file");
    test_whole();
    test_kinds();
    test_closed_early();
    tmp_cleanup(dir);
    return CHECK_DONE("test_out_file");
}
