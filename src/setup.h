/* setup: from a routine file's path to a plan ready to play: the routine
 * read and validated, its sound folders in order, every clip loaded.  Shared
 * by render, check, live play and live reload.  Not for the audio thread. */
#ifndef CALFPACE_SETUP_H
#define CALFPACE_SETUP_H

#include "clips.h"
#include "cp_error.h"
#include "engine.h"
#include "routine.h"

#include <stddef.h>

/* What the listener chose, from the command line and the personal config. */
struct setup_choice {
    const char *sounds;       /* --sounds DIR, or NULL */
    const char *lang;         /* --voice LANG, or NULL */
    const char *lang_default; /* from the personal config, or NULL ("en") */
    int voice;                /* 0: the routine's beats alone */
    double volume_db;         /* added to the routine's volumes */
    const char *render_to;    /* a file to render into: its format may fix the rate */
    int mono;                 /* every sound in both ears */
    double balance;           /* -1 to 1: the other side turned down; 0 centred */
    int first;                /* only the numbers the timeline says, the rest later
                                 (engine_plan_create_first): a live start */
};

/* The language a session speaks: --voice, else the routine's, else the
 * personal config's, else English. */
const char *setup_lang(const struct routine *r, const struct setup_choice *c);

/* Makes R's sound folders B's (in place of the last routine's), most specific first: the routine's
 * own sounds_dir, --sounds, the user's folder, the shipped sounds; for a language other than
 * English, its subfolder of each of the last two before them. */
void setup_add_dirs(struct clip_bank *b, const struct routine *r, const char *sounds,
                    const char *lang);

/* Reads PATH and loads what it needs into BANK (created at the routine's
 * rate when *BANK is NULL).  Returns the plan, or NULL with err set:
 * CP_BAD_INPUT when the fault is the routine's or the choice's, CP_RUNTIME
 * when the machine's (out of memory). */
struct engine_plan *setup_plan(const char *path, const struct setup_choice *c,
                               struct clip_bank **bank, struct cp_error *err);

/* The same for a routine given as TEXT in memory; NAME stands for the file
 * in messages and relative paths. */
struct engine_plan *setup_plan_text(const char *text, const char *name,
                                    const struct setup_choice *c, struct clip_bank **bank,
                                    struct cp_error *err);

#endif
