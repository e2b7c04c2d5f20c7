#include "cfgtext.h"

#include "safefile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct file {
    char *path;
    char *text; /* NULL for the top file's (owned by the caller while expanding) */
    size_t len;
};

struct span {
    int out_line; /* first line of the pasted text this span covers */
    int file;     /* index into files */
    int line;     /* that file's line at out_line */
};

enum state { S_INITIAL, S_COMMENT, S_STRING };

struct cfgtext {
    char *out;
    size_t len, cap;
    int out_line; /* line of the pasted text being written, from 1 */
    struct file files[CFGTEXT_FILES_MAX];
    int n_files;
    struct span *spans;
    int n_spans, cap_spans;
    /* while expanding */
    const char *include_dir;
    const char *what;
    enum state state;
    int includes;
    long keys, values;
    int *group_keys; /* named settings in each open group; [0] the root */
    long depth_groups, cap_groups;
    char *err;
    size_t errlen;
};

static void fail(struct cfgtext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct cfgtext *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, t->errlen, fmt, ap);
    va_end(ap);
}

static int put(struct cfgtext *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->out, cap);
        if (!p)
            return -1;
        t->out = p;
        t->cap = cap;
    }
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
    for (size_t i = 0; i < n; i++)
        t->out_line += s[i] == '\n';
    return 0;
}

static int mark(struct cfgtext *t, int file, int line)
{
    if (t->n_spans == t->cap_spans) {
        int cap = t->cap_spans ? 2 * t->cap_spans : 16;
        struct span *p = realloc(t->spans, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        t->spans = p;
        t->cap_spans = cap;
    }
    t->spans[t->n_spans++] = (struct span){t->out_line, file, line};
    return 0;
}

/* Does an include directive start at P (which is at the start of a line)?
 * Then *NAME_AT is where its name starts, after the opening quote. */
static int include_at(const char *p, const char *end, const char **name_at)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 8 || memcmp(p, "@include", 8) != 0)
        return 0;
    p += 8;
    const char *blanks = p;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == blanks || p >= end || *p != '"')
        return 0;
    *name_at = p + 1;
    return 1;
}

static int expand(struct cfgtext *t, int file, int depth);

/* The included file NAME, pasted in for a directive at FILE:LINE. */
static int paste(struct cfgtext *t, int file, int line, const char *name, int depth)
{
    const char *from = t->files[file].path;
    if (depth + 1 > CFGTEXT_DEPTH_MAX) {
        fail(t, "%s:%d: @include \"%s\": include file nesting too deep (allowed: %d levels)", from,
             line, name, CFGTEXT_DEPTH_MAX);
        return -1;
    }
    if (++t->includes > CFGTEXT_INCLUDES_MAX) {
        fail(t, "%s:%d: @include \"%s\": more than %d includes in all (allowed: at most %d)",
             from, line, name, CFGTEXT_INCLUDES_MAX, CFGTEXT_INCLUDES_MAX);
        return -1;
    }
    if (name[0] == '\0') {
        fail(t, "%s:%d: @include \"\" names no file (write @include \"part.cfg\", a path from %s)",
             from, line, t->include_dir);
        return -1;
    }
    char path[4096];
    int n = name[0] == '/' ? snprintf(path, sizeof path, "%s", name)
                           : snprintf(path, sizeof path, "%s/%s", t->include_dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fail(t, "%s:%d: @include: the name is too long", from, line);
        return -1;
    }
    int inc = -1;
    for (int i = 0; i < t->n_files && inc < 0; i++)
        if (strcmp(t->files[i].path, path) == 0)
            inc = i;
    if (inc < 0) {
        if (t->n_files == CFGTEXT_FILES_MAX) {
            fail(t, "%s:%d: @include \"%s\": more than %d files (allowed: at most %d)", from,
                 line, name, CFGTEXT_FILES_MAX, CFGTEXT_FILES_MAX);
            return -1;
        }
        char why[600];
        char *text;
        size_t len;
        if (safefile_read(path, CFGTEXT_BYTES_MAX, "included file", &text, &len, NULL, why,
                          sizeof why) != 0) {
            fail(t, "%s:%d: @include \"%s\": %s", from, line, name, why);
            return -1;
        }
        if (memchr(text, '\0', len)) {
            fail(t, "%s:%d: @include \"%s\": %s holds binary data (a %s is a text file)", from,
                 line, name, path, t->what);
            free(text);
            return -1;
        }
        char *copy = strdup(path);
        if (!copy) {
            free(text);
            fail(t, "%s: out of memory", from);
            return -1;
        }
        inc = t->n_files++;
        t->files[inc] = (struct file){copy, text, len};
    }
    if (t->len + t->files[inc].len > (size_t)CFGTEXT_BYTES_MAX) {
        fail(t,
             "%s:%d: @include \"%s\": the %s with its includes is over %ld bytes (allowed: at "
             "most %ld)",
             from, line, name, t->what, CFGTEXT_BYTES_MAX, CFGTEXT_BYTES_MAX);
        return -1;
    }
    if (mark(t, inc, 1) || expand(t, inc, depth + 1))
        return -1;
    /* A file's last token never runs into the text after its directive. */
    if (t->state == S_INITIAL && t->len > 0 && t->out[t->len - 1] != '\n' && put(t, "\n", 1))
        return -1;
    return 0;
}

/* Reads the name of an include directive at FILE:*LINE, from NAME_AT (after
 * its opening quote) into NAME as libconfig's scanner would, counting the
 * newlines in it into *LINE; then pastes the file it names.  Where FILE's
 * text goes on, or NULL after failing. */
static const char *include(struct cfgtext *t, int file, int depth, const char *name_at,
                           const char *end, int *line)
{
    int at_line = *line;
    char name[4096];
    size_t n = 0;
    const char *q = name_at;
    while (q < end && *q != '"') {
        if (*q == '\\' && q + 1 < end && (q[1] == '\\' || q[1] == '"'))
            q++;
        else if (*q == '\\') { /* flex's default rule drops it */
            q++;
            continue;
        }
        if (*q == '\n')
            (*line)++;
        if (n + 1 < sizeof name)
            name[n++] = *q;
        q++;
    }
    name[n] = '\0';
    if (q >= end) {
        fail(t, "%s:%d: @include \"%.40s...\" has no closing quote", t->files[file].path,
             at_line, name);
        return NULL;
    }
    if (paste(t, file, at_line, name, depth) || mark(t, file, *line))
        return NULL;
    return q + 1;
}

/* Counts what C, outside comments and strings at FILE:LINE, adds to the
 * groups, settings and values, against their limits: 0, or -1 after
 * failing. */
static int count(struct cfgtext *t, int file, int line, char c)
{
    if (c == '{') {
        if (t->depth_groups + 1 >= t->cap_groups) {
            long cap = 2 * t->cap_groups + 64;
            int *g = realloc(t->group_keys, (size_t)cap * sizeof *g);
            if (!g) {
                fail(t, "%s: out of memory", t->files[file].path);
                return -1;
            }
            t->group_keys = g;
            t->cap_groups = cap;
        }
        t->group_keys[++t->depth_groups] = 0;
    } else if (c == '}') {
        if (t->depth_groups > 0)
            t->depth_groups--;
    } else if (c == '=' || c == ':') {
        if (++t->keys > CFGTEXT_KEYS_MAX) {
            fail(t, "%s:%d: more than %d settings (allowed: at most %d in a %s)",
                 t->files[file].path, line, CFGTEXT_KEYS_MAX, CFGTEXT_KEYS_MAX, t->what);
            return -1;
        }
        if (++t->group_keys[t->depth_groups] > CFGTEXT_GROUP_KEYS_MAX) {
            fail(t, "%s:%d: more than %d settings in one group (allowed: at most %d)",
                 t->files[file].path, line, CFGTEXT_GROUP_KEYS_MAX, CFGTEXT_GROUP_KEYS_MAX);
            return -1;
        }
    } else if (c == ',') {
        if (++t->values > CFGTEXT_VALUES_MAX) {
            fail(t, "%s:%d: more than %d values (allowed: at most %d in a %s)",
                 t->files[file].path, line, CFGTEXT_VALUES_MAX, CFGTEXT_VALUES_MAX, t->what);
            return -1;
        }
    }
    return 0;
}

/* Copies FILE's text into the pasted text, pasting its includes, keeping
 * the scanner state libconfig would be in. */
static int expand(struct cfgtext *t, int file, int depth)
{
    const char *text = t->files[file].text;
    const char *end = text + t->files[file].len;
    const char *p = text, *copied = text;
    int line = 1;
    while (p < end) {
        int bol = p == text || p[-1] == '\n';
        char c = *p;
        const char *name_at;
        if (t->state == S_COMMENT) {
            if (c == '*' && p + 1 < end && p[1] == '/') {
                t->state = S_INITIAL;
                p += 2;
                continue;
            }
        } else if (t->state == S_STRING) {
            if (c == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\')) {
                p += 2;
                continue;
            }
            if (c == '"')
                t->state = S_INITIAL;
        } else if (bol && include_at(p, end, &name_at)) {
            if (put(t, copied, (size_t)(p - copied)))
                goto oom;
            p = copied = include(t, file, depth, name_at, end, &line);
            if (!p)
                return -1;
            continue;
        } else if (c == '/' && p + 1 < end && p[1] == '*') {
            t->state = S_COMMENT;
            p += 2;
            continue;
        } else if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
            while (p < end && *p != '\n')
                p++;
            continue;
        } else if (c == '"') {
            t->state = S_STRING;
        } else if (c == '@') {
            /* Not an include: a stray '@' is garbage to libconfig.  Keep it
             * garbage, but one that cannot start an include once pasted. */
            if (put(t, copied, (size_t)(p - copied)) || put(t, "`", 1))
                goto oom;
            copied = p + 1;
        } else if (c == '{' || c == '}' || c == '=' || c == ':' || c == ',') {
            if (count(t, file, line, c))
                return -1;
        }
        if (c == '\n')
            line++;
        p++;
    }
    if (put(t, copied, (size_t)(p - copied)))
        goto oom;
    if (t->len > (size_t)CFGTEXT_BYTES_MAX) {
        fail(t, "%s: the %s with its includes is over %ld bytes (allowed: at most %ld)",
             t->files[0].path, t->what, CFGTEXT_BYTES_MAX, CFGTEXT_BYTES_MAX);
        return -1;
    }
    return 0;
oom:
    fail(t, "%s: out of memory", t->files[file].path);
    return -1;
}

struct cfgtext *cfgtext_expand(const char *text, const char *name, const char *include_dir,
                               const char *what, char *err, size_t errlen)
{
    struct cfgtext *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    t->err = err;
    t->errlen = errlen;
    t->include_dir = include_dir;
    t->what = what;
    t->out_line = 1;
    t->group_keys = calloc(64, sizeof *t->group_keys);
    t->cap_groups = t->group_keys ? 64 : 0;
    t->files[0].path = strdup(name);
    t->files[0].text = (char *)text;
    t->files[0].len = strlen(text);
    t->n_files = 1;
    int rc = !t->files[0].path || !t->group_keys || mark(t, 0, 1) || put(t, "", 0) ? -1 : expand(t, 0, 0);
    t->files[0].text = NULL;
    if (rc) {
        if (!t->files[0].path)
            snprintf(err, errlen, "%s: out of memory", name);
        cfgtext_destroy(t);
        return NULL;
    }
    return t;
}

const char *cfgtext_text(const struct cfgtext *t)
{
    return t->out ? t->out : "";
}

const char *cfgtext_where(const struct cfgtext *t, int line, int *file_line)
{
    int lo = 0;
    for (int i = 0; i < t->n_spans && t->spans[i].out_line <= line; i++)
        lo = i;
    const struct span *s = &t->spans[lo];
    *file_line = s->line + (line - s->out_line);
    return t->files[s->file].path;
}

int cfgtext_parse(const struct cfgtext *t, config_t *cfg, const char *hint, char *err,
                  size_t errlen)
{
    if (config_read_string(cfg, cfgtext_text(t)) == CONFIG_TRUE)
        return 0;
    int line;
    const char *file = cfgtext_where(t, config_error_line(cfg), &line);
    snprintf(err, errlen, "%s:%d: %s%s%s", file, line, config_error_text(cfg), *hint ? " " : "",
             hint);
    return -1;
}

int cfgtext_n_files(const struct cfgtext *t)
{
    return t->n_files;
}

const char *cfgtext_file(const struct cfgtext *t, int i)
{
    return i >= 0 && i < t->n_files ? t->files[i].path : NULL;
}

void cfgtext_destroy(struct cfgtext *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_files; i++) {
        free(t->files[i].path);
        free(t->files[i].text);
    }
    free(t->spans);
    free(t->group_keys);
    free(t->out);
    free(t);
}
