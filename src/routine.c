#include "routine.h"

#include "cfgtext.h"
#include "hint.h"
#include "paths.h"
#include "safefile.h"
#include "tempo.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ctx {
    const char *file;
    char *err;
    size_t errlen;
    const char *text;          /* the text libconfig parsed, to see integers it cut to 32 bits */
    const struct cfgtext *ct; /* where each line of that text came from */
};

static void fail(const struct ctx *c, int line, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(c->err, c->errlen, "%s:%d: %s", c->file, line, what);
    else
        snprintf(c->err, c->errlen, "%s: %s", c->file, what);
}

/* Elements of arrays carry no line of their own: use the nearest parent's.
 * A line of the parsed text (includes pasted in). */
static int text_line(const config_setting_t *s)
{
    for (; s; s = config_setting_parent(s)) {
        int line = (int)config_setting_source_line(s);
        if (line > 0)
            return line;
    }
    return 0;
}

/* The line in its own file (the routine's or an included one's). */
static int line_of(const struct ctx *c, const config_setting_t *s)
{
    int line = text_line(s);
    if (line > 0 && c->ct)
        cfgtext_where(c->ct, line, &line);
    return line;
}

/* The file a setting came from: the routine itself, or a file it includes. */
static void file_of(const struct ctx *c, const config_setting_t *s, char *out, size_t outlen)
{
    int line = text_line(s), file_line;
    snprintf(out, outlen, "%s", line > 0 && c->ct ? cfgtext_where(c->ct, line, &file_line) : c->file);
}

static void fail_at(const struct ctx *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(const struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
    char what[512], file[ROUTINE_PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    file_of(c, s, file, sizeof file);
    int line = line_of(c, s);
    if (line > 0)
        snprintf(c->err, c->errlen, "%s:%d: %s", file, line, what);
    else
        snprintf(c->err, c->errlen, "%s: %s", file, what);
}


/* libconfig reads an integer too large for 32 bits as its low 32 bits, so
 * 4294967297 would pass as 1.  Read the literal as written instead: on the
 * setting's line, outside strings, the first "NAME =" whose value agrees
 * with libconfig's in its low 32 bits.  Settings from an @include'd file
 * are read from that file. */
static int literal_on_line(const struct ctx *c, const config_setting_t *s, long long seen,
                           long long *out)
{
    const char *name = config_setting_name(s);
    int line = (int)config_setting_source_line(s);
    if (!name || line < 1)
        return 0;
    const char *text = c->text;
    if (!text)
        return 0;
    const char *p = text;
    for (int i = 1; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    int found = 0;
    size_t nl = strlen(name);
    int quoted = 0;
    for (const char *q = p; q && *q && *q != '\n' && !found; q++) {
        if (*q == '"' && (q == p || q[-1] != '\\'))
            quoted = !quoted;
        if (quoted || strncmp(q, name, nl) != 0 ||
            (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_' || q[-1] == '-')))
            continue;
        const char *v = q + nl;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v != '=' && *v != ':')
            continue;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
        char *stop;
        errno = 0;
        long long n = strtoll(v, &stop, hex ? 16 : 10);
        if (stop == v)
            continue;
        if (errno == ERANGE)
            n = n < 0 ? LLONG_MIN : LLONG_MAX;
        if ((unsigned int)(unsigned long long)n == (unsigned int)(unsigned long long)seen ||
            errno == ERANGE) {
            *out = n;
            found = 1;
        }
    }
    return found;
}

/* Rejects any member of GROUP not in ALLOWED (NULL-terminated). */
static int check_names(const struct ctx *c, const config_setting_t *group,
                       const char *const *allowed, const char *where)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(m);
        if (!name)
            continue;
        int known = 0;
        const char *near = NULL;
        size_t best = 3;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, name) == 0)
                known = 1;
            size_t d = hint_distance(*a, name);
            size_t la = strlen(*a);
            /* "tempo_form" is most likely "tempo" with a slip after it. */
            if (la >= 4 && strncmp(*a, name, la) == 0)
                d = 1;
            if (d < best) {
                best = d;
                near = *a;
            }
        }
        if (known)
            continue;
        char list[256] = "";
        for (const char *const *a = allowed; *a; a++) {
            if (list[0])
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, *a, sizeof list - strlen(list) - 1);
        }
        if (near)
            fail_at(c, (m), "unknown setting '%s' %s (did you mean '%s'? allowed: %s)", name, where,
                    near, list);
        else
            fail_at(c, (m), "unknown setting '%s' %s (allowed: %s)", name, where, list);
        return -1;
    }
    return 0;
}

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

/* A number setting's value; whole numbers as written (see literal_on_line). */
static double number_of(const struct ctx *c, const config_setting_t *s)
{
    long long written;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        if (literal_on_line(c, s, config_setting_get_int(s), &written))
            return (double)written;
        return (double)config_setting_get_int(s);
    case CONFIG_TYPE_INT64:
        return (double)config_setting_get_int64(s);
    default:
        return config_setting_get_float(s);
    }
}

static const char *type_word(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "a whole number";
    case CONFIG_TYPE_FLOAT:
        return "a decimal number";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "true/false";
    case CONFIG_TYPE_GROUP:
        return "a group { }";
    case CONFIG_TYPE_ARRAY:
        return "an array [ ]";
    case CONFIG_TYPE_LIST:
        return "a list ( )";
    default:
        return "something else";
    }
}

/* A number in [lo, hi]; UNIT is said in messages. */
static int get_number(const struct ctx *c, const config_setting_t *s, double lo, double hi,
                      const char *what, double *out)
{
    const char *name = config_setting_name(s) ? config_setting_name(s) : what;
    if (!is_number(s)) {
        fail_at(c, (s), "'%s' must be a number, not %s (allowed: %g to %g)", name, type_word(s), lo,
                hi);
        return -1;
    }
    double v = number_of(c, s);
    if (!isfinite(v) || v < lo || v > hi) {
        fail_at(c, (s), "%s %.15g is out of range (allowed: %g to %g)", what, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* A step's length: more than 0, at most a day. */
static int get_seconds(const struct ctx *c, const config_setting_t *s, double *out)
{
    if (!is_number(s)) {
        fail_at(c, s, "'seconds' must be a number, not %s (allowed: more than 0 up to %g)",
                type_word(s), ROUTINE_SECONDS_MAX);
        return -1;
    }
    double v = number_of(c, s);
    if (!isfinite(v) || v <= 0.0 || v > ROUTINE_SECONDS_MAX) {
        fail_at(c, s, "seconds %.10g is out of range (allowed: more than 0 up to %g)", v,
                ROUTINE_SECONDS_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

static int get_int(const struct ctx *c, const config_setting_t *s, long lo, long hi,
                   const char *what, int *out)
{
    const char *name = config_setting_name(s) ? config_setting_name(s) : what;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        fail_at(c, (s), "'%s' must be a whole number, not %s (allowed: %ld to %ld)", name,
                type_word(s), lo, hi);
        return -1;
    }
    long long v = t == CONFIG_TYPE_INT ? config_setting_get_int(s) : config_setting_get_int64(s);
    long long written;
    if (t == CONFIG_TYPE_INT && literal_on_line(c, s, v, &written) && written != v)
        v = written;
    if (v < lo || v > hi) {
        fail_at(c, (s), "%s %lld is out of range (allowed: %ld to %ld)", what, v, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int get_string(const struct ctx *c, const config_setting_t *s, char *out, size_t outlen,
                      const char *what)
{
    const char *name = config_setting_name(s) ? config_setting_name(s) : what;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        fail_at(c, (s), "'%s' must be a string in double quotes, not %s", name, type_word(s));
        return -1;
    }
    const char *v = config_setting_get_string(s);
    if (strlen(v) >= outlen) {
        fail_at(c, (s), "'%s' is too long (at most %zu characters)", name, outlen - 1);
        return -1;
    }
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

/* Sound and cue names are file names without extension: no paths, nothing hidden. */
static int get_sound_name(const struct ctx *c, const config_setting_t *s, char *out, size_t outlen,
                          const char *what)
{
    if (get_string(c, s, out, outlen, what))
        return -1;
    char a[ROUTINE_NAME_MAX], b[ROUTINE_NAME_MAX];
    if (c->text && hint_joined(c->text, text_line(s), out, a, sizeof a, b, sizeof b)) {
        fail_at(c, (s),
                "\"%s\" \"%s\" has no comma between the names, so they read as one, \"%s\" "
                "(write [ \"%s\", \"%s\" ])",
                a, b, out, a, b);
        return -1;
    }
    int ok = out[0] != '\0' && out[0] != '.';
    for (const char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            ok = 0;
    if (!ok) {
        fail_at(c, (s),
                "%s \"%s\" is not a sound name (allowed: letters, digits, '-', '_' and '.', "
                "naming a file in a sounds folder without its extension)",
                what, out);
        return -1;
    }
    return 0;
}

static int get_cycle_strings(const struct ctx *c, const config_setting_t *s, struct step *st)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_STRING) {
        st->n_sounds = 1;
        return get_sound_name(c, s, st->sounds[0], sizeof st->sounds[0], "sound");
    }
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
        fail_at(c, (s),
                "'sounds' must be an array of sound names like [ \"tick\", \"tock\" ], "
                "not %s",
                type_word(s));
        return -1;
    }
    int n = config_setting_length(s);
    if (n < 1 || n > ROUTINE_MAX_CYCLE) {
        fail_at(c, (s), "'sounds' has %d names (allowed: 1 to %d)", n, ROUTINE_MAX_CYCLE);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (get_sound_name(c, config_setting_get_elem(s, (unsigned)i), st->sounds[i],
                           sizeof st->sounds[i], "sound"))
            return -1;
    st->n_sounds = n;
    return 0;
}

static int get_cycle_pan(const struct ctx *c, const config_setting_t *s, struct step *st)
{
    int t = config_setting_type(s);
    if (is_number(s)) {
        st->n_pan = 1;
        return get_number(c, s, -1.0, 1.0, "pan", &st->pan[0]);
    }
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
        fail_at(c, (s), "'pan' must be a number or an array like [ -1.0, 1.0 ], not %s",
                type_word(s));
        return -1;
    }
    int n = config_setting_length(s);
    if (n < 1 || n > ROUTINE_MAX_CYCLE) {
        fail_at(c, (s), "'pan' has %d values (allowed: 1 to %d)", n, ROUTINE_MAX_CYCLE);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        /* libconfig arrays hold one scalar type; an element's own line is the array's. */
        if (get_number(c, e, -1.0, 1.0, "pan", &st->pan[i]))
            return -1;
    }
    st->n_pan = n;
    return 0;
}

static const char *const step_names_paced[] = {"type",  "name",   "cue", "tempo",   "seconds",
                                               "beats", "sounds", "pan", "lead_in", "say",
                                               "count_aloud", "count", NULL};
static const char *const step_names_timed[] = {"type",    "name", "cue", "seconds",
                                               "lead_in", "say",  NULL};

/* The length of the UTF-8 character at P that calfpace can speak: ASCII
 * letters, digits, space and . , ; : ! ? ' " - ( ), Latin letters with
 * accents (U+00C0-U+00FF but × and ÷), and ’ – — …; 0 for any other. */
static int speakable(const unsigned char *p)
{
    if (*p < 0x80)
        return isalnum(*p) || strchr(" .,;:!?'\"-()", *p) ? 1 : 0;
    if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf && p[1] != 0x97 && p[1] != 0xb7)
        return 2;
    if (p[0] == 0xe2 && p[1] == 0x80 &&
        (p[2] == 0x99 || p[2] == 0x93 || p[2] == 0x94 || p[2] == 0xa6))
        return 3;
    return 0;
}

/* Text to speak: a string of at most ROUTINE_SAY_MAX speakable characters
 * with at least one letter or digit. */
static int get_say(const struct ctx *c, const config_setting_t *s, char *out, size_t outlen)
{
    const char *name = config_setting_name(s);
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        fail_at(c, s, "'%s' must be the words to speak in double quotes, not %s", name,
                type_word(s));
        return -1;
    }
    const unsigned char *v = (const unsigned char *)config_setting_get_string(s);
    int words = 0, col = 1;
    for (const unsigned char *p = v; *p; col++) {
        int n = speakable(p);
        if (!n) {
            int len = 1;
            while (len < 4 && (p[len] & 0xc0) == 0x80)
                len++;
            fail_at(c, s,
                    "'%s' has a character calfpace cannot speak, \"%.*s\", at character %d "
                    "(allowed: letters, digits, spaces and . , ; : ! ? ' \" - ( ))",
                    name, len, (const char *)p, col);
            return -1;
        }
        words |= n > 1 || isalnum(*p);
        p += n;
    }
    if (!words) {
        fail_at(c, s, "'%s' has nothing to speak (give the words, e.g. %s = \"Ankle circles\")",
                name, name);
        return -1;
    }
    if (strlen((const char *)v) >= outlen) {
        fail_at(c, s, "'%s' is too long (at most %zu characters; split it over steps)", name,
                outlen - 1);
        return -1;
    }
    snprintf(out, outlen, "%s", (const char *)v);
    return 0;
}

/* A cue or text to speak in its place, not both. */
static int get_say_or_cue(const struct ctx *c, const config_setting_t *g, const char *cue_key,
                          const char *say_key, char *cue, size_t cuelen, int *cue_line, char *say,
                          size_t saylen, int *say_line)
{
    const config_setting_t *s = config_setting_get_member(g, cue_key);
    const config_setting_t *t = config_setting_get_member(g, say_key);
    if (s && t) {
        fail_at(c, t, "'%s' and '%s' (line %d) both given: one or the other (a clip's name, or "
                      "words to speak)",
                say_key, cue_key, line_of(c, s));
        return -1;
    }
    if (s) {
        *cue_line = line_of(c, s);
        if (get_sound_name(c, s, cue, cuelen, cue_key))
            return -1;
    }
    if (t) {
        *say_line = *cue_line = line_of(c, t);
        if (get_say(c, t, say, saylen))
            return -1;
    }
    return 0;
}

static int get_bool(const struct ctx *c, const config_setting_t *s, int *out);

/* The step's type, from its 'type' into ST and its word into TNAME: 0, or
 * -1 after failing. */
static int read_step_type(const struct ctx *c, const config_setting_t *g, int index,
                          struct step *st, char tname[16])
{
    const config_setting_t *type = config_setting_get_member(g, "type");
    if (!type) {
        fail_at(c, g, "step %d has no 'type' (allowed: \"paced\", \"hold\", \"rest\")", index + 1);
        return -1;
    }
    if (config_setting_type(type) != CONFIG_TYPE_STRING) {
        fail_at(c, (type), "'type' must be a string (allowed: \"paced\", \"hold\", \"rest\")");
        return -1;
    }
    snprintf(tname, 16, "%s", config_setting_get_string(type));
    if (strcmp(tname, "paced") == 0)
        st->type = STEP_PACED;
    else if (strcmp(tname, "hold") == 0)
        st->type = STEP_HOLD;
    else if (strcmp(tname, "rest") == 0)
        st->type = STEP_REST;
    else {
        fail_at(c, (type), "unknown step type \"%s\" (allowed: \"paced\", \"hold\", \"rest\")",
                config_setting_get_string(type));
        return -1;
    }
    return 0;
}

/* What a paced step counts in ('count'), into ST: 0, or -1 after failing. */
static int read_step_count(const struct ctx *c, const config_setting_t *s, struct step *st)
{
    char how[16];
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        fail_at(c, s, "'count' must be a string (allowed: \"movements\", \"beats\")");
        return -1;
    }
    snprintf(how, sizeof how, "%s", config_setting_get_string(s));
    if (strcmp(how, "beats") == 0) {
        st->count_beats = 1;
    } else if (strcmp(how, "movements") != 0) {
        fail_at(c, s, "unknown count \"%s\" (allowed: \"movements\", \"beats\")",
                config_setting_get_string(s));
        return -1;
    }
    return 0;
}

/* A paced step's 'tempo', a number or a ramp, into ST: 0, or -1 after
 * failing. */
static int read_step_tempo(const struct ctx *c, const config_setting_t *g, int index,
                           struct step *st)
{
    const config_setting_t *s = config_setting_get_member(g, "tempo");
    if (!s) {
        fail_at(c, g,
                "paced step %d has no 'tempo' (write tempo = 100.0; or tempo = { from = 80.0; to = "
                "120.0; }; in bpm, %g to %g)",
                index + 1, ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX);
        return -1;
    }
    if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
        static const char *const ramp_names[] = {"from", "to", NULL};
        if (check_names(c, s, ramp_names, "in a tempo ramp"))
            return -1;
        const config_setting_t *from = config_setting_get_member(s, "from");
        const config_setting_t *to = config_setting_get_member(s, "to");
        if (!from || !to) {
            fail_at(c, (s), "a tempo ramp needs both 'from' and 'to' (bpm, %g to %g)",
                    ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX);
            return -1;
        }
        if (get_number(c, from, ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX, "tempo (bpm)",
                       &st->tempo_from) ||
            get_number(c, to, ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX, "tempo (bpm)", &st->tempo_to))
            return -1;
    } else if (is_number(s)) {
        if (get_number(c, s, ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX, "tempo (bpm)", &st->tempo_from))
            return -1;
        st->tempo_to = st->tempo_from;
    } else {
        fail_at(
            c, (s),
            "'tempo' must be a number or a ramp { from = ...; to = ...; }, not %s (bpm, %g to %g)",
            type_word(s), ROUTINE_TEMPO_MIN, ROUTINE_TEMPO_MAX);
        return -1;
    }
    return 0;
}

/* A paced step's length, 'seconds' (SECS) or 'beats' (BEATS), into ST
 * with the other worked out from its tempo: 0, or -1 after failing. */
static int read_step_length(const struct ctx *c, const config_setting_t *g, int index,
                            const config_setting_t *secs, const config_setting_t *beats,
                            struct step *st)
{
    if (secs && beats) {
        fail_at(c, (beats), "a paced step takes 'seconds' or 'beats', not both");
        return -1;
    }
    if (!secs && !beats) {
        fail_at(c, g, "paced step %d needs its length: 'seconds' or 'beats'", index + 1);
        return -1;
    }
    if (beats) {
        if (get_int(c, beats, 1, ROUTINE_BEATS_MAX, "beats", &st->beats))
            return -1;
        st->beats_given = 1;
        st->seconds = tempo_seconds_for_beats(st->tempo_from, st->tempo_to, st->beats);
        if (st->seconds > ROUTINE_SECONDS_MAX) {
            fail_at(c, (beats), "%d beats take %.0f seconds (allowed: at most %g)", st->beats,
                    st->seconds, ROUTINE_SECONDS_MAX);
            return -1;
        }
    } else {
        if (get_seconds(c, secs, &st->seconds))
            return -1;
        st->beats = tempo_beats_in(st->tempo_from, st->tempo_to, st->seconds);
        if (st->beats < 1) {
            fail_at(c, secs,
                    "%.3g seconds hold no beat at %g bpm (allowed: at least one beat, %.3g s at "
                    "that tempo)",
                    st->seconds, st->tempo_from, 60.0 / st->tempo_from);
            return -1;
        }
    }
    return 0;
}

/* A paced step's 'sounds' and 'pan' cycles into ST (one centred default
 * sound where they are not given): 0, or -1 after failing. */
static int read_step_cycles(const struct ctx *c, const config_setting_t *g, struct step *st)
{
    const config_setting_t *s;
    st->sounds_line = st->line;
    if ((s = config_setting_get_member(g, "sounds"))) {
        st->sounds_line = line_of(c, s);
        if (get_cycle_strings(c, s, st))
            return -1;
    } else {
        st->n_sounds = 1;
        snprintf(st->sounds[0], sizeof st->sounds[0], "%s", ROUTINE_DEFAULT_SOUND);
    }
    if ((s = config_setting_get_member(g, "pan"))) {
        if (get_cycle_pan(c, s, st))
            return -1;
    } else {
        st->n_pan = 1;
        st->pan[0] = 0.0;
    }
    return 0;
}

static int read_step(const struct ctx *c, const config_setting_t *g, int index, double default_lead,
                     struct step *st)
{
    memset(st, 0, sizeof *st);
    st->line = line_of(c, g);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        fail_at(c, g, "step %d must be a group { type = ...; ... }, not %s", index + 1,
                type_word(g));
        return -1;
    }
    char tname[16];
    if (read_step_type(c, g, index, st, tname))
        return -1;
    char where[64];
    snprintf(where, sizeof where, "in a %s step", tname);
    if (check_names(c, g, st->type == STEP_PACED ? step_names_paced : step_names_timed, where))
        return -1;

    const config_setting_t *s;
    if ((s = config_setting_get_member(g, "name"))) {
        if (get_string(c, s, st->name, sizeof st->name, "name"))
            return -1;
    } else {
        snprintf(st->name, sizeof st->name, "%s",
                 st->type == STEP_PACED  ? "Paced"
                 : st->type == STEP_HOLD ? "Hold"
                                         : "Rest");
    }
    st->cue_line = st->line;
    if (get_say_or_cue(c, g, "cue", "say", st->cue, sizeof st->cue, &st->cue_line, st->say,
                       sizeof st->say, &st->say_line))
        return -1;
    if ((s = config_setting_get_member(g, "count_aloud")) && get_bool(c, s, &st->count_aloud))
        return -1;
    if ((s = config_setting_get_member(g, "count")) && read_step_count(c, s, st))
        return -1;
    st->lead_in = st->type == STEP_REST ? 0.0 : default_lead;
    if ((s = config_setting_get_member(g, "lead_in"))) {
        if (get_number(c, s, 0.0, ROUTINE_LEAD_IN_MAX, "lead_in (seconds)", &st->lead_in))
            return -1;
        st->lead_in_given = 1;
    }

    const config_setting_t *secs = config_setting_get_member(g, "seconds");
    const config_setting_t *beats = config_setting_get_member(g, "beats");
    if (st->type != STEP_PACED) {
        if (!secs) {
            fail_at(c, g, "%s step %d has no 'seconds' (allowed: more than 0 up to %g)", tname,
                    index + 1, ROUTINE_SECONDS_MAX);
            return -1;
        }
        return get_seconds(c, secs, &st->seconds);
    }

    if (read_step_tempo(c, g, index, st) || read_step_length(c, g, index, secs, beats, st) ||
        read_step_cycles(c, g, st))
        return -1;
    /* A step given in seconds ends on a whole movement (routine-format.md
     * 6.2); beats given are played as written, and check warns. */
    if (!st->beats_given)
        st->beats = tempo_whole_beats(
            tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds),
            routine_count_unit(st));
    return 0;
}

static const char *const top_names[] = {"name",       "repeat",   "rate",    "volume",
                                        "steps",      "cue",      "end_cue", "lead_in",
                                        "sounds_dir", "guidance", "voice",   "say",
                                        "end_say",    NULL};

int routine_count_unit(const struct step *st)
{
    return st->count_beats || st->n_sounds < 2 ? 1 : st->n_sounds;
}

int routine_voice_known(const char *lang)
{
    return strcmp(lang, "en") == 0 || strcmp(lang, "de") == 0;
}

static int get_bool(const struct ctx *c, const config_setting_t *s, int *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        fail_at(c, (s), "'%s' must be true or false, not %s", config_setting_name(s), type_word(s));
        return -1;
    }
    *out = config_setting_get_bool(s);
    return 0;
}

static int read_guidance(const struct ctx *c, const config_setting_t *g, struct guidance *gd)
{
    static const char *const names[] = {"voice",   "lengths",   "countdown",
                                        "halfway", "remaining", "transitions",
                                        "closing", "duck",      NULL};
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        fail_at(c, (g),
                "'guidance' must be a group like { countdown = false; duck = -10.0; }, "
                "not %s",
                type_word(g));
        return -1;
    }
    if (check_names(c, g, names, "in guidance"))
        return -1;
    struct {
        const char *name;
        int *field;
    } flags[] = {{"voice", &gd->voice},         {"lengths", &gd->lengths},
                 {"countdown", &gd->countdown}, {"halfway", &gd->halfway},
                 {"remaining", &gd->remaining}, {"transitions", &gd->transitions},
                 {"closing", &gd->closing}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const config_setting_t *s = config_setting_get_member(g, flags[i].name);
        if (s && get_bool(c, s, flags[i].field))
            return -1;
    }
    const config_setting_t *s = config_setting_get_member(g, "duck");
    if (s && get_number(c, s, ROUTINE_DUCK_MIN, 0.0, "duck (dB)", &gd->duck_db))
        return -1;
    return 0;
}

/* volume = { clicks; voice; }, each in dB; the defaults when absent. */
static int read_volume(const struct ctx *c, const config_setting_t *root, struct routine *r)
{
    const config_setting_t *s;
    r->clicks_db = -8.0;
    r->voice_db = -2.0;
    if ((s = config_setting_get_member(root, "volume"))) {
        static const char *const vol_names[] = {"clicks", "voice", NULL};
        if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
            fail_at(c, (s),
                    "'volume' must be a group like { clicks = -8.0; voice = -2.0; }, "
                    "not %s",
                    type_word(s));
            return -1;
        }
        if (check_names(c, s, vol_names, "in volume"))
            return -1;
        const config_setting_t *v;
        if ((v = config_setting_get_member(s, "clicks")) &&
            get_number(c, v, ROUTINE_DB_MIN, ROUTINE_DB_MAX, "clicks volume (dB)", &r->clicks_db))
            return -1;
        if ((v = config_setting_get_member(s, "voice")) &&
            get_number(c, v, ROUTINE_DB_MIN, ROUTINE_DB_MAX, "voice volume (dB)", &r->voice_db))
            return -1;
    }
    return 0;
}

static int read_voice(const struct ctx *c, const config_setting_t *root, struct routine *r)
{
    const config_setting_t *s;
    if ((s = config_setting_get_member(root, "voice"))) {
        if (get_string(c, s, r->voice, sizeof r->voice, "voice"))
            return -1;
        if (!routine_voice_known(r->voice)) {
            fail_at(c, s,
                    "voice \"%s\" is not a language calfpace speaks (allowed: \"en\", \"de\")",
                    r->voice);
            return -1;
        }
    }
    return 0;
}

/* sounds_dir, relative to the routine's own folder, must be a folder. */
static int read_sounds_dir(const struct ctx *c, const config_setting_t *root, struct routine *r)
{
    const config_setting_t *s;
    if ((s = config_setting_get_member(root, "sounds_dir"))) {
        char rel[ROUTINE_PATH_MAX];
        if (get_string(c, s, rel, sizeof rel, "sounds_dir"))
            return -1;
        if (rel[0] == '/') {
            snprintf(r->sounds_dir, sizeof r->sounds_dir, "%s", rel);
        } else {
            char dir[ROUTINE_PATH_MAX];
            paths_dir_of(c->file, dir, sizeof dir);
            if ((size_t)snprintf(r->sounds_dir, sizeof r->sounds_dir, "%s/%s", dir, rel) >=
                sizeof r->sounds_dir) {
                fail_at(c, (s), "sounds_dir is too long");
                return -1;
            }
        }
        struct stat st;
        if (stat(r->sounds_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fail_at(c, (s), "sounds_dir \"%s\" is not a folder (%s)", r->sounds_dir,
                    errno ? strerror(errno) : "not a directory");
            return -1;
        }
    }

    return 0;
}

/* The steps, each read with the routine's lead-in as its default, and the
 * whole session's length within its bound. */
static int read_steps(const struct ctx *c, const config_setting_t *root, struct routine *r)
{
    const config_setting_t *s;
    s = config_setting_get_member(root, "steps");
    if (!s) {
        fail(c, 0,
             "no 'steps' (write steps = ( { type = \"paced\"; ... } ); see %s)",
             paths_format_doc());
        return -1;
    }
    if (config_setting_type(s) != CONFIG_TYPE_LIST) {
        fail_at(c, (s), "'steps' must be a list ( { ... }, { ... } ), not %s", type_word(s));
        return -1;
    }
    int n = config_setting_length(s);
    if (n < 1 || n > ROUTINE_MAX_STEPS) {
        fail_at(c, (s), "'steps' has %d steps (allowed: 1 to %d)", n, ROUTINE_MAX_STEPS);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (read_step(c, config_setting_get_elem(s, (unsigned)i), i, r->lead_in, &r->steps[i]))
            return -1;
        else if (config_setting_get_member(root, "lead_in"))
            r->steps[i].lead_in_given = 1;
    r->n_steps = n;
    /* The whole session, as the sequencer times it (without its pre-roll):
     * a day at most, so every session can be recorded and read back. */
    double round = 0.0;
    for (int i = 0; i < n; i++)
        round += r->steps[i].lead_in + r->steps[i].seconds;
    double total = (r->cue[0] ? r->lead_in : 0.0) + round * r->repeat;
    if (total > ROUTINE_SESSION_MAX) {
        const config_setting_t *at = config_setting_get_member(root, "repeat");
        if (!at || r->repeat == 1)
            at = s;
        fail_at(c, at,
                "the session lasts %.1f hours (%d step%s%s; allowed: at most %.0f hours in all)",
                total / 3600.0, n, n == 1 ? "" : "s", r->repeat > 1 ? ", repeated" : "",
                ROUTINE_SESSION_MAX / 3600.0);
        return -1;
    }
    return 0;
}

static int read_root(const struct ctx *c, const config_setting_t *root, struct routine *r)
{
    if (check_names(c, root, top_names, "at the top level"))
        return -1;
    const config_setting_t *s;

    snprintf(r->name, sizeof r->name, "Routine");
    if ((s = config_setting_get_member(root, "name")) &&
        get_string(c, s, r->name, sizeof r->name, "name"))
        return -1;
    if (get_say_or_cue(c, root, "cue", "say", r->cue, sizeof r->cue, &r->cue_line, r->say,
                       sizeof r->say, &r->say_line) ||
        get_say_or_cue(c, root, "end_cue", "end_say", r->end_cue, sizeof r->end_cue,
                       &r->end_cue_line, r->end_say, sizeof r->end_say, &r->end_say_line))
        return -1;
    r->lead_in = 3.0;
    if ((s = config_setting_get_member(root, "lead_in")) &&
        get_number(c, s, 0.0, ROUTINE_LEAD_IN_MAX, "lead_in (seconds)", &r->lead_in))
        return -1;
    r->repeat = 1;
    r->count_word = ROUTINE_COUNT_WORD;
    if ((s = config_setting_get_member(root, "repeat")) &&
        get_int(c, s, 1, ROUTINE_REPEAT_MAX, "repeat", &r->repeat))
        return -1;
    r->rate = 48000;
    if ((s = config_setting_get_member(root, "rate")) &&
        get_int(c, s, ROUTINE_RATE_MIN, ROUTINE_RATE_MAX, "rate (samples per second)", &r->rate))
        return -1;
    if (read_volume(c, root, r))
        return -1;
    if (read_voice(c, root, r))
        return -1;
    r->guidance = (struct guidance){1, 1, 1, 1, 1, 1, 1, -10.0};
    if ((s = config_setting_get_member(root, "guidance")) && read_guidance(c, s, &r->guidance))
        return -1;
    if (read_sounds_dir(c, root, r))
        return -1;
    return read_steps(c, root, r);
}

/* libconfig's "syntax error" and "duplicate setting name" say neither
 * where on the line nor what: name the likely cause when it is a common one. */
static void explain_syntax(const struct ctx *c, const config_t *cfg, const char *see)
{
    const char *what = config_error_text(cfg);
    int at = config_error_line(cfg), line, col;
    char why[256], name[64];
    if (!what || at <= 0)
        return;
    if (strcmp(what, "syntax error") == 0 && hint_syntax(c->text, at, &at, &col, why, sizeof why)) {
        const char *file = cfgtext_where(c->ct, at, &line);
        snprintf(c->err, c->errlen, "%s:%d:%d: syntax error: %s", file, line, col, why);
    } else if (strcmp(what, "duplicate setting name") == 0 &&
               hint_duplicate(c->text, at, name, sizeof name)) {
        const char *file = cfgtext_where(c->ct, at, &line);
        snprintf(c->err, c->errlen, "%s:%d: '%s' is set twice in the same group (keep one) %s",
                 file, line, name, see);
    }
}

/* Parses TEXT (the routine NAME): includes resolved by cfgtext, so that
 * libconfig never opens a file and a hostile include fails in milliseconds. */
_Static_assert(CFGTEXT_FILES_MAX + 1 <= ROUTINE_FILES_MAX, "every file read has its place");

struct routine *routine_parse(const char *text, const char *name, char *err, size_t errlen)
{
    char dir[ROUTINE_PATH_MAX];
    struct ctx c = {name, err, errlen, NULL, NULL};
    /* @include paths are relative to the routine's folder. */
    paths_dir_of(name, dir, sizeof dir);
    /* A UTF-8 byte-order mark, as some Windows editors write: not a mistake. */
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) /* a shorter text stops at its NUL */
        text += 3;
    struct cfgtext *ct = cfgtext_expand(text, name, dir, "routine", err, errlen);
    if (!ct)
        return NULL;
    c.ct = ct;
    c.text = cfgtext_text(ct);
    struct routine *r = calloc(1, sizeof *r);
    if (!r) {
        fail(&c, 0, "out of memory");
        cfgtext_destroy(ct);
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", name);
    config_t cfg;
    config_init(&cfg);
    char see[600];
    snprintf(see, sizeof see, "(see %s for the syntax)", paths_format_doc());
    if (cfgtext_parse(ct, &cfg, see, err, errlen)) {
        explain_syntax(&c, &cfg, see);
        config_destroy(&cfg);
        cfgtext_destroy(ct);
        free(r);
        return NULL;
    }
    int rc = read_root(&c, config_root_setting(&cfg), r);
    for (int i = 0; i < cfgtext_n_files(ct) && r->n_files < ROUTINE_FILES_MAX; i++)
        snprintf(r->files[r->n_files++], sizeof r->files[0], "%s", cfgtext_file(ct, i));
    config_destroy(&cfg);
    cfgtext_destroy(ct);
    if (rc) {
        free(r);
        return NULL;
    }
    return r;
}

/* The first line of TEXT (LEN bytes) that is not valid UTF-8; 0 if none. */
static int first_non_utf8_line(const unsigned char *t, size_t len)
{
    int line = 1;
    for (size_t i = 0; i < len;) {
        unsigned char b = t[i];
        size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 && b >= 0xC2 ? 2 : (b & 0xF0) == 0xE0 ? 3
                 : (b & 0xF8) == 0xF0 && b <= 0xF4 ? 4 : 0;
        if (n == 0 || i + n > len)
            return line;
        for (size_t k = 1; k < n; k++)
            if ((t[i + k] & 0xC0) != 0x80)
                return line;
        /* No overlong three- or four-byte forms, no surrogates, nothing past U+10FFFF. */
        if ((n == 3 && ((b == 0xE0 && t[i + 1] < 0xA0) || (b == 0xED && t[i + 1] >= 0xA0))) ||
            (n == 4 && ((b == 0xF0 && t[i + 1] < 0x90) || (b == 0xF4 && t[i + 1] >= 0x90))))
            return line;
        if (b == '\n')
            line++;
        i += n;
    }
    return 0;
}

struct routine *routine_load(const char *path, char *err, size_t errlen)
{
    struct ctx c = {path, err, errlen, NULL, NULL};
    char *text;
    size_t got;
    if (safefile_read(path, ROUTINE_FILE_MAX, "routine", &text, &got, NULL, err, errlen) != 0)
        return NULL;
    if (memchr(text, '\0', got)) {
        fail(&c, 0,
             "the file holds binary data (a routine is a text file; see %s)",
             paths_format_doc());
        free(text);
        return NULL;
    }
    if (got == 0 || strspn(text, " \t\r\n") == got) {
        fail(&c, 0,
             "the file is empty (a routine needs at least steps = ( ... ); see %s)",
             paths_format_doc());
        free(text);
        return NULL;
    }
    struct routine *r = routine_parse(text, path, err, errlen);
    if (r)
        r->not_utf8_line = first_non_utf8_line((const unsigned char *)text, got);
    free(text);
    return r;
}

void routine_destroy(struct routine *r)
{
    free(r);
}

const char *routine_step_type_name(enum step_type type)
{
    switch (type) {
    case STEP_PACED:
        return "paced";
    case STEP_HOLD:
        return "hold";
    case STEP_REST:
        return "rest";
    }
    return "?";
}
