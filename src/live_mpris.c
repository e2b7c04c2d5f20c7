#include "live_mpris.h"

#include "mpris.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct live_mpris {
    struct session *session;
    struct mpris *mpris;
    int64_t paused_frames; /* frames spent paused so far, counted here */
    int64_t paused_seen;   /* the frame last seen while paused, or -1 */
};

/* Media keys and headset buttons: the same commands as the keys. */
static void on_command(void *ctx, enum mpris_command cmd, double value)
{
    struct live_mpris *m = ctx;
    struct session *s = m->session;
    switch (cmd) {
    case MPRIS_PLAY:
        session_command(s, CONTROL_PAUSE, -1.0);
        break;
    case MPRIS_PAUSE:
        session_command(s, CONTROL_PAUSE, 1.0);
        break;
    case MPRIS_PLAY_PAUSE:
        session_command(s, CONTROL_PAUSE, 0.0);
        break;
    case MPRIS_NEXT:
        session_command(s, CONTROL_NEXT, 0.0);
        break;
    case MPRIS_PREVIOUS:
        session_command(s, CONTROL_BACK, 0.0);
        break;
    case MPRIS_STOP:
        session_request_stop(s);
        break;
    case MPRIS_VOLUME: {
        double db = value > 0.0 ? 20.0 * log10(value) : ENGINE_VOLUME_MIN_DB;
        if (db < ENGINE_VOLUME_MIN_DB)
            db = ENGINE_VOLUME_MIN_DB;
        if (db > ENGINE_VOLUME_MAX_DB)
            db = ENGINE_VOLUME_MAX_DB;
        session_change_volume(s, db - session_volume_db(s));
        break;
    }
    }
}

/* What the desktop's media widget shows.  Position is the time played,
 * pauses left out: it counts from the engine's frame. */
static void snapshot(void *ctx, struct mpris_state *ms)
{
    struct live_mpris *m = ctx;
    const struct routine *r = session_routine(m->session);
    struct engine_status st;
    session_status(m->session, &st);
    ms->playing = !st.paused;
    ms->finished = st.finished;
    int in_step = st.step >= 0 && st.step < r->n_steps;
    ms->track = in_step ? st.round * r->n_steps + st.step : -1;
    snprintf(ms->title, sizeof ms->title, "%s", in_step ? r->steps[st.step].name : r->name);
    snprintf(ms->album, sizeof ms->album, "%s", r->name);
    ms->length_us = (int64_t)llround(session_seconds(m->session) * 1e6);
    int64_t played = st.frame - m->paused_frames;
    if (st.paused && m->paused_seen >= 0)
        played -= st.frame - m->paused_seen;
    ms->position_us = played > 0 ? (int64_t)((double)played * 1e6 / r->rate) : 0;
    ms->volume = pow(10.0, st.volume_db / 20.0);
    ms->can_next = !in_step || st.step + 1 < r->n_steps || st.round + 1 < r->repeat;
    ms->can_previous = in_step;
}

static int prepare(void *ctx, short *events)
{
    struct live_mpris *m = ctx;
    *events = mpris_events(m->mpris);
    return mpris_timeout_ms(m->mpris, SESSION_POLL_MS);
}

static void after_poll(void *ctx)
{
    struct live_mpris *m = ctx;
    mpris_process(m->mpris);
}

/* Each turn: the count of frames spent paused, and the player's state. */
static void update(void *ctx, const struct engine_status *st)
{
    struct live_mpris *m = ctx;
    if (st->paused) {
        if (m->paused_seen >= 0)
            m->paused_frames += st->frame - m->paused_seen;
        m->paused_seen = st->frame;
    } else {
        m->paused_seen = -1;
    }
    mpris_update(m->mpris, session_jumped(m->session));
}

struct live_mpris *live_mpris_attach(struct session *s, int player, int pause_others)
{
    if (!player && !pause_others)
        return NULL;
    struct live_mpris *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->session = s;
    m->paused_seen = -1;
    /* On the bus only now, while the session plays: an idle player would
     * take the media keys from the others.  The TV goes quiet before the
     * first sound. */
    m->mpris = mpris_open(player, on_command, snapshot, m);
    if (pause_others)
        mpris_pause_others(m->mpris);
    struct session_source src = {
        .fd = mpris_fd(m->mpris),
        .prepare = prepare,
        .after_poll = after_poll,
        .update = update,
        .ctx = m,
    };
    if (src.fd >= 0)
        session_add_source(s, &src);
    return m;
}

void live_mpris_detach(struct live_mpris *m)
{
    if (!m)
        return;
    mpris_update(m->mpris, 0);
    mpris_resume_others(m->mpris);
    mpris_close(m->mpris);
    free(m);
}
