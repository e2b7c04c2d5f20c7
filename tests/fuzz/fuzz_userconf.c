/* libFuzzer target: any bytes as the personal config, through the reader
 * every play and remind uses, and through the --device rewrite.  The
 * property: when the config loads and the rewrite succeeds, the rewritten
 * file loads too, with the new device and one device setting (the rewrite
 * once appended a second and broke the file for good). */
#include "userconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/calfpace-fuzz-userconf-XXXXXX";
static char path[256], part[256];

static void remove_dir(void)
{
    unlink(path);
    unlink(part);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
        snprintf(path, sizeof path, "%s/calfpace.cfg", dir);
        snprintf(part, sizeof part, "%s/part.cfg", dir);
        FILE *f = fopen(part, "w"); /* something to @include "part.cfg" */
        if (f) {
            fputs("volume = 1.0;\n", f);
            fclose(f);
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct userconf u;
    char err[2048] = "";
    if (userconf_load(path, &u, err, sizeof err) != 0) {
        if (!err[0])
            abort(); /* a refusal always says why */
        return 0;
    }
    if (userconf_save_device(path, "fuzz dev", err, sizeof err) != 0) {
        if (!err[0])
            abort();
        return 0;
    }
    if (userconf_load(path, &u, err, sizeof err) != 0 || strcmp(u.device, "fuzz dev") != 0) {
        fprintf(stderr, "the rewritten config does not load: %s\n", err);
        abort();
    }
    return 0;
}
