/* libFuzzer target: any bytes as the history file, through the reader that
 * 'calfpace stats' uses.  The property: one validation for both sides, so
 * every record the reader accepts the writer writes again and the reader
 * reads back, equal to a tenth. */
#include "history.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/calfpace-fuzz-history-XXXXXX";
static char in[256], out[256];

static void remove_dir(void)
{
    unlink(in);
    unlink(out);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!in[0]) {
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
        snprintf(in, sizeof in, "%s/in.tsv", dir);
        snprintf(out, sizeof out, "%s/out.tsv", dir);
    }
    FILE *f = fopen(in, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct history_record *recs = NULL, *back = NULL;
    size_t n = 0, n_back = 0;
    char err[512] = "";
    if (history_load(in, &recs, &n, NULL, NULL, err, sizeof err) != 0)
        abort(); /* a regular file always loads, broken lines skipped */
    unlink(out);
    for (size_t i = 0; i < n; i++)
        if (history_append(out, &recs[i], err, sizeof err) != 0) {
            fprintf(stderr, "record %zu read but not written: %s\n", i, err);
            abort();
        }
    if (history_load(out, &back, &n_back, NULL, NULL, err, sizeof err) != 0 || n_back != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if (back[i].start != recs[i].start || fabs(back[i].planned - recs[i].planned) > 0.051 ||
            back[i].steps_done != recs[i].steps_done || back[i].ended != recs[i].ended ||
            back[i].steps_skipped != recs[i].steps_skipped)
            abort();
    history_free(recs);
    history_free(back);
    return 0;
}
