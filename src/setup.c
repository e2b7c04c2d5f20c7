#include "setup.h"

#include "paths.h"

#include <stdio.h>
#include <unistd.h>

void setup_add_dirs(struct clip_bank *b, const struct routine *r, const char *sounds)
{
    char dir[4096], data[2048];
    if (r->sounds_dir[0]) clip_bank_add_dir(b, r->sounds_dir);
    if (sounds) clip_bank_add_dir(b, sounds);
    paths_user_sounds_dir(dir, sizeof dir);
    if (access(dir, R_OK) == 0) clip_bank_add_dir(b, dir);
    if (paths_data_dir(data, sizeof data) == 0) {
        snprintf(dir, sizeof dir, "%s/sounds", data);
        clip_bank_add_dir(b, dir);
    }
}

struct engine_plan *setup_plan(const char *path, const char *sounds, int voice,
                               struct clip_bank **bank, char *err, size_t errlen, int *bad_input)
{
    *bad_input = 1;
    struct routine *r = routine_load(path, err, errlen);
    if (!r) return NULL;
    if (*bank && clip_bank_rate(*bank) != r->rate) {
        snprintf(err, errlen,
                 "%s: rate is %d but the session plays at %d Hz; a new rate takes "
                 "a restart",
                 path, r->rate, clip_bank_rate(*bank));
        routine_destroy(r);
        return NULL;
    }
    if (!*bank && !(*bank = clip_bank_create(r->rate))) {
        snprintf(err, errlen, "out of memory");
        *bad_input = 0;
        routine_destroy(r);
        return NULL;
    }
    setup_add_dirs(*bank, r, sounds);
    struct engine_options eo = {.voice = voice};
    struct engine_plan *p = engine_plan_create(r, *bank, &eo, err, errlen);
    if (!p) routine_destroy(r);
    return p;
}
