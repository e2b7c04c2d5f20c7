#define _GNU_SOURCE /* strcasestr */
#include "devmatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

enum devmatch devmatch_find(const char *want, const char *const *names, int n, int *found,
                            char *err, size_t errlen)
{
    if (all_digits(want)) {
        long idx = strtol(want, NULL, 10);
        if (idx < 0 || idx >= n || !names[idx] || strlen(want) > 9)
            return DEVMATCH_NONE;
        *found = (int)idx;
        return DEVMATCH_FOUND;
    }
    for (int i = 0; i < n; i++)
        if (names[i] && strcasecmp(names[i], want) == 0) {
            *found = i;
            return DEVMATCH_FOUND;
        }
    int count = 0;
    for (int i = 0; i < n; i++)
        if (names[i] && strcasestr(names[i], want)) {
            if (count == 0)
                *found = i;
            count++;
        }
    if (count == 0)
        return DEVMATCH_NONE;
    if (count == 1)
        return DEVMATCH_FOUND;
    size_t len = (size_t)snprintf(err, errlen, "\"%s\" matches %d devices:", want, count);
    int listed = 0;
    for (int i = 0; i < n && len < errlen; i++)
        if (names[i] && strcasestr(names[i], want))
            len += (size_t)snprintf(err + len, errlen - len, "%s \"%s\"", listed++ ? "," : "",
                                    names[i]);
    if (len < errlen)
        snprintf(err + len, errlen - len,
                 " (give more of the name, or its index from 'calfpace devices')");
    return DEVMATCH_SEVERAL;
}
