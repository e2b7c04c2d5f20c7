#include "userconf.h"

#include "cfgtext.h"
#include "paths.h"
#include "routine.h"
#include "safefile.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void userconf_path(char *out, size_t outlen)
{
    paths_xdg(out, outlen, "XDG_CONFIG_HOME", ".config", "calfpace.cfg");
}

static int number(const config_setting_t *s, double *out)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        *out = config_setting_get_int(s);
        return 0;
    case CONFIG_TYPE_FLOAT:
        *out = config_setting_get_float(s);
        return isfinite(*out) ? 0 : -1;
    default:
        return -1;
    }
}

/* Says in ERR why the setting S (NAME, at FILE:LINE) was not taken: a known
 * one's own limit, or the list of known ones.  Always -1. */
static int refuse_setting(const config_setting_t *s, const char *name, const char *file,
                          int line, char *err, size_t errlen)
{
    /* Each setting with its own limit, not the whole list. */
    static const struct {
        const char *name, *allowed;
        int numeric;
    } known[] = {
        {"device", "a name in quotes, device = \"pulse\"", 0},
        {"volume", "a number of dB, -40.0 to 12.0", 1},
        {"voice", "\"en\", \"de\" or \"off\"", 0},
        {"tempo_scale", "a number, 0.5 to 2.0", 1},
        {"latency", "seconds, 0.02 to 2.0", 1},
        {"mpris", "true or false", 0},
        {"pause_others", "true or false", 0},
        {"prompt_silence", "seconds, 0 to 10.0", 1},
        {"away", "seconds, 1 to 86400", 1},
        {"mono", "true or false", 0},
        {"balance", "a number, -1.0 (left only) to 1.0 (right only)", 1},
    };
    int k = -1;
    for (int i = 0; i < (int)(sizeof known / sizeof known[0]); i++)
        if (strcmp(name, known[i].name) == 0)
            k = i;
    if (k >= 0)
        snprintf(err, errlen, "%s:%d: '%s' %s (allowed: %s)", file, line, name,
                 known[k].numeric && config_setting_is_number(s) ? "is out of range"
                                                                 : "has a wrong type",
                 known[k].allowed);
    else
        snprintf(err, errlen,
                 "%s:%d: unknown setting '%s' (allowed: device, volume, voice, "
                 "tempo_scale, latency, mpris, pause_others, prompt_silence, away, "
                 "mono, balance)",
                 file, line, name);
    return -1;
}

/* Takes the root setting S, read at FILE:LINE, into U: 0, or -1 with what
 * is wrong in ERR. */
static int take_setting(struct userconf *u, const config_setting_t *s, const char *file, int line,
                        char *err, size_t errlen)
{
    const char *name = config_setting_name(s);
    double v;
    if (strcmp(name, "device") == 0 && config_setting_type(s) == CONFIG_TYPE_STRING) {
        snprintf(u->device, sizeof u->device, "%s", config_setting_get_string(s));
    } else if (strcmp(name, "voice") == 0 && config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *lang = config_setting_get_string(s);
        if (strcmp(lang, "off") == 0) {
            u->voice_off = 1;
        } else if (routine_voice_known(lang)) {
            snprintf(u->voice, sizeof u->voice, "%s", lang);
        } else {
            snprintf(err, errlen,
                     "%s:%d: voice \"%s\" is not known (allowed: \"en\", \"de\", "
                     "\"off\")",
                     file, line, lang);
            return -1;
        }
    } else if (strcmp(name, "volume") == 0 && number(s, &v) == 0 && v >= -40.0 && v <= 12.0) {
        u->volume_db = v;
    } else if (strcmp(name, "tempo_scale") == 0 && number(s, &v) == 0 && v >= 0.5 && v <= 2.0) {
        u->tempo_scale = v;
    } else if (strcmp(name, "latency") == 0 && number(s, &v) == 0 && v >= USERCONF_LATENCY_MIN &&
               v <= USERCONF_LATENCY_MAX) {
        u->latency = v;
    } else if (strcmp(name, "mpris") == 0 && config_setting_type(s) == CONFIG_TYPE_BOOL) {
        u->mpris = config_setting_get_bool(s);
    } else if (strcmp(name, "pause_others") == 0 && config_setting_type(s) == CONFIG_TYPE_BOOL) {
        u->pause_others = config_setting_get_bool(s);
    } else if (strcmp(name, "prompt_silence") == 0 && number(s, &v) == 0 && v >= 0.0 &&
               v <= 10.0) {
        u->prompt_silence = v;
    } else if (strcmp(name, "away") == 0 && number(s, &v) == 0 && v >= 1.0 && v <= 86400.0) {
        u->away = v;
    } else if (strcmp(name, "mono") == 0 && config_setting_type(s) == CONFIG_TYPE_BOOL) {
        u->mono = config_setting_get_bool(s);
    } else if (strcmp(name, "balance") == 0 && number(s, &v) == 0 && v >= -1.0 && v <= 1.0) {
        u->balance = v;
    } else {
        return refuse_setting(s, name, file, line, err, errlen);
    }
    return 0;
}

int userconf_load(const char *path, struct userconf *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    snprintf(u->path, sizeof u->path, "%s", path);
    u->tempo_scale = 1.0;
    u->mpris = 1;
    u->pause_others = 1;
    u->prompt_silence = USERCONF_PROMPT_SILENCE;
    u->away = USERCONF_AWAY;
    char *text;
    size_t len;
    int missing;
    if (safefile_read(path, USERCONF_FILE_MAX, "personal config", &text, &len, &missing, err,
                      errlen) != 0)
        return missing ? 0 : -1;
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: the personal config holds binary data (it is a text file)",
                 path);
        free(text);
        return -1;
    }
    /* Includes from the config's own folder, read the way a routine's are. */
    char dir[1024];
    paths_dir_of(path, dir, sizeof dir);
    struct cfgtext *ct = cfgtext_expand(text, path, dir, "personal config", err, errlen);
    free(text);
    if (!ct)
        return -1;
    config_t cfg;
    config_init(&cfg);
    if (cfgtext_parse(ct, &cfg, "(see 'man calfpace', FILES)", err, errlen) != 0) {
        config_destroy(&cfg);
        cfgtext_destroy(ct);
        return -1;
    }
    config_setting_t *root = config_root_setting(&cfg);
    int rc = 0;
    for (int i = 0; i < config_setting_length(root) && rc == 0; i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        int line;
        const char *file = cfgtext_where(ct, (int)config_setting_source_line(s), &line);
        rc = take_setting(u, s, file, line, err, errlen);
    }
    config_destroy(&cfg);
    cfgtext_destroy(ct);
    return rc;
}

/* Where the value of the root setting NAME starts and ends in TEXT, given
 * the line libconfig read it on: the name (outside comments and strings),
 * '=' or ':', then one or more string literals.  0, or -1 if not found. */
static int value_span(const char *text, int line, const char *name, size_t *from, size_t *to)
{
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    size_t nl = strlen(name);
    /* The line starts outside any string or comment: libconfig began a
     * setting on it.  Walk it as libconfig's scanner would. */
    while (*p && *p != '\n') {
        if (*p == '#' || (p[0] == '/' && p[1] == '/'))
            return -1;
        if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (!end)
                return -1;
            p = end + 2;
            continue;
        }
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
            continue;
        }
        int starts = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
                                    p[-1] == '-' || p[-1] == '*');
        if (starts && strncmp(p, name, nl) == 0 &&
            !(isalnum((unsigned char)p[nl]) || p[nl] == '_' || p[nl] == '-' || p[nl] == '*')) {
            const char *q = p + nl;
            while (isspace((unsigned char)*q))
                q++;
            if (*q != '=' && *q != ':')
                return -1;
            q++;
            while (isspace((unsigned char)*q))
                q++;
            if (*q != '"')
                return -1;
            *from = (size_t)(q - text);
            while (*q == '"') { /* "a" "b" is one string to libconfig */
                for (q++; *q && *q != '"'; q++)
                    if (*q == '\\' && q[1])
                        q++;
                if (!*q)
                    return -1;
                q++;
                const char *r = q;
                while (isspace((unsigned char)*r))
                    r++;
                if (*r == '"')
                    q = r;
            }
            *to = (size_t)(q - text);
            return 0;
        }
        p++;
    }
    return -1;
}

/* PATH's text into *TEXT (owned by the caller), or an empty one when there
 * is no file yet (its folder made): 0, or -1 with what is wrong in ERR. */
static int read_or_empty(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    int missing;
    if (safefile_read(path, USERCONF_FILE_MAX, "personal config", text, len, &missing, err,
                      errlen) == 0)
        return 0;
    if (!missing)
        return -1;
    *text = calloc(1, 1);
    *len = 0;
    if (!*text) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    paths_make_parents(path, 0755);
    return 0;
}

/* Where device is set in TEXT (PATH's, with includes from DIR), read as
 * userconf_load does: *FOUND 0 when it is not set, else 1 with its value
 * from *FROM to *TO.  0, or -1 with what is wrong in ERR (DEVICE is what
 * the message tells to write instead). */
static int find_device(const char *text, const char *path, const char *dir, const char *device,
                       int *found, size_t *from, size_t *to, char *err, size_t errlen)
{
    struct cfgtext *ct = cfgtext_expand(text, path, dir, "personal config", err, errlen);
    if (!ct)
        return -1;
    config_t cfg;
    config_init(&cfg);
    int rc = cfgtext_parse(ct, &cfg, "(the device is not saved)", err, errlen);
    int line = 0;
    const char *file = path;
    config_setting_t *s = rc == 0 ? config_setting_get_member(config_root_setting(&cfg), "device")
                                  : NULL;
    if (s)
        file = cfgtext_where(ct, (int)config_setting_source_line(s), &line);
    if (rc == 0 && s && strcmp(file, path) != 0) {
        snprintf(err, errlen,
                 "%s:%d: device is set in a file the config includes; calfpace leaves it as it "
                 "is (write device = \"%s\"; there to keep it)",
                 file, line, device);
        rc = -1;
    }
    if (rc == 0 && s && value_span(text, line, "device", from, to) != 0) {
        snprintf(err, errlen, "%s:%d: cannot find device's value to replace (write device = "
                              "\"%s\"; there to keep it)",
                 path, line, device);
        rc = -1;
    }
    *found = s != NULL;
    config_destroy(&cfg);
    cfgtext_destroy(ct);
    return rc;
}

/* TEXT (LEN bytes) with device = "DEVICE": the value from FROM to TO
 * replaced when FOUND, else a line added.  A new string (length in
 * *OUT_LEN), or NULL when out of memory. */
static char *with_device(const char *text, size_t len, int found, size_t from, size_t to,
                         const char *device, size_t *out_len)
{
    char *out = malloc(len + strlen(device) + 129);
    if (!out)
        return NULL;
    if (found) { /* in place: only the value changes */
        memcpy(out, text, from);
        *out_len = from;
        *out_len += (size_t)sprintf(out + *out_len, "\"%s\"", device);
        memcpy(out + *out_len, text + to, len - to);
        *out_len += len - to;
    } else {
        memcpy(out, text, len);
        *out_len = len;
        if (len > 0 && text[len - 1] != '\n')
            out[(*out_len)++] = '\n';
        *out_len += (size_t)sprintf(out + *out_len,
                                    "device = \"%s\";  # the last device chosen with --device\n",
                                    device);
    }
    out[*out_len] = '\0';
    return out;
}

/* Does OUT (PATH's new text, with includes from DIR) read back with
 * DEVICE?  A file that ends inside a comment or a string would swallow an
 * added line.  0, or -1 with what is wrong in ERR. */
static int reads_back(const char *out, const char *path, const char *dir, const char *device,
                      char *err, size_t errlen)
{
    struct cfgtext *check = cfgtext_expand(out, path, dir, "personal config", err, errlen);
    config_t cfg;
    config_init(&cfg);
    const char *now = NULL;
    if (check && cfgtext_parse(check, &cfg, "", err, errlen) == 0) {
        config_setting_t *d = config_setting_get_member(config_root_setting(&cfg), "device");
        now = d ? config_setting_get_string(d) : NULL;
    }
    int rc = 0;
    if (!now || strcmp(now, device) != 0) {
        snprintf(err, errlen,
                 "%s: the device cannot be added without breaking the file (does it end "
                 "inside a comment or a string?); write device = \"%s\"; yourself",
                 path, device);
        rc = -1;
    }
    config_destroy(&cfg);
    cfgtext_destroy(check);
    return rc;
}

int userconf_save_device(const char *path, const char *device, char *err, size_t errlen)
{
    if (strchr(device, '"') || strchr(device, '\\') || strchr(device, '\n')) {
        snprintf(err, errlen, "%s: a device name with quotes or backslashes is not saved", path);
        return -1;
    }
    char *text;
    size_t len;
    if (read_or_empty(path, &text, &len, err, errlen) != 0)
        return -1;
    char dir[1024];
    paths_dir_of(path, dir, sizeof dir);
    int found = 0;
    size_t from = 0, to = 0, out_len = 0;
    char *out = NULL;
    int rc = find_device(text, path, dir, device, &found, &from, &to, err, errlen);
    if (rc == 0) {
        out = with_device(text, len, found, from, to, device, &out_len);
        if (!out) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        }
    }
    free(text);
    if (rc == 0)
        rc = reads_back(out, path, dir, device, err, errlen);
    if (rc == 0)
        rc = safefile_replace(path, out, out_len, 0644, 1, err, errlen);
    free(out);
    return rc;
}
