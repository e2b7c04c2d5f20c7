#include "stream_props.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application properties, on the client (the pulse plugin sets its own
 * application.name, "ALSA plug-in [calfpace]", so these must override it). */
#define PULSE_OVERRIDE "application.name=calfpace application.icon_name=calfpace application.id=calfpace"
/* The stream's role: the plugin sets none. */
#define PULSE_PLAIN "media.role=music"
#define PIPEWIRE "application.name=calfpace application.icon-name=calfpace media.role=Music"

/* Does TEXT set KEY (LEN bytes): KEY at a token's start, then '=' or ':'
 * or a space before one? */
static int sets_key(const char *text, const char *key, size_t len)
{
    for (const char *p = text; (p = strstr(p, key)) != NULL; p++) {
        int starts = p == text || isspace((unsigned char)p[-1]) || p[-1] == '{' || p[-1] == ',' ||
                     p[-1] == '"' || p[-1] == '\'';
        const char *q = p + len;
        if (*q == '"' || *q == '\'')
            q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (starts && (*q == '=' || *q == ':'))
            return 1;
    }
    return 0;
}

int stream_props_merge(const char *user, const char *ours, char *out, size_t outlen)
{
    if (!user)
        user = "";
    size_t n = strlen(user);
    /* SPA JSON in braces: our keys go in before the closing brace. */
    size_t end = n;
    while (end > 0 && isspace((unsigned char)user[end - 1]))
        end--;
    int braced = end > 0 && user[end - 1] == '}';
    size_t head = braced ? end - 1 : n;
    if (head >= outlen)
        goto too_small;
    memcpy(out, user, head);
    size_t o = head;
    const char *p = ours;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *eq = strchr(p, '='), *stop = strchr(p, ' ');
        size_t pair = stop ? (size_t)(stop - p) : strlen(p);
        if (!eq || pair == 0)
            break;
        char key[128];
        size_t klen = (size_t)(eq - p);
        if (klen >= sizeof key)
            break;
        memcpy(key, p, klen);
        key[klen] = '\0';
        if (!sets_key(user, key, klen)) {
            int sep = o > 0 && !isspace((unsigned char)out[o - 1]);
            if (o + (size_t)sep + pair >= outlen)
                goto too_small;
            if (sep)
                out[o++] = ' ';
            memcpy(out + o, p, pair);
            o += pair;
        }
        p += pair;
    }
    if (braced) {
        if (o + 2 + (n - end + 1) >= outlen)
            goto too_small;
        out[o++] = ' ';
        memcpy(out + o, user + end - 1, n - end + 1); /* the brace and what follows */
        o += n - end + 1;
    }
    out[o] = '\0';
    return 0;
too_small:
    snprintf(out, outlen, "%s", user);
    return -1;
}

static void merge_into(const char *name, const char *ours)
{
    char value[2048];
    if (stream_props_merge(getenv(name), ours, value, sizeof value) == 0)
        setenv(name, value, 1);
}

void stream_props_apply(void)
{
    merge_into("PULSE_PROP_OVERRIDE", PULSE_OVERRIDE);
    merge_into("PULSE_PROP", PULSE_PLAIN);
    merge_into("PIPEWIRE_PROPS", PIPEWIRE);
}
