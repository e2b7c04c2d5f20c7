#include "live.h"

#include "engine.h"
#include "history.h"
#include "mpris.h"
#include "out_portaudio.h"
#include "timeline_text.h"
#include "remind.h"
#include "sequencer.h"
#include "setup.h"
#include "term.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define TEMPO_STEP 1.05
#define VOLUME_STEP_DB 2.0
#define POLL_MS 50
#define RELOAD_QUIET_MS 150 /* an editor's save can be several writes */

static volatile sig_atomic_t stop_signals;
static volatile sig_atomic_t continued;
static double launched_at;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void live_mark_launch(void)
{
    launched_at = now_seconds();
}

static void on_stop(int sig)
{
    if (++stop_signals > 1 && sig == SIGINT) {
        /* A second Ctrl-C: out at once, with the terminal as it was. */
        term_restore_now();
        static const char msg[] = "\ncalfpace: stopped at once\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
}

static void on_tstp(int sig)
{
    (void)sig;
    term_restore_now();
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
}

static void on_cont(int sig)
{
    (void)sig;
    continued = 1;
}

static void on_crash(int sig)
{
    term_restore_now();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_tstp;
    sigaction(SIGTSTP, &sa, NULL);
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
    sa.sa_handler = on_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
}

/* Watches the routine's folder: editors often save by writing a new file
 * and renaming it over the old one, which a watch on the file would miss. */
struct watch {
    int fd;
    char dir[PATH_MAX];
    char base[NAME_MAX + 1];
    double due; /* when to reload, or 0 */
};

static void watch_start(struct watch *w, const char *path)
{
    w->fd = -1;
    w->due = 0.0;
    const char *slash = strrchr(path, '/');
    if (slash) {
        snprintf(w->dir, sizeof w->dir, "%.*s", (int)(slash - path) > 0 ? (int)(slash - path) : 1,
                 path);
        snprintf(w->base, sizeof w->base, "%s", slash + 1);
    } else {
        snprintf(w->dir, sizeof w->dir, ".");
        snprintf(w->base, sizeof w->base, "%s", path);
    }
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd >= 0 &&
        inotify_add_watch(w->fd, w->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        close(w->fd);
        w->fd = -1;
    }
}

static int watch_read(struct watch *w)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int hit = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->len && strcmp(ev->name, w->base) == 0)
                hit = 1;
            p += sizeof *ev + ev->len;
        }
    }
    return hit;
}

struct live {
    const struct live_options *opt;
    struct engine *engine;
    struct clip_bank *bank;
    const struct routine *shown; /* the newest routine handed to the engine */
    int keys;
    int status_tty; /* stdout is a terminal: the status line redraws in place */
    int status_drawn;
    int shown_step, shown_round;
    int quit;
    struct mpris *mpris;
    double session_seconds;
    double volume_db;      /* the volume asked for, ahead of the engine's */
    double jumped;         /* when a skip or restart was sent: the step change is a jump */
    int64_t paused_frames; /* frames spent paused so far, counted here */
    int64_t paused_seen;   /* the frame last seen while paused, or -1 */
};

/* Messages name files and devices: printed cleaned (term_clean). */
static void print_err(const char *prefix, const char *msg)
{
    char clean[4096];
    fprintf(stderr, "%s%s\n", prefix, term_clean(msg, clean, sizeof clean));
}

static void say_line(struct live *l, FILE *to, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say_line(struct live *l, FILE *to, const char *fmt, ...)
{
    if (l->status_drawn) {
        term_status_clear(stdout);
        l->status_drawn = 0;
    }
    char line[2048], clean[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fputs(term_clean(line, clean, sizeof clean), to);
    fputc('\n', to);
    fflush(to);
}

static void reload(struct live *l)
{
    char err[2048];
    int bad;
    struct engine_plan *p =
        setup_plan(l->opt->routine, &l->opt->choice, &l->bank, err, sizeof err, &bad);
    struct control_cmd cmd = {0};
    if (!p) {
        say_line(l, stderr, "%s", err);
        say_line(l, stderr, "calfpace: the edit is not taken up; the session goes on as it was");
        cmd.kind = CONTROL_ALERT;
        engine_send(l->engine, &cmd);
        return;
    }
    cmd.kind = CONTROL_RELOAD;
    cmd.ptr = p;
    if (engine_send(l->engine, &cmd) != 0) {
        engine_plan_destroy(p);
        say_line(l, stderr, "calfpace: busy; save the routine again to take up the edit");
        return;
    }
    l->shown = engine_plan_routine(p);
    if (!l->opt->quiet)
        say_line(l, stdout, "calfpace: %s reloaded; the session goes on from where it is",
                 l->opt->routine);
}

static void send(struct live *l, enum control_kind kind, double value)
{
    struct control_cmd cmd = {.kind = kind, .value = value};
    engine_send(l->engine, &cmd);
}

static void change_volume(struct live *l, double db)
{
    double want = l->volume_db + db;
    if (want < ENGINE_VOLUME_MIN_DB)
        want = ENGINE_VOLUME_MIN_DB;
    if (want > ENGINE_VOLUME_MAX_DB)
        want = ENGINE_VOLUME_MAX_DB;
    send(l, CONTROL_VOLUME, db);
    l->volume_db = want;
}

/* Media keys and headset buttons: the same commands as the keys. */
static void on_mpris(void *ctx, enum mpris_command cmd, double value)
{
    struct live *l = ctx;
    switch (cmd) {
    case MPRIS_PLAY:
        send(l, CONTROL_PAUSE, -1.0);
        break;
    case MPRIS_PAUSE:
        send(l, CONTROL_PAUSE, 1.0);
        break;
    case MPRIS_PLAY_PAUSE:
        send(l, CONTROL_PAUSE, 0.0);
        break;
    case MPRIS_NEXT:
        send(l, CONTROL_NEXT, 0.0);
        l->jumped = now_seconds();
        break;
    case MPRIS_PREVIOUS:
        send(l, CONTROL_BACK, 0.0);
        l->jumped = now_seconds();
        break;
    case MPRIS_STOP:
        l->quit = 1;
        break;
    case MPRIS_VOLUME: {
        double db = value > 0.0 ? 20.0 * log10(value) : ENGINE_VOLUME_MIN_DB;
        if (db < ENGINE_VOLUME_MIN_DB)
            db = ENGINE_VOLUME_MIN_DB;
        if (db > ENGINE_VOLUME_MAX_DB)
            db = ENGINE_VOLUME_MAX_DB;
        change_volume(l, db - l->volume_db);
        break;
    }
    }
}

/* What the desktop's media widget shows.  Position is the time played,
 * pauses left out: it counts from the engine's frame. */
static void mpris_snapshot(void *ctx, struct mpris_state *ms)
{
    struct live *l = ctx;
    const struct routine *r = l->shown;
    struct engine_status st;
    engine_status(l->engine, &st);
    ms->playing = !st.paused;
    ms->finished = st.finished;
    int in_step = st.step >= 0 && st.step < r->n_steps;
    ms->track = in_step ? st.round * r->n_steps + st.step : -1;
    snprintf(ms->title, sizeof ms->title, "%s", in_step ? r->steps[st.step].name : r->name);
    snprintf(ms->album, sizeof ms->album, "%s", r->name);
    ms->length_us = (int64_t)llround(l->session_seconds * 1e6);
    int64_t played = st.frame - l->paused_frames;
    if (st.paused && l->paused_seen >= 0)
        played -= st.frame - l->paused_seen;
    ms->position_us = played > 0 ? (int64_t)((double)played * 1e6 / r->rate) : 0;
    ms->volume = pow(10.0, st.volume_db / 20.0);
    ms->can_next = !in_step || st.step + 1 < r->n_steps || st.round + 1 < r->repeat;
    ms->can_previous = in_step;
}

/* Keeps the count of frames spent paused (control thread, each turn). */
static void count_pause(struct live *l, const struct engine_status *st)
{
    if (st->paused) {
        if (l->paused_seen >= 0)
            l->paused_frames += st->frame - l->paused_seen;
        l->paused_seen = st->frame;
    } else {
        l->paused_seen = -1;
    }
}

static void handle_keys(struct live *l, int *quit)
{
    char buf[64];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0)
        return;
    enum term_key keys[64];
    int k = term_parse_keys(buf, (size_t)n, keys, 64);
    for (int i = 0; i < k; i++) {
        switch (keys[i]) {
        case TERM_KEY_PAUSE:
            send(l, CONTROL_PAUSE, 0.0);
            break;
        case TERM_KEY_NEXT:
            send(l, CONTROL_NEXT, 0.0);
            l->jumped = now_seconds();
            break;
        case TERM_KEY_BACK:
            send(l, CONTROL_BACK, 0.0);
            l->jumped = now_seconds();
            break;
        case TERM_KEY_FASTER:
            send(l, CONTROL_TEMPO, TEMPO_STEP);
            break;
        case TERM_KEY_SLOWER:
            send(l, CONTROL_TEMPO, 1.0 / TEMPO_STEP);
            break;
        case TERM_KEY_LOUDER:
            change_volume(l, VOLUME_STEP_DB);
            break;
        case TERM_KEY_SOFTER:
            change_volume(l, -VOLUME_STEP_DB);
            break;
        case TERM_KEY_QUIT:
            *quit = 1;
            break;
        }
    }
}

static void bar(char *out, size_t width, double fraction)
{
    if (fraction < 0.0)
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    size_t full = (size_t)lround(fraction * (double)width);
    for (size_t i = 0; i < width; i++)
        out[i] = i < full ? '#' : '-';
    out[width] = '\0';
}

static void draw_status(struct live *l, const struct engine_status *st, uint64_t underruns,
                        double session_seconds)
{
    const struct routine *r = l->shown;
    int rate = r->rate;
    if (st->step < 0 || st->step >= r->n_steps)
        return;
    const struct step *s = &r->steps[st->step];
    char left[64], step_bar[16], all_bar[16], line[512], tempo[32] = "";
    if (s->type == STEP_PACED) {
        snprintf(left, sizeof left, "beat %d/%d", st->beat, st->beats);
        snprintf(tempo, sizeof tempo, " %5.1f bpm", st->tempo);
    } else {
        double rem = (double)(st->step_end - st->frame) / rate;
        snprintf(left, sizeof left, "%.0f s left", rem > 0 ? ceil(rem) : 0.0);
    }
    double span = (double)(st->step_end - st->step_start);
    bar(step_bar, 10, span > 0 ? (double)(st->frame - st->step_start) / span : 0.0);
    bar(all_bar, 10, session_seconds > 0 ? (double)st->frame / rate / session_seconds : 0.0);
    char elapsed[32];
    timeline_format_time((double)st->frame / rate, elapsed, sizeof elapsed);
    snprintf(line, sizeof line, "%s[%d/%d] %s | %s%s | step [%s] all [%s] %s | underruns %llu",
             st->paused ? "PAUSED " : "", st->step + 1, r->n_steps, s->name, left, tempo, step_bar,
             all_bar, elapsed, (unsigned long long)underruns);
    term_status(stdout, STDOUT_FILENO, line);
    l->status_drawn = 1;
}

/* Without a terminal for the status line: one line as each step begins. */
static void log_step(struct live *l, const struct engine_status *st)
{
    const struct routine *r = l->shown;
    if (st->step < 0 || st->step >= r->n_steps ||
        (st->step == l->shown_step && st->round == l->shown_round))
        return;
    l->shown_step = st->step;
    l->shown_round = st->round;
    const struct step *s = &r->steps[st->step];
    char len[32];
    timeline_format_time(s->seconds, len, sizeof len);
    if (s->type == STEP_PACED)
        say_line(l, stdout, "[%d/%d] %s: %s, %g to %g bpm", st->step + 1, r->n_steps, s->name, len,
                 s->tempo_from, s->tempo_to);
    else
        say_line(l, stdout, "[%d/%d] %s: %s", st->step + 1, r->n_steps, s->name, len);
}

/* One line in the history for every live session; a history that cannot be
 * written costs a warning, never the session. */
static void remember(const struct live *l, const struct engine_status *st, time_t started, int lost)
{
    char path[1024], err[1024];
    if (history_path(path, sizeof path, err, sizeof err) != 0) {
        print_err("calfpace: history: ", err);
        return;
    }
    const struct routine *r = l->shown;
    struct history_record rec;
    memset(&rec, 0, sizeof rec);
    rec.start = started;
    snprintf(rec.routine, sizeof rec.routine, "%s", r->name);
    rec.planned = sequencer_session_seconds(r);
    rec.played = (double)st->frame / r->rate;
    rec.steps_total = r->n_steps * r->repeat;
    int done = st->step < 0 ? 0 : st->step + st->round * r->n_steps;
    if (st->finished && !st->stopped)
        done = rec.steps_total;
    rec.steps_done = done > rec.steps_total ? rec.steps_total : done;
    rec.tempo_min = st->tempo_min;
    rec.tempo_max = st->tempo_max;
    rec.ended = lost ? HISTORY_ERROR : st->stopped ? HISTORY_QUIT : HISTORY_DONE;
    if (history_append(path, &rec, err, sizeof err) != 0)
        print_err("calfpace: history: ", err);
}

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

int live_play(const struct live_options *o)
{
    time_t session_started = time(NULL);
    char err[2048];
    int bad;
    struct live l;
    memset(&l, 0, sizeof l);
    l.opt = o;
    l.shown_step = -1;
    /* The audio system's start (probing devices, about 100 ms) and the
     * routine's loading (about 150 ms) overlap: start-up is the longer one. */
    struct audio_start pa;
    int threaded = pthread_create(&pa.thread, NULL, start_audio, &pa) == 0;
    if (!threaded)
        start_audio(&pa);
    struct engine_plan *plan = setup_plan(o->routine, &o->choice, &l.bank, err, sizeof err, &bad);
    if (threaded)
        pthread_join(pa.thread, NULL);
    if (!plan) {
        print_err("", err);
        clip_bank_destroy(l.bank);
        if (pa.rc == 0)
            out_pa_terminate();
        return bad ? 2 : 1;
    }
    l.shown = engine_plan_routine(plan);
    struct engine_options eo = {.voice = o->choice.voice, .tempo_scale = o->tempo_scale};
    l.engine = engine_create(plan, &eo);
    if (!l.engine) {
        fprintf(stderr, "calfpace: out of memory\n");
        engine_plan_destroy(plan);
        clip_bank_destroy(l.bank);
        if (pa.rc == 0)
            out_pa_terminate();
        return 1;
    }
    int status = 1, lost = 0, stalled = 0;
    struct out_pa *out = NULL;
    if (pa.rc != 0) {
        print_err("calfpace: ", pa.err);
        goto done_engine;
    }
    out = out_pa_open(l.engine, o->device, o->latency, err, sizeof err);
    if (!out && o->device && o->device_saved) {
        /* A headset unplugged since: the default device beats silence. */
        char clean[2048];
        fprintf(stderr, "calfpace: %s; the saved device is not there, so the default plays\n",
                term_clean(err, clean, sizeof clean));
        out = out_pa_open(l.engine, NULL, o->latency, err, sizeof err);
    }
    if (!out) {
        print_err("calfpace: ", err);
        goto done_pa;
    }
    install_signals();
    double session_seconds = sequencer_session_seconds(l.shown);
    l.session_seconds = session_seconds;
    l.paused_seen = -1;
    if (!o->quiet) {
        char len[32];
        timeline_format_time(session_seconds, len, sizeof len);
        char name[4 * ROUTINE_NAME_MAX + 1], dev[1024];
        printf("%s: %d steps, %s, on %s.\n", term_clean(l.shown->name, name, sizeof name),
               l.shown->n_steps * l.shown->repeat, len,
               term_clean(out_pa_device_name(out), dev, sizeof dev));
    }
    l.keys = term_begin(STDIN_FILENO);
    l.status_tty = !o->quiet && isatty(STDOUT_FILENO);
    if (!o->quiet) {
        if (l.keys)
            printf(
                "Keys: space pause, n next, b back, up/down tempo, left/right volume, q quit.\n");
        else
            printf("Ctrl-C stops.\n");
        fflush(stdout);
    }
    struct watch w;
    watch_start(&w, o->routine);

    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    double cpu_before = (double)ru0.ru_utime.tv_sec + (double)ru0.ru_utime.tv_usec / 1e6 +
                        (double)ru0.ru_stime.tv_sec + (double)ru0.ru_stime.tv_usec / 1e6;
    /* On the bus only now, while the session plays: an idle player would
     * take the media keys from the others.  The TV goes quiet before the
     * first sound. */
    if (o->mpris || o->pause_others)
        l.mpris = mpris_open(o->mpris, on_mpris, mpris_snapshot, &l);
    if (o->pause_others)
        mpris_pause_others(l.mpris);
    double started = now_seconds();
    if (out_pa_start(out, err, sizeof err) != 0) {
        term_end();
        print_err("calfpace: ", err);
        goto done_out;
    }
    int asked_stop = 0;
    struct engine_status st;
    struct out_pa_stats ps;
    double last_alive = now_seconds();
    int64_t last_frame = -1;
    for (;;) {
        struct pollfd fds[3];
        int nfds = 0;
        if (l.keys)
            fds[nfds++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        if (w.fd >= 0)
            fds[nfds++] = (struct pollfd){.fd = w.fd, .events = POLLIN};
        int bus_fd = mpris_fd(l.mpris);
        if (bus_fd >= 0)
            fds[nfds++] = (struct pollfd){.fd = bus_fd, .events = mpris_events(l.mpris)};
        int ready = poll(fds, (nfds_t)nfds, mpris_timeout_ms(l.mpris, POLL_MS));
        if (ready > 0) {
            for (int i = 0; i < nfds; i++) {
                if (fds[i].fd == bus_fd || !(fds[i].revents & POLLIN))
                    continue;
                if (fds[i].fd == STDIN_FILENO)
                    handle_keys(&l, &l.quit);
                else if (watch_read(&w))
                    w.due = now_seconds() + RELOAD_QUIET_MS / 1000.0;
            }
        }
        mpris_process(l.mpris);
        if (continued) {
            continued = 0;
            term_resume();
        }
        if (w.due > 0.0 && now_seconds() >= w.due) {
            w.due = 0.0;
            reload(&l);
        }
        engine_collect(l.engine);
        if ((stop_signals || l.quit) && !asked_stop) {
            engine_request_stop(l.engine);
            asked_stop = 1;
        }
        engine_status(l.engine, &st);
        count_pause(&l, &st);
        mpris_update(l.mpris, now_seconds() - l.jumped < 1.0);
        out_pa_stats(out, &ps);
        if (!o->quiet) {
            if (l.status_tty)
                draw_status(&l, &st, ps.underflows, session_seconds);
            else
                log_step(&l, &st);
        }
        if (!out_pa_active(out)) {
            /* The stream ended before the session did: the device or the
             * sound server went away under it. */
            engine_status(l.engine, &st);
            lost = !st.finished;
            break;
        }
        /* A stream that stops moving (the sound server went away) must not
         * hang the session. */
        if (st.frame != last_frame) {
            last_frame = st.frame;
            last_alive = now_seconds();
        } else if (now_seconds() - last_alive > 3.0) {
            lost = stalled = 1;
            break;
        }
    }
    term_end();
    if (l.status_drawn)
        term_status_clear(stdout);
    engine_status(l.engine, &st);
    out_pa_stats(out, &ps);
    double wall = now_seconds() - started;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6 - cpu_before;
    char played[32];
    timeline_format_time((double)st.frame / l.shown->rate, played, sizeof played);
    /* Counted as the history counts them: every round's steps. */
    int steps_total = l.shown->n_steps * l.shown->repeat;
    int steps_done = st.step < 0 ? 0 : st.step + st.round * l.shown->n_steps;
    if (st.finished && !st.stopped)
        steps_done = steps_total;
    if (steps_done > steps_total)
        steps_done = steps_total;
    if (o->no_summary && !lost) {
        /* a reminder's prompt: nothing to report */
    } else if (lost) {
        fprintf(stderr,
                "calfpace: the sound device stopped taking audio after %s (was the sound server "
                "stopped?); ending the session\n",
                played);
    } else {
        fprintf(stderr, "calfpace: %s after %s, %d of %d steps done, %llu underruns\n",
                st.stopped ? "stopped" : "finished", played, steps_done, steps_total,
                (unsigned long long)ps.underflows);
    }
    if (!o->no_summary)
        fprintf(stderr,
                "calfpace: %llu callbacks, mean %.2f%% and worst %.2f%% of the buffer period; CPU "
                "%.2f%% of one core; first sample to the device %.0f ms after launch; peak RSS "
                "%.1f MB\n",
                (unsigned long long)ps.callbacks, ps.mean_fraction * 100.0,
                ps.worst_fraction * 100.0, wall > 0 ? cpu / wall * 100.0 : 0.0,
                ps.first_callback_at > 0 ? (ps.first_callback_at - launched_at) * 1000.0 : -1.0,
                (double)ru.ru_maxrss / 1024.0);
    status = lost ? 1 : 0;
    if (!o->no_summary)
        remember(&l, &st, session_started, lost);
    if (w.fd >= 0)
        close(w.fd);
done_out:
    /* A stalled stream's callback may still run, or never return: leave it
     * and what it reads to the process's exit.  An ended one is safe to close. */
    if (stalled)
        out_pa_abandon(out);
    else
        out_pa_close(out);
    /* Off the bus, and the TV back on, once our last sound has gone out. */
    mpris_update(l.mpris, 0);
    mpris_resume_others(l.mpris);
    mpris_close(l.mpris);
done_pa:
    if (!stalled)
        out_pa_terminate();
done_engine:
    if (!stalled) {
        engine_destroy(l.engine);
        clip_bank_destroy(l.bank);
    }
    return status;
}

static void clock_text(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, outlen, "%H:%M:%S", &tm);
}

/* The spoken prompt, as a routine of its own: one cue and nothing else. */
static int play_prompt(const struct live_options *o, int prompt_only)
{
    char path[] = "/tmp/calfpace-prompt-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "calfpace: cannot write the prompt: %s\n", strerror(errno));
        return 1;
    }
    char text[512];
    int n = snprintf(text, sizeof text,
                     "name = \"Reminder\";\ncue = \"%s\";\nlead_in = 3.5;\n"
                     "guidance = { lengths = false; countdown = false; closing = false; };\n"
                     "steps = ( { type = \"rest\"; seconds = 0.1; } );\n",
                     prompt_only ? "stand-up" : "calf-time");
    ssize_t w = write(fd, text, (size_t)n);
    close(fd);
    if (w != n) {
        unlink(path);
        return 1;
    }
    struct live_options po = *o;
    po.routine = path;
    po.quiet = 1;
    po.no_summary = 1;
    po.choice.voice = 1;
    int rc = live_play(&po);
    unlink(path);
    return rc;
}

/* Reminders are due at fractions of a second; the day's hours in whole ones. */
static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double open_at(double t, const struct remind_options *ro)
{
    time_t whole = (time_t)t;
    time_t open = remind_next_open(whole, ro->from, ro->to);
    return open == whole ? t : (double)open;
}

int live_remind(const struct live_options *o, const struct remind_options *ro)
{
    char snooze[4096], when[32], err[512];
    remind_snooze_path(snooze, sizeof snooze);
    install_signals();
    double began = now_seconds();
    double next = open_at(wall_seconds() + ro->every, ro);
    double told = 0.0;
    time_t snoozed_seen = remind_snooze_read(snooze, time(NULL));
    if ((double)snoozed_seen > next)
        next = open_at((double)snoozed_seen, ro); /* a snooze given before we started */
    int status = 0;
    int keys = term_begin(STDIN_FILENO);
    while (!stop_signals) {
        if (ro->run_for > 0.0 && now_seconds() - began >= ro->run_for)
            break;
        double now = wall_seconds();
        time_t snoozed = remind_snooze_read(snooze, time(NULL));
        if (snoozed != snoozed_seen) {
            snoozed_seen = snoozed;
            if ((double)snoozed > next) {
                next = open_at((double)snoozed, ro);
                told = 0;
            }
        }
        if (next != told) {
            clock_text((time_t)next, when, sizeof when);
            printf("calfpace: next reminder at %s%s\n", when,
                   keys ? " (any key postpones it, q quits)" : "");
            fflush(stdout);
            told = next;
        }
        if (now >= next) {
            if (!remind_in_hours((time_t)now, ro->from, ro->to)) {
                next = open_at(now, ro);
                continue;
            }
            term_end();
            double fired = now;
            int rc = play_prompt(o, ro->prompt_only);
            if (rc == 0 && !ro->prompt_only && !stop_signals)
                rc = live_play(o);
            if (rc != 0)
                status = rc; /* say so at the end, but keep reminding */
            keys = term_begin(STDIN_FILENO);
            /* Every interval from the last reminder's start, but never
             * sooner than a second after it ended. */
            double after = wall_seconds() + 1.0;
            next = open_at(fired + ro->every > after ? fired + ro->every : after, ro);
            continue;
        }
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&pfd, keys ? 1 : 0, 250) > 0 && (pfd.revents & POLLIN)) {
            char buf[64];
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n > 0 && memchr(buf, 'q', (size_t)n))
                break;
            if (n > 0) {
                time_t until = time(NULL) + (time_t)llround(ro->postpone);
                if (remind_snooze_write(snooze, until, err, sizeof err) != 0)
                    print_err("calfpace: ", err);
                next = open_at((double)until, ro);
                snoozed_seen = until;
            }
        }
    }
    term_end();
    printf("calfpace: reminders stopped\n");
    return status == 2 ? 2 : status ? 1 : 0;
}
