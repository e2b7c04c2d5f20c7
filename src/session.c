#include "session.h"

#include "history.h"
#include "timeline_text.h"
#include "sequencer.h"
#include "signals.h"
#include "term.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A reload reads the routine and loads its sounds and speech in a thread of
 * its own: a long sound to decode and resample, or a long text to speak,
 * takes seconds, and the loop must go on taking keys and signals meanwhile.
 * One at a time; a save while one runs is read once it is done.  Only the
 * reload thread touches the bank while it runs (the audio thread reads the
 * clips it already has, which never move). */
struct reload_job {
    pthread_t thread;
    int running;     /* started, not yet joined */
    int again;       /* a save came while it ran */
    int wake[2];     /* the thread writes a byte to wake[1] when done */
    atomic_int done; /* the plan (or the message) is ready */
    struct engine_plan *plan;
    char err[CP_ERROR_MSG_MAX];
    const char *routine;
    const struct setup_choice *choice;
    struct clip_bank **bank;
    struct engine_plan *complete; /* this job completes the playing plan's vocabulary */
    int failed;
    int threaded; /* it runs in a thread of its own */
};

struct session {
    struct session_params p;
    struct reload_job job;
    struct engine *engine;
    struct clip_bank **bank;
    const struct routine *shown; /* the newest routine handed to the engine */
    struct output *out;
    struct status status;
    struct watch watch;
    int keys; /* keys are read from p.keys_fd */
    int quit; /* a stop was asked for (q, a handler) */
    int asked_stop;
    double session_seconds;
    struct session_source src[SESSION_MAX_FDS];
    int n_src;
    double volume_db; /* the volume asked for, ahead of the engine's */
    struct engine_plan *vocab_unsent; /* completed, its vocabulary not yet queued */
    double jumped;    /* when a skip or restart was sent */
    /* what the loop saw, for the report */
    enum session_end end;
    double started, cpu_before;
    time_t started_wall;
    double last_alive;
    double last_turn;
    int64_t last_frame;
    /* Underruns right after a Ctrl-Z and fg are the stop's, not the machine's. */
    double forgive_until;
    uint64_t underruns_seen, underruns_forgiven;
};

static double monotonic(void *ctx)
{
    (void)ctx;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now(const struct session *s)
{
    return s->p.now(s->p.clock_ctx);
}

/* The underruns to show: the device's, less those of a stop and continue. */
static uint64_t underruns(struct session *s, const struct output_stats *os)
{
    if (now(s) < s->forgive_until && os->underflows > s->underruns_seen)
        s->underruns_forgiven += os->underflows - s->underruns_seen;
    s->underruns_seen = os->underflows;
    return os->underflows - s->underruns_forgiven;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

struct session *session_create(struct engine *engine, struct clip_bank **bank,
                               const struct routine *shown, struct output *out,
                               const struct session_params *p)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = *p;
    if (!s->p.now)
        s->p.now = monotonic;
    s->engine = engine;
    s->bank = bank;
    s->shown = shown;
    s->out = out;
    s->watch.fd = -1;
    s->job.wake[0] = s->job.wake[1] = -1;
    s->last_frame = -1;
    s->session_seconds = sequencer_session_seconds(shown);
    status_init(&s->status, p->out, p->out_fd, p->tty, p->quiet);
    return s;
}

static void reload_wait(struct session *s);

void session_destroy(struct session *s)
{
    if (!s)
        return;
    reload_wait(s);
    for (int i = 0; i < 2; i++)
        if (s->job.wake[i] >= 0)
            close(s->job.wake[i]);
    watch_stop(&s->watch);
    free(s);
}

int session_add_source(struct session *s, const struct session_source *src)
{
    if (s->n_src >= SESSION_MAX_FDS)
        return -1;
    s->src[s->n_src++] = *src;
    return 0;
}

int session_add_fd(struct session *s, int fd, short events, void (*ready)(void *ctx, short revents),
                   void *ctx)
{
    struct session_source src = {.fd = fd, .events = events, .ready = ready, .ctx = ctx};
    return session_add_source(s, &src);
}

int session_command(struct session *s, enum control_kind kind, double value)
{
    struct control_cmd cmd = {.kind = kind, .value = value};
    if (kind == CONTROL_NEXT || kind == CONTROL_BACK)
        s->jumped = now(s);
    return engine_send(s->engine, &cmd);
}

void session_change_volume(struct session *s, double db)
{
    double want = s->volume_db + db;
    if (want < ENGINE_VOLUME_MIN_DB)
        want = ENGINE_VOLUME_MIN_DB;
    if (want > ENGINE_VOLUME_MAX_DB)
        want = ENGINE_VOLUME_MAX_DB;
    session_command(s, CONTROL_VOLUME, db);
    s->volume_db = want;
}

double session_volume_db(const struct session *s)
{
    return s->volume_db;
}

int session_jumped(const struct session *s)
{
    return s->jumped > 0.0 && now(s) - s->jumped < 1.0;
}

void session_status(const struct session *s, struct engine_status *st)
{
    engine_status(s->engine, st);
}

double session_seconds(const struct session *s)
{
    return s->session_seconds;
}

void session_request_stop(struct session *s)
{
    s->quit = 1;
}

const struct routine *session_routine(const struct session *s)
{
    return s->shown;
}

/* The routine and every file it includes, as last read: a save of any of
 * them is an edit.  The routine itself stays watched whatever it holds. */
static void watch_routine_files(struct session *s)
{
    const char *paths[WATCH_FILES_MAX];
    int n = 0;
    paths[n++] = s->p.routine;
    for (int i = 1; s->shown && i < s->shown->n_files && n < WATCH_FILES_MAX; i++)
        paths[n++] = s->shown->files[i];
    watch_set(&s->watch, paths, n);
}

static void *reload_thread(void *arg)
{
    struct reload_job *j = arg;
    if (j->complete) {
        /* Behind the sound, which has the other core's claim first. */
        if (j->threaded)
            setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
        j->failed = engine_plan_complete(j->complete, *j->bank, j->err, sizeof j->err) != 0;
    } else {
        struct cp_error e; /* any kind: the session goes on as it was */
        j->plan = setup_plan(j->routine, j->choice, j->bank, &e);
        if (!j->plan)
            snprintf(j->err, sizeof j->err, "%s", e.msg);
    }
    atomic_store(&j->done, 1);
    ssize_t w = write(j->wake[1], "r", 1); /* a full pipe is already awake */
    (void)w;
    return NULL;
}

/* What the reload thread found, handed to the engine (or the message shown). */
static void reload_take(struct session *s, struct engine_plan *plan, const char *err)
{
    struct control_cmd cmd = {0};
    if (!plan) {
        status_say(&s->status, stderr, "%s", err);
        status_say(&s->status, stderr,
                   "calfpace: the edit is not taken up; the session goes on as it was");
        cmd.kind = CONTROL_ALERT;
        engine_send(s->engine, &cmd);
        return;
    }
    cmd.kind = CONTROL_RELOAD;
    cmd.ptr = plan;
    if (engine_send(s->engine, &cmd) != 0) {
        engine_plan_destroy(plan);
        status_say(&s->status, stderr,
                   "calfpace: busy; save the routine again to take up the edit");
        return;
    }
    s->shown = engine_plan_routine(plan);
    watch_routine_files(s);
    if (!s->p.quiet)
        status_say(&s->status, s->p.out,
                   "calfpace: %s reloaded; the session goes on from where it is", s->p.routine);
}

static void job_take(struct session *s);

/* Starts the job as set up, in a thread of its own, or here when there is
 * none to be had. */
static void job_start(struct session *s)
{
    struct reload_job *j = &s->job;
    j->bank = s->bank;
    j->plan = NULL;
    j->failed = 0;
    j->err[0] = '\0';
    atomic_store(&j->done, 0);
    /* The thread takes no signals: they stay for the loop's signalfd. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    j->threaded = 1;
    int started = j->wake[1] >= 0 && pthread_create(&j->thread, NULL, reload_thread, j) == 0;
    if (!started)
        j->threaded = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started) {
        j->running = 1;
        return;
    }
    reload_thread(j); /* no thread to be had: here, as before */
    char byte;
    while (j->wake[0] >= 0 && read(j->wake[0], &byte, 1) == 1)
        ;
    job_take(s);
}

static void reload(struct session *s)
{
    struct reload_job *j = &s->job;
    if (j->running) {
        j->again = 1;
        return;
    }
    j->routine = s->p.routine;
    j->choice = s->p.choice;
    j->complete = NULL;
    job_start(s);
}

/* The engine's first plan has the numbers its timeline says; the others
 * (a tempo key's, the session length's) load now, behind the sound. */
static void complete_vocab(struct session *s)
{
    if (!s->p.complete)
        return;
    s->job.complete = s->p.complete;
    s->p.complete = NULL;
    job_start(s);
}

/* What the job did, taken up on the loop. */
static void job_take(struct session *s)
{
    struct reload_job *j = &s->job;
    if (!j->complete) {
        reload_take(s, j->plan, j->err);
        j->plan = NULL;
        return;
    }
    if (j->failed)
        status_say(&s->status, stderr,
                   "%s; tempos and the session's length are not spoken in this session", j->err);
    else
        s->vocab_unsent = engine_send_vocab(s->engine, j->complete) != 0 ? j->complete : NULL;
    j->complete = NULL;
}

/* The reload thread is done: join it, take up its plan, and read the file
 * again if it was saved meanwhile. */
static void reload_ready(void *ctx, short revents)
{
    struct session *s = ctx;
    struct reload_job *j = &s->job;
    (void)revents;
    char byte[16];
    while (read(j->wake[0], byte, sizeof byte) > 0)
        ;
    if (!j->running || !atomic_load(&j->done))
        return;
    pthread_join(j->thread, NULL);
    j->running = 0;
    job_take(s);
    if (j->again) {
        j->again = 0;
        reload(s);
    }
}

/* The session is over: wait for a reload still running and drop its plan. */
static void reload_wait(struct session *s)
{
    struct reload_job *j = &s->job;
    if (!j->running)
        return;
    pthread_join(j->thread, NULL);
    j->running = 0;
    engine_plan_destroy(j->plan);
    j->plan = NULL;
    j->complete = NULL;
}

int session_reloading(const struct session *s)
{
    return s->job.running && !atomic_load(&s->job.done);
}

static void on_key(struct session *s, enum term_key key)
{
    switch (key) {
    case TERM_KEY_PAUSE:
        session_command(s, CONTROL_PAUSE, 0.0);
        break;
    case TERM_KEY_NEXT:
        session_command(s, CONTROL_NEXT, 0.0);
        break;
    case TERM_KEY_BACK:
        session_command(s, CONTROL_BACK, 0.0);
        break;
    case TERM_KEY_FASTER:
        session_command(s, CONTROL_TEMPO, SESSION_TEMPO_STEP);
        break;
    case TERM_KEY_SLOWER:
        session_command(s, CONTROL_TEMPO, 1.0 / SESSION_TEMPO_STEP);
        break;
    case TERM_KEY_LOUDER:
        session_change_volume(s, SESSION_VOLUME_STEP_DB);
        break;
    case TERM_KEY_SOFTER:
        session_change_volume(s, -SESSION_VOLUME_STEP_DB);
        break;
    case TERM_KEY_QUIT:
        s->quit = 1;
        break;
    }
}

static void keys_ready(void *ctx, short revents)
{
    struct session *s = ctx;
    (void)revents;
    char buf[64];
    ssize_t n = read(s->p.keys_fd, buf, sizeof buf);
    if (n <= 0)
        return;
    enum term_key keys[64];
    int k = term_parse_keys(buf, (size_t)n, keys, 64);
    for (int i = 0; i < k; i++)
        on_key(s, keys[i]);
}

/* Keys are read only in the terminal's foreground: a read in the
 * background would stop the process (SIGTTIN). */
static int keys_prepare(void *ctx, short *events)
{
    (void)ctx;
    term_resume(); /* back in the foreground (fg): raw mode again */
    *events = term_foreground() ? POLLIN : 0;
    return -1;
}

/* Ctrl-Z: the terminal as it was, the status line off, and stop; after the
 * continue, raw mode again (in the foreground) and the stall timer afresh,
 * since however long the stop lasted, the device did not fail. */
static void signals_ready(void *ctx, short revents)
{
    struct session *s = ctx;
    (void)revents;
    int ev = signals_read();
    if (ev & SIGNALS_SUSPEND) {
        status_clear(&s->status);
        term_suspend();
        signals_stop_self();
        ev |= SIGNALS_CONTINUED;
    }
    if (ev & SIGNALS_CONTINUED) {
        term_resume();
        s->last_alive = now(s);
        s->forgive_until = now(s) + 1.0;
    }
}

static void watch_ready(void *ctx, short revents)
{
    struct session *s = ctx;
    (void)revents;
    watch_read(&s->watch, now(s));
}

/* One wait in poll() for every source, and their handlers. */
static void wait_for_input(struct session *s)
{
    struct pollfd pfd[SESSION_MAX_FDS];
    int n = s->n_src, timeout = s->p.poll_ms;
    for (int i = 0; i < n; i++) {
        struct session_source *src = &s->src[i];
        short events = src->events;
        if (src->prepare) {
            int most = src->prepare(src->ctx, &events);
            if (most >= 0 && most < timeout)
                timeout = most;
        }
        pfd[i] = (struct pollfd){.fd = src->fd, .events = events};
    }
    int ready = poll(pfd, (nfds_t)n, timeout);
    for (int i = 0; i < n; i++) {
        struct session_source *src = &s->src[i];
        if (ready > 0 && src->ready && pfd[i].revents)
            src->ready(src->ctx, pfd[i].revents);
        if (src->after_poll)
            src->after_poll(src->ctx);
    }
}

static void update_sources(struct session *s, const struct engine_status *st)
{
    for (int i = 0; i < s->n_src; i++)
        if (s->src[i].update)
            s->src[i].update(s->src[i].ctx, st);
}

/* 1 while the session goes on; else s->end says why it ended. */
static int still_playing(struct session *s, const struct engine_status *st)
{
    if (!output_active(s->out)) {
        /* The stream ended before the session did: the device or the sound
         * server went away under it. */
        struct engine_status last;
        engine_status(s->engine, &last);
        s->end = !last.finished ? SESSION_LOST
                 : last.stopped ? SESSION_STOPPED
                                : SESSION_FINISHED;
        return 0;
    }
    /* A stream that stops moving (the sound server went away) must not hang
     * the session.  A turn that came long after the last one means the
     * process itself was not running (stopped, or the machine asleep): the
     * device is not to blame, and the timer starts afresh. */
    double t = now(s);
    if (t - s->last_turn > s->p.stall_seconds / 2)
        s->last_alive = t;
    s->last_turn = t;
    if (st->frame != s->last_frame) {
        s->last_frame = st->frame;
        s->last_alive = t;
    } else if (t - s->last_alive > s->p.stall_seconds) {
        s->end = SESSION_STALLED;
        return 0;
    }
    return 1;
}

/* One turn of the loop: input, signals, edits, status, and the checks. */
static int turn(struct session *s)
{
    wait_for_input(s);
    if (s->p.routine && watch_due(&s->watch, now(s)))
        reload(s);
    output_pump(s->out);
    if (s->vocab_unsent && engine_send_vocab(s->engine, s->vocab_unsent) == 0)
        s->vocab_unsent = NULL;
    engine_collect(s->engine);
    if ((signals_stop_requested() || s->quit) && !s->asked_stop) {
        engine_request_stop(s->engine);
        s->asked_stop = 1;
    }
    struct engine_status st;
    struct output_stats os;
    engine_status(s->engine, &st);
    update_sources(s, &st);
    output_stats(s->out, &os);
    status_update(&s->status, s->shown, &st, underruns(s, &os), s->session_seconds);
    return still_playing(s, &st);
}

static void introduce(struct session *s)
{
    if (s->p.quiet)
        return;
    char len[32];
    timeline_format_time(s->session_seconds, len, sizeof len);
    char name[4 * ROUTINE_NAME_MAX + 1], dev[1024];
    fprintf(s->p.out, "%s: %d steps, %s, on %s.\n",
            term_clean(s->shown->name, name, sizeof name), s->shown->n_steps * s->shown->repeat,
            len, term_clean(output_name(s->out), dev, sizeof dev));
    if (s->keys)
        fprintf(s->p.out,
                "Keys: space pause, n next, b back, up/down tempo, left/right volume, q quit.\n");
    else
        fprintf(s->p.out, "Ctrl-C stops.\n");
    fflush(s->p.out);
}

static void add_own_sources(struct session *s)
{
    if (s->keys) {
        struct session_source keys = {.fd = s->p.keys_fd,
                                      .events = POLLIN,
                                      .prepare = keys_prepare,
                                      .ready = keys_ready,
                                      .ctx = s};
        session_add_source(s, &keys);
    }
    if (signals_fd() >= 0)
        session_add_fd(s, signals_fd(), POLLIN, signals_ready, s);
}

enum session_end session_run(struct session *s, char *err, size_t errlen)
{
    s->keys = s->p.keys_fd >= 0 && term_begin(s->p.keys_fd);
    introduce(s);
    add_own_sources(s);
    int watching = s->p.routine && watch_start(&s->watch, s->p.routine) == 0;
    if (watching) {
        watch_routine_files(s);
        session_add_fd(s, s->watch.fd, POLLIN, watch_ready, s);
    }
    if (watching || s->p.complete) {
        if (pipe(s->job.wake) == 0) {
            for (int i = 0; i < 2; i++) {
                fcntl(s->job.wake[i], F_SETFL, O_NONBLOCK);
                fcntl(s->job.wake[i], F_SETFD, FD_CLOEXEC);
            }
            session_add_fd(s, s->job.wake[0], POLLIN, reload_ready, s);
        } else {
            s->job.wake[0] = s->job.wake[1] = -1; /* reloads on the loop, as before */
        }
    }
    s->started_wall = time(NULL);
    s->cpu_before = cpu_seconds();
    s->started = now(s);
    struct cp_error why;
    if (output_start(s->out, &why) != 0) {
        snprintf(err, errlen, "%s", why.msg);
        term_end();
        return s->end = SESSION_FAILED;
    }
    s->last_alive = s->last_turn = now(s);
    complete_vocab(s);
    while (turn(s))
        ;
    reload_wait(s);
    term_end();
    status_clear(&s->status);
    return s->end;
}

/* The steps of every round the session got past, and of those the ones the
 * listener skipped (left early with n); the history and the closing line
 * count the same. */
static void count_steps(const struct routine *r, const struct engine_status *st, int *done,
                        int *skipped, int *total)
{
    *total = r->n_steps * r->repeat;
    int past = st->step < 0 ? 0 : st->step + st->round * r->n_steps;
    if (st->finished && !st->stopped)
        past = *total;
    if (past > *total)
        past = *total;
    *skipped = st->skipped < past ? st->skipped : past;
    *done = past - *skipped;
}

/* One line in the history for every live session; a history that cannot be
 * written costs a warning, never the session. */
static void remember(const struct session *s, const struct engine_status *st, FILE *to)
{
    char path[1024], err[1024], clean[4096];
    if (history_path(path, sizeof path, err, sizeof err) != 0) {
        fprintf(to, "calfpace: history: %s\n", term_clean(err, clean, sizeof clean));
        return;
    }
    const struct routine *r = s->shown;
    struct history_record rec;
    memset(&rec, 0, sizeof rec);
    rec.start = s->started_wall;
    snprintf(rec.routine, sizeof rec.routine, "%s", r->name);
    rec.planned = sequencer_session_seconds(r);
    rec.played = (double)st->frame / r->rate;
    count_steps(r, st, &rec.steps_done, &rec.steps_skipped, &rec.steps_total);
    rec.tempo_min = st->tempo_min;
    rec.tempo_max = st->tempo_max;
    int lost = s->end == SESSION_LOST || s->end == SESSION_STALLED;
    rec.ended = lost ? HISTORY_ERROR : st->stopped ? HISTORY_QUIT : HISTORY_DONE;
    if (history_append(path, &rec, err, sizeof err) != 0)
        fprintf(to, "calfpace: history: %s\n", term_clean(err, clean, sizeof clean));
}

static void closing_line(struct session *s, const struct engine_status *st,
                         const struct output_stats *os, FILE *to)
{
    const struct routine *r = s->shown;
    char played[32];
    timeline_format_time((double)st->frame / r->rate, played, sizeof played);
    /* Counted as the history counts them: every round's steps. */
    int steps_done, steps_skipped, steps_total;
    count_steps(r, st, &steps_done, &steps_skipped, &steps_total);
    char skipped[32] = "";
    if (steps_skipped > 0)
        snprintf(skipped, sizeof skipped, " (%d skipped)", steps_skipped);
    if (s->end == SESSION_LOST || s->end == SESSION_STALLED)
        fprintf(to,
                "calfpace: the sound device stopped taking audio after %s (was the sound server "
                "stopped?); ending the session\n",
                played);
    else if (!s->p.no_summary)
    {
        unsigned long long n = (unsigned long long)underruns(s, os);
        fprintf(to, "calfpace: %s after %s, %d of %d steps done%s, %llu underrun%s\n",
                st->stopped ? "stopped" : "finished", played, steps_done, steps_total, skipped,
                n, n == 1 ? "" : "s");
    }
}

void session_report(struct session *s, FILE *to, double launched_at)
{
    struct engine_status st;
    struct output_stats os;
    engine_status(s->engine, &st);
    output_stats(s->out, &os);
    double wall = now(s) - s->started;
    double cpu = cpu_seconds() - s->cpu_before;
    closing_line(s, &st, &os, to);
    if (s->p.no_summary)
        return;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (s->p.figures)
        fprintf(to,
            "calfpace: %llu callbacks, mean %.2f%% and worst %.2f%% of the buffer period; CPU "
            "%.2f%% of one core; first sample to the device %.0f ms after launch; peak RSS "
            "%.1f MB\n",
            (unsigned long long)os.callbacks, os.mean_fraction * 100.0, os.worst_fraction * 100.0,
            wall > 0 ? cpu / wall * 100.0 : 0.0,
            os.first_callback_at > 0 ? (os.first_callback_at - launched_at) * 1000.0 : -1.0,
            (double)ru.ru_maxrss / 1024.0);
    remember(s, &st, to);
}
