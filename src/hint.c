#include "hint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t hint_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The start of line LINE (1-based) in TEXT, or NULL. */
static const char *line_start(const char *text, int line)
{
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return p;
}

static size_t line_len(const char *p)
{
    const char *e = strchr(p, '\n');
    return e ? (size_t)(e - p) : strlen(p);
}

/* The 1-based column, in characters (UTF-8 continuation bytes do not count). */
static int column(const char *start, const char *at)
{
    int col = 1;
    for (const char *p = start; p < at; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            col++;
    return col;
}

/* A copy of the line with strings and comments blanked to spaces, so that
 * the patterns below never match inside them; quotes stay, to be seen. */
static void blank_line(const char *p, size_t n, char *out, size_t outlen)
{
    size_t i = 0;
    char quote = 0;
    for (; i < n && i + 1 < outlen; i++) {
        char ch = p[i];
        if (quote) {
            if (ch == '\\' && i + 1 < n) {
                out[i++] = ' ';
                out[i] = ' ';
                continue;
            }
            if (ch == quote) {
                quote = 0;
                out[i] = ch;
            } else {
                out[i] = ' ';
            }
            continue;
        }
        if (ch == '"' || ch == '\'') {
            quote = ch;
            out[i] = ch;
        } else if (ch == '#' || (ch == '/' && i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '*'))) {
            for (; i < n && i + 1 < outlen; i++)
                out[i] = ' ';
            break;
        } else {
            out[i] = ch;
        }
    }
    out[i] = '\0';
}

/* Where the last character before column I of line LINE (P, blanked into B)
 * stands, looking back to the end of the line before when nothing but blanks
 * comes first: when it is WANT, 1 (on this line) or 2 (on the line before),
 * with its line and column in *AT_LINE and *COL; else 0. */
static int stands_before(const char *text, int line, const char *p, const char *b, size_t i,
                         char want, int *at_line, int *col)
{
    size_t j = i;
    while (j > 0 && isspace((unsigned char)b[j - 1]))
        j--;
    if (j > 0) {
        if (b[j - 1] != want)
            return 0;
        *at_line = line;
        *col = column(p, p + j - 1);
        return 1;
    }
    if (line <= 1)
        return 0;
    const char *q = line_start(text, line - 1);
    char pb[1024];
    blank_line(q, line_len(q), pb, sizeof pb);
    size_t k = strlen(pb);
    while (k > 0 && isspace((unsigned char)pb[k - 1]))
        k--;
    if (k == 0 || pb[k - 1] != want)
        return 0;
    *at_line = line - 1;
    *col = column(q, q + k - 1);
    return 2;
}

/* The hint for the value at column V of line LINE (P, blanked into B of
 * LEN), after an '=' or ':': 1 with it said into MSG, or 0 when it looks
 * like a value libconfig takes. */
static int value_hint(const char *p, const char *b, size_t len, size_t v, int line, int *at_line,
                      int *col, char *msg, size_t msglen)
{
    const char *val = p + v;
    size_t d = v;
    if (b[d] == '-' || b[d] == '+')
        d++;
    size_t digits = d;
    while (d < len && isdigit((unsigned char)b[d]))
        d++;
    if (d > digits && d + 1 < len && b[d] == ',' && isdigit((unsigned char)b[d + 1])) {
        size_t e = d + 1;
        while (e < len && isdigit((unsigned char)b[e]))
            e++;
        *at_line = line;
        *col = column(p, p + d);
        snprintf(msg, msglen, "%.*s has a decimal comma (write %.*s.%.*s)", (int)(e - v), val,
                 (int)(d - v), val, (int)(e - d - 1), p + d + 1);
        return 1;
    }
    if (d > digits && d + 1 < len && b[d] == ':' && isdigit((unsigned char)b[d + 1])) {
        size_t e = d + 1;
        while (e < len && isdigit((unsigned char)b[e]))
            e++;
        *at_line = line;
        *col = column(p, val);
        if (d - digits > 6 || e - d - 1 > 6) { /* no time: its seconds would overflow */
            snprintf(msg, msglen, "%.*s is not a number (a time is written in seconds)",
                     (int)(e - v), val);
            return 1;
        }
        long mins = strtol(val, NULL, 10), secs = strtol(p + d + 1, NULL, 10);
        snprintf(msg, msglen, "%.*s is not a number (a time is written in seconds: %ld.0)",
                 (int)(e - v), val, mins * 60 + secs);
        return 1;
    }
    if (b[v] == '\'') {
        size_t e = v + 1;
        while (e < len && b[e] != '\'')
            e++;
        *at_line = line;
        *col = column(p, val);
        snprintf(msg, msglen, "%.*s is in single quotes (a string takes double quotes: \"%.*s\")",
                 (int)(e < len ? e - v + 1 : e - v), val, (int)(e - v - 1), val + 1);
        return 1;
    }
    if (isalpha((unsigned char)b[v]) || b[v] == '_' || ((unsigned char)b[v] & 0x80)) {
        size_t e = v;
        while (e < len && (isalnum((unsigned char)b[e]) || b[e] == '_' || b[e] == '-' ||
                           b[e] == ' ' || ((unsigned char)b[e] & 0x80)))
            e++;
        while (e > v && b[e - 1] == ' ')
            e--;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(e - v), val);
        if (strcasecmp(word, "true") == 0 || strcasecmp(word, "false") == 0)
            return 0;
        *at_line = line;
        *col = column(p, val);
        if (strcasecmp(word, "nan") == 0 || strcasecmp(word, "inf") == 0 ||
            strcasecmp(word, "infinity") == 0) {
            snprintf(msg, msglen, "%s is not a number (write a number such as 60.0)", word);
            return 1;
        }
        snprintf(msg, msglen, "%s is not in double quotes (write \"%s\")", word, word);
        return 1;
    }
    return 0;
}

int hint_syntax(const char *text, int line, int *at_line, int *col, char *msg, size_t msglen)
{
    const char *p = line_start(text, line);
    if (!p || line < 1)
        return 0;
    size_t n = line_len(p);
    char b[1024];
    blank_line(p, n, b, sizeof b);
    size_t len = strlen(b);

    /* A comma right before the first ')' or ']', on this line or ending the
     * one before. */
    size_t i = strcspn(b, ")]");
    int at = i < len ? stands_before(text, line, p, b, i, ',', at_line, col) : 0;
    if (at == 1) {
        snprintf(msg, msglen, "a comma before '%c' (the last element takes none: remove it)",
                 b[i]);
        return 1;
    }
    if (at == 2) {
        snprintf(msg, msglen,
                 "a comma before '%c' on the next line (the last element takes none: "
                 "remove it)",
                 b[i]);
        return 1;
    }

    /* Two elements with no comma between: "} {", on one line or two. */
    i = strcspn(b, "{");
    if (i < len && stands_before(text, line, p, b, i, '}', at_line, col)) {
        snprintf(msg, msglen, "no comma after '}' (elements of a list are separated: }, {)");
        return 1;
    }

    /* The values after '=' or ':'. */
    for (i = 0; i < len; i++) {
        if (b[i] != '=' && b[i] != ':')
            continue;
        size_t v = i + 1;
        while (v < len && (b[v] == ' ' || b[v] == '\t'))
            v++;
        if (v < len && value_hint(p, b, len, v, line, at_line, col, msg, msglen))
            return 1;
    }
    return 0;
}

static int is_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '*';
}

/* The names set on line P ("NAME =" or "NAME :"), outside strings and
 * comments, one after another: the next after *POS, or 0 at the end. */
static int next_name(const char *b, size_t *pos, char *name, size_t namelen)
{
    size_t len = strlen(b);
    for (size_t i = *pos; i < len; i++) {
        if (!(isalpha((unsigned char)b[i]) || b[i] == '_') || (i > 0 && is_name_char(b[i - 1])))
            continue;
        size_t e = i;
        while (e < len && is_name_char(b[e]))
            e++;
        size_t k = e;
        while (k < len && (b[k] == ' ' || b[k] == '\t'))
            k++;
        if (k < len && (b[k] == '=' || b[k] == ':')) {
            snprintf(name, namelen, "%.*s", (int)(e - i), b + i);
            *pos = k + 1;
            return 1;
        }
        i = e;
    }
    return 0;
}

int hint_duplicate(const char *text, int line, char *name, size_t namelen)
{
    const char *p = line_start(text, line);
    if (!p || line < 1)
        return 0;
    char b[1024], got[64], other[64];
    blank_line(p, line_len(p), b, sizeof b);
    /* A name that this line sets twice, or else one set on the lines before. */
    size_t pos = 0;
    while (next_name(b, &pos, got, sizeof got)) {
        size_t pos2 = pos;
        while (next_name(b, &pos2, other, sizeof other))
            if (strcmp(got, other) == 0) {
                snprintf(name, namelen, "%s", got);
                return 1;
            }
    }
    pos = 0;
    while (next_name(b, &pos, got, sizeof got)) {
        for (int l = line - 1; l >= 1 && l >= line - 200; l--) {
            const char *q = line_start(text, l);
            char qb[1024];
            blank_line(q, line_len(q), qb, sizeof qb);
            size_t qp = 0;
            while (next_name(qb, &qp, other, sizeof other))
                if (strcmp(got, other) == 0) {
                    snprintf(name, namelen, "%s", got);
                    return 1;
                }
        }
    }
    return 0;
}

int hint_joined(const char *text, int line, const char *value, char *a, size_t alen, char *b,
                size_t blen)
{
    const char *p = line_start(text, line);
    if (!p || line < 1)
        return 0;
    size_t n = line_len(p);
    /* Each string literal's span on the line; two with only blanks between. */
    const char *prev_start = NULL, *prev_end = NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '#')
            break;
        if (p[i] != '"')
            continue;
        size_t e = i + 1;
        while (e < n && p[e] != '"')
            e += p[e] == '\\' ? 2 : 1;
        if (e >= n)
            break;
        if (prev_end) {
            const char *q = prev_end + 1;
            while (q < p + i && (*q == ' ' || *q == '\t'))
                q++;
            size_t la = (size_t)(prev_end - prev_start - 1), lb = e - i - 1;
            if (q == p + i && strlen(value) >= la + lb && strncmp(value, prev_start + 1, la) == 0 &&
                strncmp(value + la, p + i + 1, lb) == 0) {
                snprintf(a, alen, "%.*s", (int)la, prev_start + 1);
                snprintf(b, blen, "%.*s", (int)lb, p + i + 1);
                return 1;
            }
        }
        prev_start = p + i;
        prev_end = p + e;
        i = e;
    }
    return 0;
}
