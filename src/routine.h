/* routine: read a libconfig routine file into a validated struct routine.
 *
 * Every value in a struct routine returned by routine_load is in range: the
 * sequencer and engine never re-check it.  A file with a mistake yields NULL
 * and one message of the form "FILE:LINE: what is wrong (what is allowed)".
 * The caller owns the result and frees it with routine_destroy.  Not used by
 * the audio thread.  The format is documented in docs/routine-format.md.
 */
#ifndef CALFPACE_ROUTINE_H
#define CALFPACE_ROUTINE_H

#include <stddef.h>

#define ROUTINE_NAME_MAX 96
#define ROUTINE_PATH_MAX 1024
#define ROUTINE_MAX_STEPS 256
#define ROUTINE_MAX_CYCLE 16

#define ROUTINE_TEMPO_MIN 10.0
#define ROUTINE_TEMPO_MAX 400.0
#define ROUTINE_RATE_MIN 8000
#define ROUTINE_RATE_MAX 192000
#define ROUTINE_SECONDS_MAX 86400.0
#define ROUTINE_SESSION_MAX 86400.0 /* seconds: a whole session, every round */
#define ROUTINE_BEATS_MAX 100000
#define ROUTINE_REPEAT_MAX 1000
#define ROUTINE_DB_MIN -60.0
#define ROUTINE_DB_MAX 12.0
#define ROUTINE_DUCK_MIN -40.0
#define ROUTINE_LEAD_IN_MAX 30.0
#define ROUTINE_FILES_MAX 33 /* the routine and the files it includes, each once */
#define ROUTINE_SAY_MAX 200 /* characters of text to speak in place of a cue */
#define ROUTINE_FILE_MAX (1024L * 1024L)
#define ROUTINE_COUNT_WORD 0.6 /* seconds: a count-in number, before its clip is measured */

enum step_type { STEP_PACED, STEP_HOLD, STEP_REST };

struct step {
    enum step_type type;
    char name[ROUTINE_NAME_MAX];
    char cue[ROUTINE_NAME_MAX]; /* spoken at the step's start; "" for none */
    double tempo_from;          /* bpm; paced steps only */
    double tempo_to;            /* equal to tempo_from for a constant tempo */
    double seconds;             /* S: the body's length, after the lead-in */
    int beats;                  /* paced: beats in the step (derived when given as seconds) */
    int beats_given;            /* 1 if the file gave beats, 0 if it gave seconds */
    double lead_in;             /* seconds from the step's start (its cue) to its body */
    int lead_in_given;          /* the file set lead_in (in the step or at the top) */
    int n_sounds;
    char sounds[ROUTINE_MAX_CYCLE][ROUTINE_NAME_MAX]; /* cycled per beat */
    int n_pan;
    double pan[ROUTINE_MAX_CYCLE]; /* cycled per beat, -1 left .. +1 right */
    int line;                      /* where the step starts in the file */
    int sounds_line;               /* where its sounds are named (or line) */
    int cue_line;
    /* Text spoken in place of a cue ("" for none); src/speech.c turns it
     * into a clip and names that clip in cue. */
    char say[ROUTINE_SAY_MAX + 1];
    int say_line;
    double say_seconds; /* its length once spoken; 0 before */
    /* Paced: say each movement's number on its first beat ("one", "two", ...);
     * a movement is one turn of the sounds cycle (one beat with one sound). */
    int count_aloud;
    /* Paced: what the guidance counts.  0 (the default, count = "movements"):
     * a movement, one turn of the sounds cycle (heel up and heel down are one
     * raise); 1 (count = "beats"): every beat. */
    int count_beats;
};

/* What calfpace says beyond the cues the routine names; all on by default. */
struct guidance {
    int voice;       /* speak at all; off is the same as --no-voice */
    int lengths;     /* each step's length after its cue: "forty times", "two minutes" */
    int countdown;   /* "three, two, one" into a paced step's first beat and at a hold's end */
    int halfway;     /* "halfway" in paced steps */
    int remaining;   /* "ten more" and "last five" in paced steps */
    int transitions; /* "switch legs" between holds, "and relax" after the last */
    int closing;     /* the session's length after the closing cue */
    double duck_db;  /* how far the clicks drop while speech plays; 0 for not at all */
};

struct routine {
    char path[ROUTINE_PATH_MAX];
    char name[ROUTINE_NAME_MAX];
    char cue[ROUTINE_NAME_MAX];     /* spoken once at the session's start; "" for none */
    char end_cue[ROUTINE_NAME_MAX]; /* spoken once after the last step; "" for none */
    int cue_line, end_cue_line;
    char say[ROUTINE_SAY_MAX + 1], end_say[ROUTINE_SAY_MAX + 1]; /* in place of cue, end_cue */
    int say_line, end_say_line;
    double say_seconds, end_say_seconds;
    double lead_in;                    /* seconds the opening cue has before the first step */
    char sounds_dir[ROUTINE_PATH_MAX]; /* extra sound folder, relative paths resolved; "" none */
    char voice[8]; /* the language of the spoken cues ("en", "de"); "" for the listener's choice */
    /* Seconds the longest count-in number ("three", "two", "one") takes,
     * its clip's silent edges included: ROUTINE_COUNT_WORD when loaded; a
     * plan sets it from the clips it finds, so the count-in's spacing
     * (sequencer_count_spacing) fits them. */
    double count_word;
    int repeat;
    int rate;
    double clicks_db;
    double voice_db;
    struct guidance guidance;
    int n_steps;
    struct step steps[ROUTINE_MAX_STEPS];
    /* The files read: the routine first, then each included file once, so
     * that a save of any of them can be noticed. */
    int n_files;
    char files[ROUTINE_FILES_MAX][ROUTINE_PATH_MAX];
    /* The first line of the routine file that is not valid UTF-8 (saved as
     * Latin-1 by an old editor, say), for a warning; 0 when it all is. */
    int not_utf8_line;
};

/* The standard click, used by paced steps that name no sounds. */
#define ROUTINE_DEFAULT_SOUND "click"

/* The beats in one counted unit of paced step ST: a movement (one turn of
 * its sounds) or, with count = "beats", one beat.  "ten more", "last five",
 * "halfway" and count_aloud count these units and fall on their first beat. */
int routine_count_unit(const struct step *st);

/* The languages calfpace speaks; a routine or --voice picks one. */
int routine_voice_known(const char *lang);

/* Read and validate PATH.  On failure returns NULL with a message in err. */
struct routine *routine_load(const char *path, char *err, size_t errlen);

/* The same, from text in memory; NAME is used in messages and to resolve
 * relative paths (its directory). */
struct routine *routine_parse(const char *text, const char *name, char *err, size_t errlen);

void routine_destroy(struct routine *r);

const char *routine_step_type_name(enum step_type type);

#endif
