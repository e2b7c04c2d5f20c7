/* libFuzzer target: any bytes as a routine file's text, through the same
 * parser and validator that `calfpace check` uses.  routine_parse must return
 * a routine or NULL with a message, never crash, leak or hang.
 *
 * The name given to routine_parse is a path inside an empty folder made once
 * per process, so relative @include lines find nothing.  Inputs that could
 * @include an absolute or parent path are skipped: including /dev/zero or
 * /dev/stdin makes any libconfig reader wait or grow forever, and that is a
 * property of the user's own file, not a bug to find here. */
#include "routine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/calfpace-fuzz-routine-XXXXXX";
static char name[256];

static void remove_dir(void)
{
    rmdir(dir);
}

static void setup(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_dir);
    snprintf(name, sizeof name, "%s/fuzz.cfg", dir);
}

static int includes_outside(const uint8_t *data, size_t size)
{
    static const char tag[] = "@include";
    for (size_t i = 0; i + sizeof tag - 1 <= size; i++)
        if (memcmp(data + i, tag, sizeof tag - 1) == 0)
            return memchr(data, '/', size) != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!name[0])
        setup();
    if (size > ROUTINE_FILE_MAX || includes_outside(data, size))
        return -1; /* routine_load refuses bigger files before parsing */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char err[1024];
    err[0] = '\0';
    struct routine *r = routine_parse(text, name, err, sizeof err);
    if (r) {
        /* Whatever loads must be in range: the sequencer trusts it. */
        if (r->n_steps < 1 || r->n_steps > ROUTINE_MAX_STEPS || r->repeat < 1 ||
            r->rate < ROUTINE_RATE_MIN || r->rate > ROUTINE_RATE_MAX)
            abort();
        for (int i = 0; i < r->n_steps; i++) {
            const struct step *st = &r->steps[i];
            if (!(st->seconds > 0.0 && st->seconds <= ROUTINE_SECONDS_MAX))
                abort();
            if (st->type == STEP_PACED &&
                (st->beats < 1 || st->n_sounds < 1 || st->n_sounds > ROUTINE_MAX_CYCLE ||
                 st->n_pan < 1 || st->n_pan > ROUTINE_MAX_CYCLE ||
                 !(st->tempo_from >= ROUTINE_TEMPO_MIN && st->tempo_from <= ROUTINE_TEMPO_MAX) ||
                 !(st->tempo_to >= ROUTINE_TEMPO_MIN && st->tempo_to <= ROUTINE_TEMPO_MAX)))
                abort();
        }
        routine_destroy(r);
    } else if (!err[0]) {
        abort(); /* a refusal always says why */
    }
    free(text);
    return 0;
}
