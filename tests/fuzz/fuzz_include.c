/* libFuzzer target: the include resolver.  The input is split at each
 * "\n==\n" into up to four files, a.cfg (the top one) to d.cfg, in an empty
 * folder, so they can include each other and themselves in every way.
 * cfgtext must resolve them within its budgets or refuse with a message,
 * never crash, hang or leak, and every line of the pasted text must map
 * back to a line of one of the files. */
#include "cfgtext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/calfpace-fuzz-include-XXXXXX";
static const char *const names[] = {"a.cfg", "b.cfg", "c.cfg", "d.cfg"};

static void remove_dir(void)
{
    char p[300];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
        ready = 1;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (strlen(text) != size) { /* NUL bytes: routine_load refuses them first */
        free(text);
        return 0;
    }
    char *part[4] = {text, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
        char *sep = strstr(part[i - 1], "\n==\n");
        if (!sep)
            break;
        *sep = '\0';
        part[i] = sep + 4;
    }
    char p[300];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
        if (i > 0 && part[i]) {
            FILE *f = fopen(p, "w");
            if (!f)
                abort();
            fputs(part[i], f);
            fclose(f);
        }
    }
    snprintf(p, sizeof p, "%s/a.cfg", dir);
    char err[1024] = "";
    struct cfgtext *t = cfgtext_expand(part[0], p, dir, "routine", err, sizeof err);
    if (!t) {
        if (!err[0])
            abort();
        free(text);
        return 0;
    }
    const char *out = cfgtext_text(t);
    if (strlen(out) > CFGTEXT_BYTES_MAX)
        abort();
    int lines = 1;
    for (const char *q = out; *q; q++)
        lines += *q == '\n';
    for (int l = 1; l <= lines; l++) {
        int fl = 0;
        const char *file = cfgtext_where(t, l, &fl);
        if (!file || fl < 1)
            abort();
    }
    config_t cfg;
    config_init(&cfg);
    if (cfgtext_parse(t, &cfg, "", err, sizeof err) != 0 && !err[0])
        abort();
    config_destroy(&cfg);
    cfgtext_destroy(t);
    free(text);
    return 0;
}
