#include "live.h"
#include "errfilter.h"

#include "engine.h"
#include "live_mpris.h"
#include "out_portaudio.h"
#include "session.h"
#include "signals.h"
#include "status.h"
#include "setup.h"
#include "term.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double launched_at;

void live_mark_launch(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    launched_at = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Messages name files and devices: printed cleaned (term_clean). */
static void print_err(const char *prefix, const char *msg)
{
    char clean[4096];
    fprintf(stderr, "%s%s\n", prefix, term_clean(msg, clean, sizeof clean));
}

/* What a live session holds, freed in one place whatever got made. */
struct live {
    const struct live_options *opt;
    int pa_started;
    struct clip_bank *bank;
    struct engine_plan *plan; /* until the engine owns it */
    struct engine_plan *playing; /* the engine's first plan, to complete */
    const struct routine *shown; /* the plan's routine */
    struct engine *engine;
    struct output out;
    struct session *session;
    struct live_mpris *mpris;
};

struct audio_start {
    pthread_t thread;
    int rc;
    char err[512];
};

static void *start_audio(void *arg)
{
    struct audio_start *a = arg;
    a->rc = out_pa_init(a->err, sizeof a->err);
    return NULL;
}

/* The first sample waits for this: only the numbers the timeline says are
 * loaded now; the session loads the others once the sound runs. */
static struct engine_plan *load(const struct live_options *o, struct clip_bank **bank,
                                struct cp_error *err)
{
    struct setup_choice first = o->choice;
    first.first = 1;
    if (o->text)
        return setup_plan_text(o->text, o->routine, &first, bank, err);
    return setup_plan(o->routine, &first, bank, err);
}

/* The audio system's start (probing devices, about 100 ms) and the
 * routine's loading (about 150 ms) overlap: start-up is the longer one.
 * Returns CP_OK, or the kind of failure (said on stderr). */
static enum cp_err_kind start_up(struct live *l)
{
    struct cp_error err;
    struct audio_start pa;
    int threaded = pthread_create(&pa.thread, NULL, start_audio, &pa) == 0;
    if (!threaded)
        start_audio(&pa);
    l->plan = load(l->opt, &l->bank, &err);
    if (threaded)
        pthread_join(pa.thread, NULL);
    l->pa_started = pa.rc == 0;
    if (!l->plan) {
        print_err("", err.msg);
        return err.kind;
    }
    l->shown = engine_plan_routine(l->plan);
    l->engine = engine_create(l->plan, l->opt->tempo_scale);
    if (!l->engine) {
        fprintf(stderr, "calfpace: out of memory\n");
        return CP_RUNTIME;
    }
    l->playing = l->plan;
    l->plan = NULL;
    if (!l->pa_started) {
        print_err("calfpace: ", pa.err);
        return CP_RUNTIME;
    }
    return CP_OK;
}

/* The device asked for; a saved one that has gone (a headset unplugged
 * since) gives way to the default, which beats silence. */
static enum cp_err_kind open_device(struct live *l)
{
    struct cp_error err;
    const struct live_options *o = l->opt;
    struct output_params p = {.device = o->device, .latency = o->latency};
    if (output_open(&l->out, &out_pa_ops, l->engine, &p, &err) == 0)
        return CP_OK;
    int several = err.kind == CP_BAD_INPUT; /* a name several devices have */
    if (several && !o->device_saved) {
        print_err("calfpace: --device ", err.msg);
        return CP_BAD_INPUT;
    }
    if (o->device && o->device_saved) {
        char clean[2048];
        fprintf(stderr, "calfpace: %s; the saved device is not there, so the default plays\n",
                term_clean(err.msg, clean, sizeof clean));
        p.device = NULL;
        if (output_open(&l->out, &out_pa_ops, l->engine, &p, &err) == 0)
            return CP_OK;
    }
    if (!o->reminding && strstr(err.msg, "no audio output device") &&
        strlen(err.msg) + 80 < sizeof err.msg)
        strcat(err.msg, "; to make a file instead, use 'calfpace render ROUTINE -o session.wav'");
    print_err("calfpace: ", err.msg);
    return CP_RUNTIME;
}

/* CALFPACE_STALL_SECONDS shortens the wait for a device that stopped taking
 * frames (tests); else SESSION_STALL_SECONDS. */
static double stall_seconds(void)
{
    const char *env = getenv("CALFPACE_STALL_SECONDS");
    double v = env ? strtod(env, NULL) : 0.0;
    return v > 0.0 && v <= 60.0 ? v : SESSION_STALL_SECONDS;
}

/* Runs the session loop on the open device; returns the kind of failure
 * (CP_OK for none) and whether the device stalled. */
static enum cp_err_kind play(struct live *l, int *stalled)
{
    const struct live_options *o = l->opt;
    struct session_params p = {
        .routine = o->text ? NULL : o->routine,
        .choice = &o->choice,
        .keys_fd = STDIN_FILENO,
        .out = stdout,
        .out_fd = STDOUT_FILENO,
        .tty = isatty(STDOUT_FILENO) && status_wanted(),
        .quiet = o->quiet,
        .no_summary = o->no_summary,
        .figures = o->figures,
        .poll_ms = SESSION_POLL_MS,
        .stall_seconds = stall_seconds(),
        .complete = l->playing,
    };
    l->session = session_create(l->engine, &l->bank, l->shown, &l->out, &p);
    if (!l->session) {
        fprintf(stderr, "calfpace: out of memory\n");
        return CP_RUNTIME;
    }
    l->mpris = live_mpris_attach(l->session, o->mpris, o->pause_others);
    char err[2048];
    enum session_end end = session_run(l->session, err, sizeof err);
    if (end == SESSION_FAILED)
        print_err("calfpace: ", err);
    else
        session_report(l->session, stderr, launched_at);
    *stalled = end == SESSION_STALLED;
    return end == SESSION_FINISHED || end == SESSION_STOPPED ? CP_OK : CP_RUNTIME;
}

/* A stalled stream's callback may still run, or never return: leave it and
 * what it reads to the process's exit.  Everything else is freed; the other
 * players come back once our last sound has gone out. */
static void tear_down(struct live *l, int stalled)
{
    if (stalled)
        output_abandon(&l->out);
    else
        output_close(&l->out);
    live_mpris_detach(l->mpris);
    if (stalled)
        return;
    session_destroy(l->session);
    if (l->pa_started)
        out_pa_terminate();
    engine_destroy(l->engine);
    engine_plan_destroy(l->plan);
    clip_bank_destroy(l->bank);
}

enum cp_err_kind live_play(const struct live_options *o)
{
    signals_begin(); /* before the first thread: every thread inherits the block */
    struct live l;
    memset(&l, 0, sizeof l);
    l.opt = o;
    int stalled = 0;
    enum cp_err_kind status = start_up(&l);
    if (status == CP_OK)
        status = open_device(&l);
    if (status == CP_OK && o->played_on)
        snprintf(o->played_on, LIVE_DEVICE_NAME_MAX, "%s", output_name(&l.out));
    /* While the stream runs, the libraries' own lines (a dying server makes
     * PortAudio print "Expression ... failed") stay off the status line. */
    struct errfilter *filter = status == CP_OK ? errfilter_start() : NULL;
    if (status == CP_OK)
        status = play(&l, &stalled);
    tear_down(&l, stalled);
    errfilter_stop(filter);
    return status;
}
