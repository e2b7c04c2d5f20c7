/* The live session loop without a sound server: the null output pulled by a
 * fake clock, keys typed into a pseudo-terminal, saves of the routine file
 * picked up through inotify, signals read from the signalfd, a device that
 * stops taking frames, and the history line and closing figures at the end.
 * A script called at each step of the clock plays the listener. */
#define _GNU_SOURCE
#include "check.h"
#include "engine.h"
#include "out_null.h"
#include "render_util.h"
#include "session.h"
#include "setup.h"
#include "signals.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[256], routine[512], history[512];
/* For the next start(): the session's parameters a test changes. */
static int want_quiet, want_figures, want_no_summary, want_poll_ms;

static const char *const body =
    "name = \"loop\";\nguidance = { voice = false; };\n"
    "steps = ( { type = \"paced\"; tempo = %g; seconds = %g; lead_in = 0.5; name = \"Heels\"; },\n"
    "          { type = \"rest\"; seconds = 2.0; name = \"Rest\"; } );\n";

static void write_routine(double tempo, double seconds)
{
    char text[1024];
    snprintf(text, sizeof text, body, tempo, seconds);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.new", routine);
    write_text(tmp, text);
    rename(tmp, routine); /* as an editor saves */
}

/* One session, and what the script needs to reach. */
struct run {
    struct setup_choice choice;
    struct clip_bank *bank;
    struct engine *engine;
    struct output out;
    struct out_null_clock clock;
    struct session *s;
    int master, slave; /* the pseudo-terminal the keys are typed into */
    char *text;        /* what the session printed */
    size_t len;
    FILE *shown;
    void (*script)(struct run *r, double now);
    int seen_paused, seen_resumed, n_extra;
    double tempo_seen, ended_at;
    /* The fake clock runs far ahead of a reload's thread: unless a script
     * says otherwise, it waits for the thread, as if reloads took no time. */
    int clock_runs_on;
    double saved_at, taken_at, last_tick, max_gap; /* real seconds */
    int typed, acted, acted_while_reloading;
    int last_skipped; /* the step skip_script last skipped */
};

static double real_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void tick(void *ctx, double now)
{
    struct run *r = ctx;
    while (!r->clock_runs_on && r->s && session_reloading(r->s))
        usleep(1000);
    if (r->script)
        r->script(r, now);
}

static void type(struct run *r, const char *keys)
{
    ssize_t w = write(r->master, keys, strlen(keys));
    CHECK(w == (ssize_t)strlen(keys), "typed %s", keys);
}

static void open_pty(struct run *r)
{
    r->master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(r->master >= 0 && grantpt(r->master) == 0 && unlockpt(r->master) == 0, "a pty");
    r->slave = open(ptsname(r->master), O_RDWR | O_NOCTTY);
    CHECK(r->slave >= 0, "the pty's terminal");
}

static void start(struct run *r, int keys, int tty, void (*script)(struct run *, double))
{
    memset(r, 0, sizeof *r);
    r->master = r->slave = -1;
    r->script = script;
    struct cp_error cerr;
    struct engine_plan *p = setup_plan(routine, &r->choice, &r->bank, &cerr);
    CHECK(p != NULL, "plan: %s", cerr.msg);
    if (!p)
        exit(1);
    const struct routine *shown = engine_plan_routine(p);
    r->engine = engine_create(p, 1.0);
    r->clock.tick = tick;
    r->clock.ctx = r;
    struct output_params op = {.clock = &r->clock};
    struct cp_error oerr;
    CHECK(output_open(&r->out, &out_null_ops, r->engine, &op, &oerr) == 0, "open");
    if (keys)
        open_pty(r);
    r->shown = open_memstream(&r->text, &r->len);
    struct session_params sp = {
        .routine = routine,
        .choice = &r->choice,
        .keys_fd = r->slave,
        .out = r->shown,
        .out_fd = -1,
        .tty = tty,
        .quiet = want_quiet,
        .no_summary = want_no_summary,
        .figures = want_figures,
        .poll_ms = want_poll_ms,
        .stall_seconds = SESSION_STALL_SECONDS,
        .now = out_null_now,
        .clock_ctx = &r->clock,
    };
    r->s = session_create(r->engine, &r->bank, shown, &r->out, &sp);
}

/* Runs the session; the report lands in *REPORT (freed by the caller). */
static enum session_end play(struct run *r, char **report)
{
    char err[512];
    enum session_end end = session_run(r->s, err, sizeof err);
    r->ended_at = r->clock.now;
    size_t n;
    FILE *rep = open_memstream(report, &n);
    session_report(r->s, rep, 0.0);
    fclose(rep);
    fflush(r->shown);
    return end;
}

static void finish(struct run *r)
{
    session_destroy(r->s);
    output_close(&r->out);
    engine_destroy(r->engine);
    clip_bank_destroy(r->bank);
    fclose(r->shown);
    free(r->text);
    if (r->master >= 0)
        close(r->master);
    if (r->slave >= 0)
        close(r->slave);
}

/* The history's last record, its field N (0-based, tab-separated). */
static void last_history_field(int n, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = fopen(history, "r");
    if (!f)
        return;
    char line[600], last[600] = "";
    while (fgets(line, sizeof line, f))
        if (line[0] != '#')
            snprintf(last, sizeof last, "%s", line);
    fclose(f);
    char *p = last;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\t');
        p = p ? p + 1 : NULL;
    }
    if (p)
        snprintf(out, outlen, "%.*s", (int)strcspn(p, "\t\n"), p);
}

/* The last history line's "ended" field. */
static void last_history(char *out, size_t outlen)
{
    last_history_field(8, out, outlen);
}

static void played_to_the_end(void)
{
    struct run r;
    char *report, ended[600];
    start(&r, 0, 0, NULL);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_FINISHED, "a session with nothing done plays to its end (%d)", end);
    CHECK(r.ended_at > 6.4 && r.ended_at < 7.5, "it ends after its 6.6 s (%.2f)", r.ended_at);
    CHECK(strstr(r.text, "[1/2] Heels: 0:04.0, 120 to 120 bpm") && strstr(r.text, "[2/2] Rest"),
          "without a terminal, a line as each step begins: %s", r.text);
    CHECK(strstr(r.text, "loop: 2 steps") && strstr(r.text, "on null"), "the opening line: %s",
          r.text);
    CHECK(strstr(report, "finished after 0:06.6, 2 of 2 steps done"), "the report: %s", report);
    last_history(ended, sizeof ended);
    CHECK(strcmp(ended, "done") == 0, "the history line ends 'done' (%s)", ended);
    free(report);
    finish(&r);
}

static void keys_script(struct run *r, double now)
{
    struct engine_status st;
    session_status(r->s, &st);
    if (now > 0.99 && now < 1.01)
        type(r, " ");
    if (now > 1.49 && now < 1.51)
        r->seen_paused = st.paused;
    if (now > 1.99 && now < 2.01)
        type(r, " ]]");
    if (now > 2.49 && now < 2.51) {
        r->seen_resumed = !st.paused;
        type(r, "\033[A"); /* up: 5 % faster */
    }
    if (now > 3.49 && now < 3.51) {
        r->tempo_seen = st.tempo;
        type(r, "n");
    }
    if (now > 4.49 && now < 4.51)
        type(r, "q");
}

static void keys_and_quit(void)
{
    struct run r;
    char *report, ended[600];
    start(&r, 1, 1, keys_script);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_STOPPED, "q stops the session (%d)", end);
    CHECK(r.seen_paused && r.seen_resumed, "space pauses and space resumes");
    CHECK(session_volume_db(r.s) == 4.0, "two ] make it 4 dB louder (%g)", session_volume_db(r.s));
    CHECK(r.tempo_seen > 125.9 && r.tempo_seen < 126.1, "up makes 120 bpm 126 (%g)", r.tempo_seen);
    CHECK(strstr(r.text, "Keys: space pause") != NULL, "the keys are listed: %s", r.text);
    CHECK(strstr(r.text, "PAUSED [1/2] Heels") && strstr(r.text, "\r\033[K") &&
              strstr(r.text, "[2/2] Rest"),
          "the status line redraws in place, paused, and after n on the next step");
    CHECK(strstr(report, "stopped after") != NULL, "the report: %s", report);
    last_history(ended, sizeof ended);
    CHECK(strcmp(ended, "quit") == 0, "the history line ends 'quit' (%s)", ended);
    free(report);
    finish(&r);
}

/* n in each step as soon as it has begun: every step skipped. */
static void skip_script(struct run *r, double now)
{
    (void)now;
    struct engine_status st;
    session_status(r->s, &st);
    if (st.step >= 0 && st.step != r->last_skipped && !st.finished) {
        r->last_skipped = st.step;
        type(r, "n");
    }
}

static void skipping_every_step(void)
{
    struct run r;
    char *report, done[64], total[64], skipped[64];
    start(&r, 1, 1, skip_script);
    r.last_skipped = -1;
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_FINISHED, "a session with every step skipped reaches its end (%d)", end);
    CHECK(strstr(report, "0 of 2 steps done (2 skipped)") != NULL, "the report: %s", report);
    last_history_field(4, done, sizeof done);
    last_history_field(5, total, sizeof total);
    CHECK(strcmp(done, "0") == 0 && strcmp(total, "2") == 0,
          "the history records 0 of 2 steps done (%s of %s)", done, total);
    last_history_field(9, skipped, sizeof skipped);
    CHECK(strcmp(skipped, "2") == 0, "the history records both steps as skipped (steps_skipped %s)",
          skipped);
    free(report);
    finish(&r);
}

static void reload_script(struct run *r, double now)
{
    struct engine_status st;
    session_status(r->s, &st);
    if (now > 0.99 && now < 1.01)
        write_routine(150.0, 4.0);
    if (now > 1.49 && now < 1.51)
        r->tempo_seen = session_routine(r->s)->steps[0].tempo_from;
    if (now > 1.99 && now < 2.01)
        write_text(routine, "oops = ;\n");
    if (now > 2.99 && now < 3.01) {
        r->n_extra = st.reloads;
        session_request_stop(r->s);
    }
}

static void reloads(void)
{
    struct run r;
    char *report;
    write_routine(120.0, 4.0);
    start(&r, 0, 0, reload_script);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_STOPPED, "a stop asked for by a handler (%d)", end);
    CHECK(r.tempo_seen == 150.0, "a save is taken up within half a second (%g)", r.tempo_seen);
    CHECK(r.n_extra == 1, "the broken save is not (%d reloads)", r.n_extra);
    CHECK(strstr(r.text, "reloaded; the session goes on") != NULL, "said so: %s", r.text);
    free(report);
    finish(&r);
    write_routine(120.0, 4.0);
}

/* The steps in an included file, saved as an editor saves; the routine
 * itself is never touched. */
static void write_included(double tempo)
{
    char text[1024], inc[600], tmp[620];
    snprintf(inc, sizeof inc, "%s/steps.inc", dir);
    snprintf(text, sizeof text,
             "steps = ( { type = \"paced\"; tempo = %g; seconds = 4.0; lead_in = 0.5; },\n"
             "          { type = \"rest\"; seconds = 2.0; } );\n",
             tempo);
    snprintf(tmp, sizeof tmp, "%s.new", inc);
    write_text(tmp, text);
    rename(tmp, inc);
}

static void include_script(struct run *r, double now)
{
    if (now > 0.99 && now < 1.01)
        write_included(150.0);
    if (now > 1.49 && now < 1.51)
        r->tempo_seen = session_routine(r->s)->steps[0].tempo_from;
    if (now > 1.99 && now < 2.01)
        session_request_stop(r->s);
}

static void include_reloads(void)
{
    struct run r;
    char *report;
    write_included(120.0);
    write_text(routine, "name = \"loop\";\nguidance = { voice = false; };\n@include \"steps.inc\"\n");
    start(&r, 0, 0, include_script);
    play(&r, &report);
    CHECK(r.tempo_seen == 150.0, "a save of an included file is taken up too (%g)", r.tempo_seen);
    CHECK(strstr(r.text, "reloaded; the session goes on") != NULL, "said so: %s", r.text);
    free(report);
    finish(&r);
    write_routine(120.0, 4.0);
}

/* A save that names a long sound to resample (120 s at 44.1 kHz for a
 * 48 kHz session) is read and loaded in the reload's own thread: the loop
 * keeps turning (the clock runs at about real time here) and a key (space:
 * pause) acts while the sound still loads. */
static void big_script(struct run *r, double now)
{
    struct engine_status st;
    session_status(r->s, &st);
    double t = real_now();
    if (r->saved_at > 0 && r->taken_at == 0 && t - r->last_tick > r->max_gap)
        r->max_gap = t - r->last_tick;
    r->last_tick = t;
    if (now > 0.99 && now < 1.01) {
        char text[2048];
        snprintf(text, sizeof text,
                 "name = \"loop\";\nguidance = { voice = false; };\nsounds_dir = \"%s\";\n"
                 "steps = ( { type = \"paced\"; tempo = 120; seconds = 30.0; lead_in = 0.5; "
                 "name = \"Heels\"; },\n"
                 "          { type = \"rest\"; seconds = 30.0; name = \"Rest\"; },\n"
                 "          { type = \"hold\"; seconds = 10.0; name = \"Big\"; cue = \"big\"; } );\n",
                 dir);
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%s.new", routine);
        write_text(tmp, text);
        rename(tmp, routine);
        r->saved_at = t;
    }
    if (r->saved_at > 0 && !r->typed && session_reloading(r->s)) {
        type(r, " ");
        r->typed = 1;
    }
    if (r->typed && !r->acted && st.paused) {
        r->acted = 1;
        r->acted_while_reloading = session_reloading(r->s);
    }
    if (r->saved_at > 0 && r->taken_at == 0 && st.reloads >= 1) {
        r->taken_at = t;
        session_request_stop(r->s);
    }
    if (r->saved_at > 0 && r->taken_at == 0)
        usleep(20000); /* about real time: 0.05 s a step */
    if (now > 55.0)
        session_request_stop(r->s);
}

static void big_reload(void)
{
    char big[600];
    snprintf(big, sizeof big, "%s/big.wav", dir);
    write_click(big, 44100, 0.5f, 44100 * 120);
    write_routine(120.0, 30.0);
    struct run r;
    char *report;
    start(&r, 1, 0, big_script);
    r.clock_runs_on = 1;
    r.last_tick = real_now();
    play(&r, &report);
    double took = r.taken_at > 0 ? r.taken_at - r.saved_at : -1.0;
    CHECK(r.taken_at > 0, "the save naming a 120 s sound is taken up: %s", r.text);
    CHECK(took > 0.25, "loading it takes long enough to matter here (%.0f ms)", took * 1000.0);
    CHECK(r.max_gap < 0.25, "the loop turned at least every 250 ms meanwhile (longest gap %.0f ms)",
          r.max_gap * 1000.0);
    CHECK(r.typed && r.acted && r.acted_while_reloading,
          "space typed during the load paused before the load was done (typed %d, acted %d, during %d)",
          r.typed, r.acted, r.acted_while_reloading);
    printf("big reload: a 120 s sound loaded in %.0f ms in the reload's thread; the loop's longest "
           "gap meanwhile %.0f ms; a key %s during the load\n",
           took * 1000.0, r.max_gap * 1000.0, r.acted_while_reloading ? "acted" : "did NOT act");
    free(report);
    finish(&r);
    unlink(big);
    write_routine(120.0, 4.0);
}

static void stall_script(struct run *r, double now)
{
    if (now > 0.99 && now < 1.01)
        r->clock.stalled = 1;
}

static void stalls(void)
{
    struct run r;
    char *report, ended[600];
    start(&r, 0, 0, stall_script);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_STALLED, "an output that takes no frames is noticed (%d)", end);
    CHECK(r.ended_at > 3.9 && r.ended_at < 4.2, "after 3 s (%.2f)", r.ended_at);
    CHECK(strstr(report, "stopped taking audio") != NULL, "the report: %s", report);
    last_history(ended, sizeof ended);
    CHECK(strcmp(ended, "error") == 0, "the history line ends 'error' (%s)", ended);
    free(report);
    finish(&r);
}

/* The process stopped for 30 s (the clock jumps; nothing ran meanwhile):
 * not a dead device. */
static void stopped_script(struct run *r, double now)
{
    if (now > 0.99 && now < 1.01) {
        /* The device does not catch up, and takes nothing at first. */
        r->clock.now += 30.0;
        r->clock.frames = (int64_t)(r->clock.now * engine_rate(r->engine));
    }
}

static void long_stop(void)
{
    struct run r;
    char *report;
    start(&r, 0, 0, stopped_script);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_FINISHED, "a 30 s stop of the process is not a stall (%d)", end);
    free(report);
    finish(&r);
}

static void signal_script(struct run *r, double now)
{
    if (now > 0.99 && now < 1.01)
        r->clock.stalled = 1;
    if (now > 2.99 && now < 3.01)
        kill(getpid(), SIGCONT); /* the stall timer starts afresh */
    if (now > 3.49 && now < 3.51)
        kill(getpid(), SIGWINCH);
    if (now > 4.99 && now < 5.01) {
        r->clock.stalled = 0;
        kill(getpid(), SIGTERM);
    }
}

static void signals(void)
{
    struct run r;
    char *report;
    CHECK(signals_begin() == 0 && signals_fd() >= 0, "signals come through a descriptor");
    start(&r, 0, 0, signal_script);
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_STOPPED, "SIGTERM stops it, SIGCONT kept the stall off (%d)", end);
    CHECK(signals_stop_requested(), "the stop is remembered");
    free(report);
    finish(&r);
}

static void extra_ready(void *ctx, short revents)
{
    struct run *r = ctx;
    (void)revents;
    char c;
    if (read(r->master, &c, 1) == 1)
        r->n_extra++;
}

static void extra_script(struct run *r, double now)
{
    if ((now > 0.99 && now < 1.01) || (now > 1.49 && now < 1.51)) {
        ssize_t w = write(r->slave, "x", 1);
        (void)w;
    }
    if (now > 1.99 && now < 2.01)
        output_stop(&r->out);
}

/* A source added to the loop, as the media keys' bus is; and an output that
 * ends before the session does. */
static void extra_source_and_loss(void)
{
    struct run r;
    char *report;
    start(&r, 0, 0, extra_script);
    int p[2];
    CHECK(pipe(p) == 0, "a pipe");
    r.master = p[0];
    r.slave = p[1];
    CHECK(session_add_fd(r.s, p[0], POLLIN, extra_ready, &r) == 0, "a source added");
    enum session_end end = play(&r, &report);
    CHECK(r.n_extra == 2, "its handler ran for each byte (%d)", r.n_extra);
    CHECK(end == SESSION_LOST, "the output ended early: lost (%d)", end);
    free(report);
    finish(&r);
}

/* down, b, and the volume keys past both ends of their range. */
static void more_keys_script(struct run *r, double now)
{
    struct engine_status st;
    session_status(r->s, &st);
    double into = (double)(st.frame - st.step_start) / engine_rate(r->engine);
    if (now > 0.99 && now < 1.01)
        type(r, "\033[B"); /* down: 5 % slower */
    if (now > 1.49 && now < 1.51) {
        r->tempo_seen = st.tempo;
        type(r, "[[[[[[[[[[[[[[[[[[[[[[[["); /* 24 x -2 dB: past the floor */
    }
    if (now > 1.99 && now < 2.01) {
        r->saved_at = session_volume_db(r->s);
        type(r, "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"); /* 38 x +2 dB: past the top */
    }
    if (now > 2.49 && now < 2.51) {
        r->taken_at = session_volume_db(r->s);
        r->max_gap = into;
        r->n_extra = session_jumped(r->s);
        type(r, "b");
    }
    if (now > 2.69 && now < 2.71)
        r->typed = session_jumped(r->s);
    if (now > 3.49 && now < 3.51) {
        r->last_tick = into; /* the step began again after the jump's short gap */
        r->last_skipped = st.step;
    }
    if (now > 3.79 && now < 3.81) {
        r->acted = session_jumped(r->s);
        type(r, "q");
    }
}

static void more_keys(void)
{
    struct run r;
    char *report;
    start(&r, 1, 0, more_keys_script);
    CHECK(session_seconds(r.s) > 6.59 && session_seconds(r.s) < 6.61,
          "the session's planned length: 6.6 s (%g)", session_seconds(r.s));
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_STOPPED, "q stops it (%d)", end);
    CHECK(r.tempo_seen > 114.2 && r.tempo_seen < 114.3, "down makes 120 bpm 114.3 (%g)",
          r.tempo_seen);
    CHECK(r.saved_at == ENGINE_VOLUME_MIN_DB, "[ goes down to %g dB and no further (%g)",
          ENGINE_VOLUME_MIN_DB, r.saved_at);
    CHECK(r.taken_at == ENGINE_VOLUME_MAX_DB, "] goes up to %g dB and no further (%g)",
          ENGINE_VOLUME_MAX_DB, r.taken_at);
    CHECK(!r.n_extra && r.typed && !r.acted,
          "b counts as a jump for a second: not before, during, not after (%d %d %d)", r.n_extra,
          r.typed, r.acted);
    CHECK(r.max_gap > 1.9 && r.last_tick < 1.0 && r.last_skipped == 0,
          "b goes back to the step's start (%.2f s into step 0, then %.2f s into step %d)",
          r.max_gap, r.last_tick, r.last_skipped);
    free(report);
    finish(&r);
}

/* A source's hooks, counted. */
struct hooks {
    int prepared, after, updated;
    int64_t last_frame;
};

static int hook_prepare(void *ctx, short *events)
{
    ((struct hooks *)ctx)->prepared++;
    *events = 0;
    return 0; /* no wait at all */
}

static void hook_after(void *ctx)
{
    ((struct hooks *)ctx)->after++;
}

static void hook_update(void *ctx, const struct engine_status *st)
{
    struct hooks *h = ctx;
    h->updated++;
    h->last_frame = st->frame;
}

/* A source's prepare shortens the loop's wait (here from a second to none);
 * after_poll and update run every turn, update with the engine's status. */
static void source_hooks(void)
{
    struct run r;
    char *report;
    struct hooks h = {0};
    want_poll_ms = 1000;
    start(&r, 0, 0, NULL);
    want_poll_ms = 0;
    struct session_source src = {.fd = -1,
                                 .prepare = hook_prepare,
                                 .after_poll = hook_after,
                                 .update = hook_update,
                                 .ctx = &h};
    CHECK(session_add_source(r.s, &src) == 0, "a source with hooks added");
    double t0 = real_now();
    enum session_end end = play(&r, &report);
    double took = real_now() - t0;
    CHECK(end == SESSION_FINISHED, "played to the end (%d)", end);
    CHECK(took < 10.0, "prepare's 0 ms wins over the loop's 1000 ms (%.1f s for %d turns)", took,
          h.prepared);
    CHECK(h.prepared > 100 && h.after == h.prepared && h.updated == h.prepared,
          "every hook ran every turn (%d prepare, %d after_poll, %d update)", h.prepared, h.after,
          h.updated);
    CHECK(h.last_frame > r.clock.frames - r.clock.block && h.last_frame <= r.clock.frames,
          "update saw the engine's last frame (%lld; %lld taken in whole blocks)",
          (long long)h.last_frame, (long long)r.clock.frames);
    free(report);
    finish(&r);

    start(&r, 0, 0, NULL);
    struct session_source none = {.fd = -1};
    int added = 0;
    while (added < 2 * SESSION_MAX_FDS && session_add_source(r.s, &none) == 0)
        added++;
    CHECK(added == SESSION_MAX_FDS, "the loop takes %d sources and refuses more (%d)",
          SESSION_MAX_FDS, added);
    session_destroy(NULL); /* nothing to free: nothing done */
    finish(&r);
}

static int refuse_start(void *self, struct cp_error *err)
{
    (void)self;
    return cp_fail(err, CP_RUNTIME, "cannot start playing on \"null\": refused");
}

/* An output that will not start: the session says why and plays nothing. */
static void start_refused(void)
{
    struct run r;
    char err[512];
    start(&r, 0, 0, NULL);
    static struct output_ops refusing;
    refusing = out_null_ops;
    refusing.start = refuse_start;
    r.out.ops = &refusing;
    enum session_end end = session_run(r.s, err, sizeof err);
    CHECK(end == SESSION_FAILED && strstr(err, "refused"), "a refused start fails it (%d, %s)",
          end, err);
    CHECK(r.clock.frames == 0, "and not a frame is rendered (%lld)", (long long)r.clock.frames);
    finish(&r);
}

/* Lines in the history file. */
static int history_lines(void)
{
    FILE *f = fopen(history, "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

/* -q: nothing while playing; -v: the closing figures; a reminder's prompt:
 * neither the closing line nor a history line; a history that cannot be
 * written: a warning, and the session still counts as played. */
static void quiet_figures_history(void)
{
    struct run r;
    char *report;
    want_quiet = want_figures = 1;
    start(&r, 0, 0, NULL);
    want_quiet = want_figures = 0;
    enum session_end end = play(&r, &report);
    CHECK(end == SESSION_FINISHED && r.len == 0, "quiet: nothing shown while it played (%s)",
          r.text);
    CHECK(strstr(report, "finished after 0:06.6") && strstr(report, "callbacks, mean") &&
              strstr(report, "peak RSS"),
          "-v: the closing line and the figures: %s", report);
    free(report);
    finish(&r);

    int before = history_lines();
    want_no_summary = 1;
    start(&r, 0, 0, NULL);
    want_no_summary = 0;
    end = play(&r, &report);
    CHECK(end == SESSION_FINISHED && report[0] == '\0' && history_lines() == before,
          "a prompt: no closing line (%s), no history line (%d then %d)", report, before,
          history_lines());
    free(report);
    finish(&r);

    char blocker[600];
    snprintf(blocker, sizeof blocker, "%s/blocker", dir);
    write_text(blocker, "a file where the history's folder would be\n");
    setenv("XDG_STATE_HOME", blocker, 1);
    start(&r, 0, 0, NULL);
    end = play(&r, &report);
    setenv("XDG_STATE_HOME", dir, 1);
    CHECK(end == SESSION_FINISHED && strstr(report, "finished after 0:06.6") &&
              strstr(report, "calfpace: history: "),
          "an unwritable history costs a warning, not the session: %s", report);
    free(report);
    finish(&r);
    unlink(blocker);
}

/* The routine with a hold step that names CUE, a long sound in dir. */
static void write_big_routine(const char *cue)
{
    char text[2048], tmp[600];
    snprintf(text, sizeof text,
             "name = \"loop\";\nguidance = { voice = false; };\nsounds_dir = \"%s\";\n"
             "steps = ( { type = \"paced\"; tempo = 120; seconds = 30.0; lead_in = 0.5; "
             "name = \"Heels\"; },\n"
             "          { type = \"hold\"; seconds = 10.0; name = \"Big\"; cue = \"%s\"; } );\n",
             dir, cue);
    snprintf(tmp, sizeof tmp, "%s.new", routine);
    write_text(tmp, text);
    rename(tmp, routine);
}

/* A save while a slow reload loads is read once that one is done; a session
 * that ends while a reload loads waits for it and drops what it made. */
static void again_script(struct run *r, double now)
{
    struct engine_status st;
    session_status(r->s, &st);
    if (now > 0.99 && now < 1.01) {
        write_big_routine("big1");
        r->saved_at = now;
    }
    if (r->saved_at > 0 && !r->typed && session_reloading(r->s)) {
        write_big_routine("big2");
        r->typed = 1;
    }
    if (r->typed && !r->acted && st.reloads >= 2) {
        r->acted = 1;
        r->n_extra = st.reloads;
        r->tempo_seen = strcmp(session_routine(r->s)->steps[1].cue, "big2") == 0;
        write_big_routine("big3");
    }
    if (r->acted && r->taken_at == 0 && session_reloading(r->s)) {
        r->taken_at = now;
        session_request_stop(r->s);
    }
    if (r->saved_at > 0)
        usleep(20000); /* about real time: 0.05 s a step */
    if (now > 40.0)
        session_request_stop(r->s);
}

static void reload_again_and_wait(void)
{
    char big[600];
    for (int i = 1; i <= 3; i++) {
        snprintf(big, sizeof big, "%s/big%d.wav", dir, i);
        write_click(big, 44100, 0.5f, 44100 * 90);
    }
    write_routine(120.0, 30.0);
    struct run r;
    char *report;
    start(&r, 0, 0, again_script);
    r.clock_runs_on = 1;
    enum session_end end = play(&r, &report);
    struct engine_status st;
    session_status(r.s, &st);
    CHECK(r.typed && r.acted && r.n_extra == 2 && r.tempo_seen == 1.0,
          "a save during a reload is taken up after it (%d reloads, the second save's cue %s)",
          r.n_extra, r.tempo_seen == 1.0 ? "kept" : "lost");
    CHECK(r.taken_at > 0 && end == SESSION_STOPPED && st.reloads == 2 &&
              strcmp(session_routine(r.s)->steps[1].cue, "big2") == 0,
          "stopped during a third reload (%d): it is waited for and not taken up (%d reloads)",
          end, st.reloads);
    free(report);
    finish(&r);
    for (int i = 1; i <= 3; i++) {
        snprintf(big, sizeof big, "%s/big%d.wav", dir, i);
        unlink(big);
    }
    write_routine(120.0, 4.0);
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "session");
    snprintf(routine, sizeof routine, "%s/loop.cfg", dir);
    snprintf(history, sizeof history, "%s/calfpace/history.tsv", dir);
    setenv("XDG_STATE_HOME", dir, 1);
    write_routine(120.0, 4.0);
    played_to_the_end();
    keys_and_quit();
    skipping_every_step();
    reloads();
    include_reloads();
    big_reload();
    stalls();
    long_stop();
    extra_source_and_loss();
    more_keys();
    source_hooks();
    start_refused();
    quiet_figures_history();
    reload_again_and_wait();
    signals(); /* last: its SIGTERM's stop stays asked for */
    tmp_cleanup(dir);
    return CHECK_DONE("test_session");
}
