#include "mpris.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define MPRIS_PATH "/org/mpris/MediaPlayer2"
#define ROOT_IFACE "org.mpris.MediaPlayer2"
#define PLAYER_IFACE "org.mpris.MediaPlayer2.Player"
#define NAME_PREFIX "org.mpris.MediaPlayer2."
#define OWN_NAME "org.mpris.MediaPlayer2.calfpace"
#define NO_TRACK "/org/mpris/MediaPlayer2/TrackList/NoTrack"
#define CALL_TIMEOUT_US 1000000 /* a hung player must not hang a session */
#define MAX_OTHERS 16

struct other {
    char name[256];  /* the well-known name we paused it under */
    char owner[128]; /* its unique connection name then */
    int touched;     /* the listener changed its state since */
    sd_bus_slot *watch;
};

struct mpris {
    sd_bus *bus;
    sd_bus_slot *root_slot, *player_slot;
    char name[96];
    mpris_command_fn command;
    mpris_state_fn state;
    void *ctx;
    struct mpris_state cur; /* what was last announced */
    int have_cur;
    struct other others[MAX_OTHERS];
    int n_others;
};

/* ---- UTF-8 ---- */

/* The length of the well-formed sequence at S (N bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no UTF-16 surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

void mpris_utf8_clean(const char *text, char *out, size_t outlen)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    while (n > 0) {
        size_t len = utf8_seq(s, n);
        if (len == 0) {
            if (o + 1 >= outlen)
                break;
            out[o++] = '?';
            s++;
            n--;
            continue;
        }
        if (o + len >= outlen)
            break;
        memcpy(out + o, s, len);
        o += len;
        s += len;
        n -= len;
    }
    out[o] = '\0';
}

/* ---- the player ---- */

static void refresh(struct mpris *m, struct mpris_state *st)
{
    memset(st, 0, sizeof *st);
    st->volume = 1.0;
    m->state(m->ctx, st);
    char clean[256];
    mpris_utf8_clean(st->title, clean, sizeof clean);
    memcpy(st->title, clean, sizeof clean);
    mpris_utf8_clean(st->album, clean, sizeof clean);
    memcpy(st->album, clean, sizeof clean);
}

static const char *status_text(const struct mpris_state *st)
{
    return st->finished ? "Stopped" : st->playing ? "Playing" : "Paused";
}

static int run(sd_bus_message *msg, struct mpris *m, enum mpris_command cmd)
{
    m->command(m->ctx, cmd, 0.0);
    return sd_bus_reply_method_return(msg, "");
}

static int on_play(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_PLAY);
}

static int on_pause(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_PAUSE);
}

static int on_play_pause(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_PLAY_PAUSE);
}

static int on_next(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_NEXT);
}

static int on_previous(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_PREVIOUS);
}

static int on_stop(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    return run(msg, u, MPRIS_STOP);
}

/* Raise, Seek, SetPosition: nothing to do (CanRaise and CanSeek are false),
 * but a reply all the same. */
static int on_nothing(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)u;
    (void)e;
    return sd_bus_reply_method_return(msg, "");
}

static int on_open_uri(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)msg;
    (void)u;
    return sd_bus_error_set_const(e, SD_BUS_ERROR_NOT_SUPPORTED,
                                  "calfpace plays routines, not URIs");
}

static int get_true(sd_bus *b, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(reply, "b", 1);
}

static int get_false(sd_bus *b, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(reply, "b", 0);
}

static int get_rate(sd_bus *b, const char *path, const char *iface, const char *prop,
                    sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(reply, "d", 1.0);
}

static int get_identity(sd_bus *b, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(reply, "s", "calfpace"); /* and calfpace.desktop */
}

static int get_empty_list(sd_bus *b, const char *path, const char *iface, const char *prop,
                          sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(reply, "as", 0);
}

static int get_status(sd_bus *b, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)e;
    struct mpris *m = u;
    return sd_bus_message_append(reply, "s", status_text(&m->cur));
}

static int get_can(sd_bus *b, const char *path, const char *iface, const char *prop,
                   sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)e;
    struct mpris *m = u;
    int v = !m->cur.finished;
    if (strcmp(prop, "CanGoNext") == 0)
        v = v && m->cur.can_next;
    else if (strcmp(prop, "CanGoPrevious") == 0)
        v = v && m->cur.can_previous;
    return sd_bus_message_append(reply, "b", v);
}

static int get_volume(sd_bus *b, const char *path, const char *iface, const char *prop,
                      sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)e;
    struct mpris *m = u;
    return sd_bus_message_append(reply, "d", m->cur.volume);
}

static int set_volume(sd_bus *b, const char *path, const char *iface, const char *prop,
                      sd_bus_message *value, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)e;
    struct mpris *m = u;
    double v;
    int r = sd_bus_message_read(value, "d", &v);
    if (r < 0)
        return r;
    m->command(m->ctx, MPRIS_VOLUME, v < 0.0 ? 0.0 : v);
    return 0;
}

static int get_position(sd_bus *b, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)e;
    struct mpris *m = u;
    struct mpris_state now;
    refresh(m, &now); /* Position is read fresh: it is never announced */
    return sd_bus_message_append(reply, "x", now.position_us);
}

static void track_path(const struct mpris_state *st, char *out, size_t outlen)
{
    if (st->track < 0 || st->finished)
        snprintf(out, outlen, NO_TRACK);
    else
        snprintf(out, outlen, "/org/calfpace/step/%d", st->track);
}

static int get_metadata(sd_bus *b, const char *path, const char *iface, const char *prop,
                        sd_bus_message *reply, void *u, sd_bus_error *e)
{
    (void)b, (void)path, (void)iface, (void)prop, (void)e;
    struct mpris *m = u;
    const struct mpris_state *st = &m->cur;
    char track[64];
    track_path(st, track, sizeof track);
    return sd_bus_message_append(reply, "a{sv}", 5, "mpris:trackid", "o", track, "mpris:length",
                                 "x", st->length_us, "xesam:title", "s", st->title, "xesam:album",
                                 "s", st->album, "xesam:artist", "as", 1, st->album);
}

static const sd_bus_vtable root_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Raise", "", "", on_nothing, 0),
    SD_BUS_METHOD("Quit", "", "", on_stop, 0),
    SD_BUS_PROPERTY("CanQuit", "b", get_true, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("CanRaise", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("HasTrackList", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Identity", "s", get_identity, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("DesktopEntry", "s", get_identity, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedUriSchemes", "as", get_empty_list, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SupportedMimeTypes", "as", get_empty_list, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
static const sd_bus_vtable player_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Next", "", "", on_next, 0),
    SD_BUS_METHOD("Previous", "", "", on_previous, 0),
    SD_BUS_METHOD("Pause", "", "", on_pause, 0),
    SD_BUS_METHOD("PlayPause", "", "", on_play_pause, 0),
    SD_BUS_METHOD("Stop", "", "", on_stop, 0),
    SD_BUS_METHOD("Play", "", "", on_play, 0),
    SD_BUS_METHOD("Seek", "x", "", on_nothing, 0),
    SD_BUS_METHOD("SetPosition", "ox", "", on_nothing, 0),
    SD_BUS_METHOD("OpenUri", "s", "", on_open_uri, 0),
    SD_BUS_SIGNAL("Seeked", "x", 0),
    SD_BUS_PROPERTY("PlaybackStatus", "s", get_status, 0, CHANGES),
    SD_BUS_PROPERTY("Rate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MinimumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("MaximumRate", "d", get_rate, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Metadata", "a{sv}", get_metadata, 0, CHANGES),
    SD_BUS_WRITABLE_PROPERTY("Volume", "d", get_volume, set_volume, 0, CHANGES),
    SD_BUS_PROPERTY("Position", "x", get_position, 0, 0),
    SD_BUS_PROPERTY("CanGoNext", "b", get_can, 0, CHANGES),
    SD_BUS_PROPERTY("CanGoPrevious", "b", get_can, 0, CHANGES),
    SD_BUS_PROPERTY("CanPlay", "b", get_can, 0, CHANGES),
    SD_BUS_PROPERTY("CanPause", "b", get_can, 0, CHANGES),
    SD_BUS_PROPERTY("CanSeek", "b", get_false, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("CanControl", "b", get_true, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

struct mpris *mpris_open(int player, mpris_command_fn command, mpris_state_fn state, void *ctx)
{
    struct mpris *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->command = command;
    m->state = state;
    m->ctx = ctx;
    if (sd_bus_open_user(&m->bus) < 0)
        goto fail;
    sd_bus_set_method_call_timeout(m->bus, CALL_TIMEOUT_US);
    if (!player)
        return m;
    refresh(m, &m->cur);
    m->have_cur = 1;
    if (sd_bus_add_object_vtable(m->bus, &m->root_slot, MPRIS_PATH, ROOT_IFACE, root_vtable, m) < 0 ||
        sd_bus_add_object_vtable(m->bus, &m->player_slot, MPRIS_PATH, PLAYER_IFACE, player_vtable,
                                 m) < 0)
        goto fail;
    snprintf(m->name, sizeof m->name, "%s", OWN_NAME);
    int r = sd_bus_request_name(m->bus, m->name, 0);
    if (r == -EEXIST) {
        snprintf(m->name, sizeof m->name, "%s.instance%ld", OWN_NAME, (long)getpid());
        r = sd_bus_request_name(m->bus, m->name, 0);
    }
    if (r < 0)
        goto fail;
    return m;
fail:
    m->name[0] = '\0';
    mpris_close(m);
    return NULL;
}

void mpris_close(struct mpris *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_others; i++)
        sd_bus_slot_unref(m->others[i].watch);
    sd_bus_slot_unref(m->root_slot);
    sd_bus_slot_unref(m->player_slot);
    if (m->bus) {
        if (m->name[0])
            sd_bus_release_name(m->bus, m->name);
        sd_bus_flush_close_unref(m->bus);
    }
    free(m);
}

const char *mpris_name(const struct mpris *m)
{
    return m && m->name[0] ? m->name : NULL;
}

int mpris_fd(const struct mpris *m)
{
    return m ? sd_bus_get_fd(m->bus) : -1;
}

short mpris_events(const struct mpris *m)
{
    int ev = m ? sd_bus_get_events(m->bus) : 0;
    return (short)(ev > 0 ? ev : POLLIN);
}

int mpris_timeout_ms(const struct mpris *m, int most)
{
    uint64_t usec;
    if (!m || sd_bus_get_timeout(m->bus, &usec) <= 0 || usec == UINT64_MAX)
        return most;
    /* an absolute CLOCK_MONOTONIC time */
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t now = (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
    if (usec <= now)
        return 0;
    uint64_t ms = (usec - now + 999) / 1000;
    return ms < (uint64_t)most ? (int)ms : most;
}

void mpris_process(struct mpris *m)
{
    if (!m)
        return;
    /* Each call handles one message; a burst of key presses is several. */
    for (int i = 0; i < 64; i++)
        if (sd_bus_process(m->bus, NULL) <= 0)
            break;
}

void mpris_update(struct mpris *m, int jumped)
{
    if (!m || !m->have_cur)
        return;
    struct mpris_state now;
    refresh(m, &now);
    const struct mpris_state *was = &m->cur;
    const char *changed[8];
    int n = 0;
    if (now.playing != was->playing || now.finished != was->finished)
        changed[n++] = "PlaybackStatus";
    if (now.track != was->track || now.finished != was->finished ||
        now.length_us != was->length_us || strcmp(now.title, was->title) != 0 ||
        strcmp(now.album, was->album) != 0)
        changed[n++] = "Metadata";
    if (now.volume != was->volume)
        changed[n++] = "Volume";
    if (now.can_next != was->can_next || now.finished != was->finished)
        changed[n++] = "CanGoNext";
    if (now.can_previous != was->can_previous || now.finished != was->finished)
        changed[n++] = "CanGoPrevious";
    if (now.finished != was->finished) {
        changed[n++] = "CanPlay";
        changed[n++] = "CanPause";
    }
    changed[n] = NULL;
    int track_changed = now.track != was->track;
    m->cur = now;
    if (n > 0)
        sd_bus_emit_properties_changed_strv(m->bus, MPRIS_PATH, PLAYER_IFACE, (char **)changed);
    if (jumped && track_changed)
        sd_bus_emit_signal(m->bus, MPRIS_PATH, PLAYER_IFACE, "Seeked", "x", now.position_us);
}

/* ---- the others ---- */

static int get_status_of(sd_bus *bus, const char *name, char *out, size_t outlen)
{
    char *s = NULL;
    int r = sd_bus_get_property_string(bus, name, MPRIS_PATH, PLAYER_IFACE, "PlaybackStatus", NULL,
                                       &s);
    if (r < 0)
        return r;
    snprintf(out, outlen, "%s", s);
    free(s);
    return 0;
}

static int owner_of(sd_bus *bus, const char *name, char *out, size_t outlen)
{
    sd_bus_message *reply = NULL;
    const char *owner;
    int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetNameOwner", NULL, &reply, "s", name);
    if (r >= 0)
        r = sd_bus_message_read(reply, "s", &owner);
    if (r >= 0)
        snprintf(out, outlen, "%s", owner);
    sd_bus_message_unref(reply);
    return r < 0 ? r : 0;
}

/* A PropertiesChanged from a player we paused: anything but Paused means
 * the listener has taken it over. */
static int on_other_changed(sd_bus_message *msg, void *u, sd_bus_error *e)
{
    (void)e;
    struct other *o = u;
    const char *iface;
    if (sd_bus_message_read(msg, "s", &iface) < 0 || strcmp(iface, PLAYER_IFACE) != 0)
        return 0;
    if (sd_bus_message_enter_container(msg, 'a', "{sv}") < 0)
        return 0;
    while (sd_bus_message_enter_container(msg, 'e', "sv") > 0) {
        const char *key, *value;
        if (sd_bus_message_read(msg, "s", &key) < 0)
            return 0;
        if (strcmp(key, "PlaybackStatus") == 0) {
            if (sd_bus_message_read(msg, "v", "s", &value) < 0)
                return 0;
            if (strcmp(value, "Paused") != 0)
                o->touched = 1;
        } else if (sd_bus_message_skip(msg, "v") < 0) {
            return 0;
        }
        if (sd_bus_message_exit_container(msg) < 0)
            return 0;
    }
    return 0;
}

int mpris_pause_others(struct mpris *m)
{
    if (!m)
        return 0;
    sd_bus_message *reply = NULL;
    if (sd_bus_call_method(m->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "ListNames", NULL, &reply, "") < 0)
        return 0;
    char **names = NULL;
    int r = sd_bus_message_read_strv(reply, &names);
    sd_bus_message_unref(reply);
    if (r < 0)
        return 0;
    const char *self = NULL;
    sd_bus_get_unique_name(m->bus, &self);
    int paused = 0;
    for (char **p = names; *p; p++) {
        const char *name = *p;
        char owner[128], status[32];
        if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0 || m->n_others >= MAX_OTHERS ||
            owner_of(m->bus, name, owner, sizeof owner) < 0 || (self && strcmp(owner, self) == 0))
            continue;
        int seen = 0; /* one player may hold several names */
        for (int i = 0; i < m->n_others; i++)
            seen |= strcmp(m->others[i].owner, owner) == 0;
        if (seen || get_status_of(m->bus, name, status, sizeof status) < 0 ||
            strcmp(status, "Playing") != 0)
            continue;
        struct other *o = &m->others[m->n_others];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", name);
        snprintf(o->owner, sizeof o->owner, "%s", owner);
        if (sd_bus_call_method(m->bus, name, MPRIS_PATH, PLAYER_IFACE, "Pause", NULL, NULL, "") < 0)
            continue;
        sd_bus_match_signal(m->bus, &o->watch, owner, MPRIS_PATH,
                            "org.freedesktop.DBus.Properties", "PropertiesChanged",
                            on_other_changed, o);
        m->n_others++;
        paused++;
    }
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
    return paused;
}

int mpris_resume_others(struct mpris *m)
{
    if (!m)
        return 0;
    mpris_process(m); /* take in what the others said meanwhile */
    int resumed = 0;
    for (int i = 0; i < m->n_others; i++) {
        struct other *o = &m->others[i];
        char owner[128], status[32];
        sd_bus_slot_unref(o->watch);
        o->watch = NULL;
        if (o->touched || owner_of(m->bus, o->name, owner, sizeof owner) < 0 ||
            strcmp(owner, o->owner) != 0 ||
            get_status_of(m->bus, o->name, status, sizeof status) < 0 ||
            strcmp(status, "Paused") != 0)
            continue;
        if (sd_bus_call_method(m->bus, o->name, MPRIS_PATH, PLAYER_IFACE, "Play", NULL, NULL, "") >=
            0)
            resumed++;
    }
    m->n_others = 0;
    return resumed;
}
