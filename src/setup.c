#include "setup.h"

#include "out_file.h"
#include "paths.h"
#include "speech.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *setup_lang(const struct routine *r, const struct setup_choice *c)
{
    if (c->lang)
        return c->lang;
    if (r->voice[0])
        return r->voice;
    return c->lang_default ? c->lang_default : "en";
}

void setup_add_dirs(struct clip_bank *b, const struct routine *r, const char *sounds,
                    const char *lang)
{
    char dir[4096], user[2048], data[1024];
    int other = lang && strcmp(lang, "en") != 0;
    int have_data = paths_data_dir(data, sizeof data) == 0;
    paths_user_sounds_dir(user, sizeof user);
    clip_bank_clear_dirs(b); /* this routine's folders, not the last one's */
    if (r->sounds_dir[0])
        clip_bank_add_dir(b, r->sounds_dir);
    if (sounds)
        clip_bank_add_dir(b, sounds);
    if (other) {
        snprintf(dir, sizeof dir, "%s/%s", user, lang);
        if (access(dir, R_OK) == 0)
            clip_bank_add_dir(b, dir);
        if (have_data) {
            snprintf(dir, sizeof dir, "%s/sounds/%s", data, lang);
            clip_bank_add_dir(b, dir);
        }
    }
    if (access(user, R_OK) == 0)
        clip_bank_add_dir(b, user);
    if (have_data) {
        snprintf(dir, sizeof dir, "%s/sounds", data);
        clip_bank_add_dir(b, dir);
    }
}

/* Takes R (freed on failure) to a plan. */
static struct engine_plan *plan_of(struct routine *r, const char *path,
                                   const struct setup_choice *c, struct clip_bank **bank,
                                   struct cp_error *e)
{
    /* A fault found here is the routine's or the choice's, unless said. */
    char *err = e->msg;
    size_t errlen = sizeof e->msg;
    e->kind = CP_BAD_INPUT;
    if (c->render_to)
        r->rate = out_file_rate_for(c->render_to, r->rate);
    if (*bank && clip_bank_rate(*bank) != r->rate) {
        snprintf(err, errlen,
                 "%s: rate is %d but the session plays at %d Hz; a new rate takes "
                 "a restart",
                 path, r->rate, clip_bank_rate(*bank));
        routine_destroy(r);
        return NULL;
    }
    if (!*bank && !(*bank = clip_bank_create(r->rate))) {
        cp_fail(e, CP_RUNTIME, "out of memory");
        routine_destroy(r);
        return NULL;
    }
    const char *lang = setup_lang(r, c);
    if (!routine_voice_known(lang)) {
        snprintf(err, errlen,
                 "calfpace: voice \"%s\" is not a language calfpace speaks (allowed: "
                 "en, de)",
                 lang);
        routine_destroy(r);
        return NULL;
    }
    if (c->volume_db != 0.0) {
        r->clicks_db += c->volume_db;
        r->voice_db += c->volume_db;
    }
    /* Words of the routine's own, spoken once and kept; none when silent. */
    int spoken = 0;
    if (c->voice && speech_prepare(r, lang, &spoken, err, errlen) != 0) {
        routine_destroy(r);
        return NULL;
    }
    setup_add_dirs(*bank, r, c->sounds, lang);
    if (c->voice) {
        char dir[1024];
        speech_cache_dir(dir, sizeof dir);
        if (access(dir, R_OK) == 0)
            clip_bank_add_dir(*bank, dir);
    }
    struct engine_plan *p = c->first ? engine_plan_create_first(r, *bank, c->voice, err, errlen)
                                     : engine_plan_create(r, *bank, c->voice, err, errlen);
    if (!p) {
        routine_destroy(r);
        return NULL;
    }
    engine_plan_set_output(p, c->mono, c->balance);
    cp_error_clear(e);
    return p;
}

struct engine_plan *setup_plan(const char *path, const struct setup_choice *c,
                               struct clip_bank **bank, struct cp_error *err)
{
    err->kind = CP_BAD_INPUT;
    struct routine *r = routine_load(path, err->msg, sizeof err->msg);
    if (!r)
        return NULL;
    return plan_of(r, path, c, bank, err);
}

struct engine_plan *setup_plan_text(const char *text, const char *name,
                                    const struct setup_choice *c, struct clip_bank **bank,
                                    struct cp_error *err)
{
    err->kind = CP_BAD_INPUT;
    struct routine *r = routine_parse(text, name, err->msg, sizeof err->msg);
    if (!r)
        return NULL;
    return plan_of(r, name, c, bank, err);
}
