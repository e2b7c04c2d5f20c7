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
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
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
        const char *name = config_setting_name(s);
        int line;
        const char *file = cfgtext_where(ct, (int)config_setting_source_line(s), &line);
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
                rc = -1;
            }
        } else if (strcmp(name, "volume") == 0 && number(s, &v) == 0 && v >= -40.0 && v <= 12.0) {
            u->volume_db = v;
        } else if (strcmp(name, "tempo_scale") == 0 && number(s, &v) == 0 && v >= 0.5 && v <= 2.0) {
            u->tempo_scale = v;
        } else if (strcmp(name, "latency") == 0 && number(s, &v) == 0 &&
                   v >= USERCONF_LATENCY_MIN && v <= USERCONF_LATENCY_MAX) {
            u->latency = v;
        } else if (strcmp(name, "mpris") == 0 && config_setting_type(s) == CONFIG_TYPE_BOOL) {
            u->mpris = config_setting_get_bool(s);
        } else if (strcmp(name, "pause_others") == 0 &&
                   config_setting_type(s) == CONFIG_TYPE_BOOL) {
            u->pause_others = config_setting_get_bool(s);
        } else if (strcmp(name, "prompt_silence") == 0 && number(s, &v) == 0 && v >= 0.0 &&
                   v <= 10.0) {
            u->prompt_silence = v;
        } else if (strcmp(name, "away") == 0 && number(s, &v) == 0 && v >= 1.0 &&
                   v <= 86400.0) {
            u->away = v;
        } else {
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
            };
            int k = -1;
            for (int i2 = 0; i2 < (int)(sizeof known / sizeof known[0]); i2++)
                if (strcmp(name, known[i2].name) == 0)
                    k = i2;
            if (k >= 0)
                snprintf(err, errlen, "%s:%d: '%s' %s (allowed: %s)", file, line, name,
                         known[k].numeric && config_setting_is_number(s) ? "is out of range"
                                                                         : "has a wrong type",
                         known[k].allowed);
            else
                snprintf(err, errlen,
                         "%s:%d: unknown setting '%s' (allowed: device, volume, voice, "
                         "tempo_scale, latency, mpris, pause_others, prompt_silence, away)",
                         file, line, name);
            rc = -1;
        }
    }
    config_destroy(&cfg);
    cfgtext_destroy(ct);
    return rc;
}

int userconf_save_device(const char *path, const char *device, char *err, size_t errlen)
{
    if (strchr(device, '"') || strchr(device, '\\') || strchr(device, '\n')) {
        snprintf(err, errlen, "%s: a device name with quotes or backslashes is not saved", path);
        return -1;
    }
    paths_make_parents(path, 0755);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.new-%ld", path, (long)getpid());
    FILE *in = fopen(path, "r");
    FILE *out = fopen(tmp, "w");
    if (!out) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        if (in)
            fclose(in);
        return -1;
    }
    int done = 0;
    char line[2048];
    while (in && fgets(line, sizeof line, in)) {
        const char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (!done && strncmp(p, "device", 6) == 0 &&
            (isspace((unsigned char)p[6]) || p[6] == '=' || p[6] == ':')) {
            fprintf(out, "device = \"%s\";  # the last device chosen with --device\n", device);
            done = 1;
        } else {
            fputs(line, out);
        }
    }
    if (!done)
        fprintf(out, "device = \"%s\";  # the last device chosen with --device\n", device);
    if (in)
        fclose(in);
    if (fclose(out) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot save: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
