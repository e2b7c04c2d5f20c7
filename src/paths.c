#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_sounds(const char *dir)
{
    char p[4096];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/sounds", dir) >= sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Shown to people, so without "bin/../": /usr/share/calfpace. */
static void tidy(char *path, size_t len)
{
    char real[PATH_MAX];
    if (realpath(path, real) && strlen(real) < len)
        memcpy(path, real, strlen(real) + 1);
}

int paths_data_dir(char *out, size_t outlen)
{
    const char *env = getenv("CALFPACE_DATA");
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return has_sounds(out) ? 0 : -1;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* PREFIX/bin/calfpace -> PREFIX/share/calfpace */
            if ((size_t)snprintf(out, outlen, "%s/%s", exe, CALFPACE_DATADIR_FROM_BIN) < outlen &&
                has_sounds(out)) {
                tidy(out, outlen);
                return 0;
            }
        }
    }
    snprintf(out, outlen, "%s", CALFPACE_SOURCE_DIR);
    return has_sounds(out) ? 0 : -1;
}

int paths_xdg(char *out, size_t outlen, const char *env, const char *fallback, const char *leaf)
{
    const char *xdg = getenv(env);
    const char *home = getenv("HOME");
    int len, found = 1;
    /* The XDG spec says a relative path there is invalid and ignored. */
    if (xdg && xdg[0] == '/')
        len = snprintf(out, outlen, "%s/calfpace/%s", xdg, leaf);
    else {
        found = home && home[0];
        len = snprintf(out, outlen, "%s/%s/calfpace/%s", found ? home : ".", fallback, leaf);
    }
    return !found ? -1 : len < 0 || (size_t)len >= outlen ? -2 : 0;
}

void paths_user_sounds_dir(char *out, size_t outlen)
{
    paths_xdg(out, outlen, "XDG_DATA_HOME", ".local/share", "sounds");
}

const char *paths_dir_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
    return slash ? slash + 1 : path;
}

int paths_make_parents(const char *path, unsigned int mode)
{
    char dir[4096];
    if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir)
        return -1;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        struct stat st;
        if (mkdir(dir, (mode_t)mode) != 0 && !(stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
            return -1;
        *p = '/';
    }
    return 0;
}

const char *paths_format_doc(void)
{
    static char doc[PATH_MAX];
    char data[PATH_MAX - 64];
    if (paths_data_dir(data, sizeof data) == 0) {
        /* Installed: PREFIX/share/calfpace -> PREFIX/share/doc/calfpace. */
        snprintf(doc, sizeof doc, "%s/../doc/calfpace/routine-format.md", data);
        tidy(doc, sizeof doc);
        if (access(doc, R_OK) == 0)
            return doc;
        snprintf(doc, sizeof doc, "%s/docs/routine-format.md", data);
        if (access(doc, R_OK) == 0)
            return doc;
    }
    return "the routine format in 'man calfpace'";
}
