#include "presence.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define LOGIN1 "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define MANAGER_IFACE "org.freedesktop.login1.Manager"
#define SESSION_IFACE "org.freedesktop.login1.Session"

struct presence {
    sd_bus *bus;
    sd_bus_slot *lock_slot, *sleep_slot;
    int locked, sleeping;
    double gone_at; /* when the listener left (wall clock), or 0 */
    double back;    /* seconds away, when just back; -1 otherwise */
};

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Called after locked or sleeping changed. */
static void changed(struct presence *p, int was_away)
{
    int away = p->locked || p->sleeping;
    if (away && !was_away) {
        p->gone_at = wall_now();
    } else if (!away && was_away && p->gone_at > 0.0) {
        p->back = wall_now() - p->gone_at;
        p->gone_at = 0.0;
    }
}

static int on_session_changed(sd_bus_message *m, void *u, sd_bus_error *e)
{
    (void)e;
    struct presence *p = u;
    const char *iface;
    if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, SESSION_IFACE) != 0)
        return 0;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
        return 0;
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char *key;
        if (sd_bus_message_read(m, "s", &key) < 0)
            return 0;
        if (strcmp(key, "LockedHint") == 0) {
            int v;
            if (sd_bus_message_read(m, "v", "b", &v) < 0)
                return 0;
            int was = p->locked || p->sleeping;
            p->locked = v;
            changed(p, was);
        } else if (sd_bus_message_skip(m, "v") < 0) {
            return 0;
        }
        if (sd_bus_message_exit_container(m) < 0)
            return 0;
    }
    return 0;
}

static int on_sleep(sd_bus_message *m, void *u, sd_bus_error *e)
{
    (void)e;
    struct presence *p = u;
    int v;
    if (sd_bus_message_read(m, "b", &v) < 0)
        return 0;
    int was = p->locked || p->sleeping;
    p->sleeping = v;
    changed(p, was);
    return 0;
}

static int session_path(sd_bus *bus, char *out, size_t outlen)
{
    const char *id = getenv("XDG_SESSION_ID");
    sd_bus_message *reply = NULL;
    const char *path;
    int r = sd_bus_call_method(bus, LOGIN1, LOGIN1_PATH, MANAGER_IFACE, "GetSession", NULL, &reply,
                               "s", id && *id ? id : "auto");
    if (r >= 0)
        r = sd_bus_message_read(reply, "o", &path);
    if (r >= 0)
        snprintf(out, outlen, "%s", path);
    sd_bus_message_unref(reply);
    return r < 0 ? r : 0;
}

struct presence *presence_open(void)
{
    struct presence *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->back = -1.0;
    char path[256];
    if (sd_bus_open_system(&p->bus) < 0)
        goto fail;
    sd_bus_set_method_call_timeout(p->bus, 1000000);
    /* Sleep is the machine's; the lock is the session's, if there is one. */
    if (sd_bus_match_signal(p->bus, &p->sleep_slot, LOGIN1, LOGIN1_PATH, MANAGER_IFACE,
                            "PrepareForSleep", on_sleep, p) < 0)
        goto fail;
    if (session_path(p->bus, path, sizeof path) == 0) {
        sd_bus_match_signal(p->bus, &p->lock_slot, LOGIN1, path, "org.freedesktop.DBus.Properties",
                            "PropertiesChanged", on_session_changed, p);
        int locked = 0;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        if (sd_bus_get_property_trivial(p->bus, LOGIN1, path, SESSION_IFACE, "LockedHint", &err,
                                        'b', &locked) >= 0 &&
            locked) {
            p->locked = 1;
            p->gone_at = wall_now();
        }
        sd_bus_error_free(&err);
    } else if (!sd_bus_is_open(p->bus)) {
        goto fail;
    }
    return p;
fail:
    presence_close(p);
    return NULL;
}

void presence_close(struct presence *p)
{
    if (!p)
        return;
    sd_bus_slot_unref(p->lock_slot);
    sd_bus_slot_unref(p->sleep_slot);
    sd_bus_flush_close_unref(p->bus);
    free(p);
}

int presence_fd(const struct presence *p)
{
    return p ? sd_bus_get_fd(p->bus) : -1;
}

short presence_events(const struct presence *p)
{
    int ev = p ? sd_bus_get_events(p->bus) : 0;
    return (short)(ev > 0 ? ev : POLLIN);
}

double presence_process(struct presence *p)
{
    if (!p)
        return -1.0;
    for (int i = 0; i < 64; i++)
        if (sd_bus_process(p->bus, NULL) <= 0)
            break;
    double back = p->back;
    p->back = -1.0;
    return back;
}

int presence_away(const struct presence *p)
{
    return p && (p->locked || p->sleeping);
}

/* ---- a call ---- */

int presence_on_call_parse(const char *sources, const char *outputs)
{
    /* The monitors' indices: "ID\tNAME\t...", NAME ending in .monitor. */
    long monitors[64];
    int n = 0;
    for (const char *line = sources; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        char *tab = strchr(buf, '\t');
        if (tab && n < 64) {
            char *name = tab + 1, *name_end = strchr(name, '\t');
            if (name_end)
                *name_end = '\0';
            size_t nl = strlen(name);
            if (nl > 8 && strcmp(name + nl - 8, ".monitor") == 0)
                monitors[n++] = strtol(buf, NULL, 10);
        }
        line = end ? end + 1 : NULL;
    }
    /* "ID\tSOURCE\tCLIENT\t...": one that records no monitor is a microphone. */
    for (const char *line = outputs; line && *line;) {
        const char *end = strchr(line, '\n');
        const char *tab = strchr(line, '\t');
        if (tab && (!end || tab < end)) {
            char *after;
            long source = strtol(tab + 1, &after, 10);
            int monitor = 0;
            for (int i = 0; i < n; i++)
                monitor |= monitors[i] == source;
            if (after != tab + 1 && !monitor)
                return 1;
        }
        line = end ? end + 1 : NULL;
    }
    return 0;
}

static char *slurp(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
        if (n + 1 >= cap) {
            char *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    int rc = pclose(f);
    if (buf)
        buf[n] = '\0';
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int presence_on_call(void)
{
    char *outputs = slurp("pactl list short source-outputs 2>/dev/null");
    if (!outputs)
        return 0;
    int call = 0;
    if (outputs[0]) {
        char *sources = slurp("pactl list short sources 2>/dev/null");
        call = presence_on_call_parse(sources ? sources : "", outputs);
        free(sources);
    }
    free(outputs);
    return call;
}
