#include "engine_run.h"

#include "routine.h"
#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const engine_run_quiet =
    "guidance = { lengths = false; countdown = false; halfway = false; remaining = false;\n"
    "             transitions = false; closing = false; };\n";

struct engine_plan *engine_run_plan(struct engine_run *s, const char *body)
{
    char path[512], text[4096], err[2048];
    snprintf(path, sizeof path, "%s/t.cfg", s->dir);
    snprintf(text, sizeof text, "name = \"t\";\nvolume = { clicks = 0.0; voice = 0.0; };\n%s%s",
             strstr(body, "sounds_dir") ? "" : "sounds_dir = \".\";\n", body);
    struct routine *r = routine_parse(text, path, err, sizeof err);
    if (!r) {
        fprintf(stderr, "FAIL: the test's routine: %s\n", err);
        exit(1);
    }
    if (!s->bank)
        s->bank = clip_bank_create(ENGINE_RUN_RATE);
    setup_add_dirs(s->bank, r, NULL, r->voice[0] ? r->voice : "en");
    struct engine_plan *p = engine_plan_create(r, s->bank, 1, err, sizeof err);
    if (!p) {
        fprintf(stderr, "FAIL: the test's plan: %s\n", err);
        exit(1);
    }
    return p;
}

void engine_run_start(struct engine_run *s, const char *dir, const char *body, double scale)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->engine = engine_create(engine_run_plan(s, body), scale);
}

void engine_run_to(struct engine_run *s, int64_t until)
{
    while (s->n < until) {
        int want = (int)(until - s->n < 512 ? until - s->n : 512);
        if (s->n + want > s->cap) {
            s->cap = (s->cap ? s->cap * 2 : ENGINE_RUN_RATE * 8) + want;
            s->x = realloc(s->x, (size_t)s->cap * 2 * sizeof *s->x);
        }
        int got = engine_render(s->engine, s->x + 2 * s->n, want);
        s->n += want;
        if (got < want)
            break;
    }
}

void engine_run_send(struct engine_run *s, enum control_kind kind, double value, void *ptr)
{
    struct control_cmd c = {.kind = kind, .value = value, .ptr = ptr};
    if (engine_send(s->engine, &c) != 0) {
        fprintf(stderr, "FAIL: the command ring is full\n");
        exit(1);
    }
}

void engine_run_reload(struct engine_run *s, const char *body)
{
    engine_run_send(s, CONTROL_RELOAD, 0, engine_run_plan(s, body));
}

struct engine_status engine_run_status(struct engine_run *s)
{
    struct engine_status st;
    engine_status(s->engine, &st);
    engine_collect(s->engine);
    return st;
}

void engine_run_finish(struct engine_run *s)
{
    engine_destroy(s->engine);
    clip_bank_destroy(s->bank);
    free(s->x);
}
