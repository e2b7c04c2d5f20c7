/* calfpace: the command line.  Parses arguments, wires the modules together,
 * prints, and chooses the exit status: 0 success, 1 runtime failure, 2 bad
 * input or usage. */
#include "clips.h"
#include "cp_error.h"
#include "engine.h"
#include "history.h"
#include "live.h"
#include "out_file.h"
#include "out_portaudio.h"
#include "paths.h"
#include "timeline_text.h"
#include "remind.h"
#include "reminder.h"
#include "routine.h"
#include "sequencer.h"
#include "setup.h"
#include "speech.h"
#include "stream_props.h"
#include "term.h"
#include "userconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Messages carry names from files (routines, sounds, devices): printed only
 * through term_clean, so none can reach the terminal as a control sequence. */
static char shown_text[4096];
static const char *shown(const char *text)
{
    return term_clean(text, shown_text, sizeof shown_text);
}

#define EXIT_BAD_INPUT 2

/* The one place a kind of failure becomes an exit status.  No default: a
 * kind added without a status here is a compiler warning. */
static int exit_status(enum cp_err_kind kind)
{
    switch (kind) {
    case CP_OK:
        return 0;
    case CP_BAD_INPUT:
        return EXIT_BAD_INPUT;
    case CP_RUNTIME:
    case CP_INTERRUPTED:
        return 1;
    }
    return 1;
}

/* Which options were given, to refuse those that do not fit the command. */
enum opt_bit {
    O_OUTPUT = 1 << 0,
    O_DEVICE = 1 << 1,
    O_LATENCY = 1 << 2,
    O_SOUNDS = 1 << 3,
    O_VOICE = 1 << 4, /* --voice or --no-voice */
    O_QUIET = 1 << 5,
    O_EVENTS = 1 << 6,
    O_EVERY = 1 << 7,
    O_BETWEEN = 1 << 8,
    O_SNOOZE = 1 << 9,
    O_FOR = 1 << 10,
    O_CSV = 1 << 11,
    O_MPRIS = 1 << 12, /* --no-mpris */
    O_AWAY = 1 << 13,
    O_BITRATE = 1 << 14,
    O_FIGURES = 1 << 15, /* -v */
    O_MONO = 1 << 16,
    O_BALANCE = 1 << 17,
};

struct options {
    unsigned given; /* enum opt_bit */
    const char *output;
    const char *device;
    const char *sounds;
    double latency;
    int voice;
    int quiet;
    int events;
    int csv;
    int bitrate; /* kbit/s for MP3 and Opus renders; 0 for the default */
    const char *lang;
    const char *every, *between, *snooze, *run_for, *away;
    int no_mpris;
    int figures;
    int mono;
    double balance;
};

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: calfpace [play] [ROUTINE]      play a routine live (default: calf-pump)\n"
            "                                      ROUTINE: a file, or a shipped one by name\n"
            "       calfpace render ROUTINE -o FILE render a session into FILE\n"
            "                                      (.wav .flac .ogg .oga .mp3 .opus)\n"
            "       calfpace check ROUTINE          validate and print the plan\n"
            "       calfpace devices                list output devices\n"
            "       calfpace remind [ROUTINE|none]  remind to move every --every (default 45m)\n"
            "       calfpace remind --snooze 15m    postpone the running reminders\n"
            "       calfpace stats [--csv]          sessions and minutes per day, two weeks\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE     with render: the file to render into\n"
            "  -d, --device NAME     output device: a name (or a part only one has) or an index\n"
            "      --latency SEC     ask the device for this much output latency (0.02 to 2)\n"
            "      --sounds DIR      look for sounds in DIR (after the routine's own sounds_dir)\n"
            "      --bitrate KBPS    with render: MP3 or Opus bitrate (default 64, 32)\n"
            "      --mono            every sound in both ears (for one earbud, or one ear)\n"
            "      --balance B       -1 (left only) to 1 (right only): turn one side down\n"
            "      --no-voice        the routine's beats alone: no speech\n"
            "      --voice LANG      speak in LANG: en (English), de (German), or off\n"
            "  -q, --quiet           no status line while playing\n"
            "  -v, --verbose         with play and remind: the session's figures at the end\n"
            "                        (callbacks, CPU, start-up, memory)\n"
            "      --no-mpris        no media keys, headset buttons or media widget\n"
            "      --events          with check: print every event with its sample\n"
            "      --every DURATION  with remind: the interval (45m, 1h30m, 2s)\n"
            "      --between HH:MM-HH:MM  with remind: only in these hours\n"
            "      --for DURATION    with remind: stop after this long\n"
            "      --away DURATION   with remind: locked or asleep this long restarts the\n"
            "                        interval (default 5m)\n"
            "      --snooze DURATION with remind: postpone the running reminders\n"
            "      --csv             with stats: comma-separated days\n"
            "  -h, --help            show this help\n"
            "  -V, --version         show the version\n"
            "\n"
            "Keys while playing: space pause/resume, n next step, b back to the step's start,\n"
            "up/+ and down/- tempo, right/] and left/[ volume, q or Ctrl-C stop.\n"
            "Exit status: 0 done, 1 runtime failure, 2 bad input, 130 stopped at once.\n"
            "\n"
            "Routines are libconfig files; see %s.\n",
            paths_format_doc());
}

static int default_routine(const char *name, char *out, size_t outlen)
{
    char data[2048];
    if (paths_data_dir(data, sizeof data) != 0)
        return -1;
    snprintf(out, outlen, "%s/config/%s", data, name);
    return 0;
}

static struct engine_plan *load_plan(const char *path, const struct options *o,
                                     struct clip_bank **bank, enum cp_err_kind *kind)
{
    struct cp_error err;
    *bank = NULL;
    struct setup_choice choice = {.sounds = o->sounds, .lang = o->lang, .voice = o->voice};
    struct engine_plan *p = setup_plan(path, &choice, bank, &err);
    if (!p) {
        fprintf(stderr, "%s\n", shown(err.msg));
        clip_bank_destroy(*bank);
        *bank = NULL;
        *kind = err.kind;
    }
    return p;
}

#define RENDER_WARN_BYTES 2e9 /* "a few GB": say so before writing them */

static enum cp_err_kind cmd_check(const char *path, const struct options *o)
{
    struct clip_bank *bank;
    enum cp_err_kind kind = CP_OK;
    struct engine_plan *p = load_plan(path, o, &bank, &kind);
    if (!p)
        return kind;
    engine_plan_warn(p, stderr);
    const struct routine *r = engine_plan_routine(p);
    double wav = sequencer_session_seconds(r) * r->rate * 4.0;
    if (wav > RENDER_WARN_BYTES)
        fprintf(stderr,
                "%s: warning: a WAV render of this session takes about %.1f GB (%d Hz); .flac, "
                ".opus or a lower rate is smaller\n",
                r->path, wav / 1e9, r->rate);
    if (o->events) {
        timeline_print_events(stdout, engine_plan_routine(p));
    } else {
        timeline_print(stdout, engine_plan_routine(p));
        struct setup_choice choice = {.lang = o->lang};
        if (o->voice)
            speech_print(stdout, r, setup_lang(r, &choice));
    }
    engine_plan_destroy(p);
    clip_bank_destroy(bank);
    return CP_OK;
}

/* Set by SIGINT, SIGTERM and SIGHUP while a render runs. */
static volatile sig_atomic_t render_cancel;

static void on_render_signal(int sig)
{
    render_cancel = sig;
}

#define PROGRESS_AFTER 1.0    /* seconds of rendering before a bar appears */

struct render_progress {
    int rate;
    int64_t expected; /* frames, from the plan */
    struct timespec t0, last;
    int shown;
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* A bar on the terminal: percent, audio time done, speed.  Only when the
 * render has taken a while, redrawn five times a second. */
static void render_progress(void *ctx, int64_t frames)
{
    struct render_progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double took = seconds_between(&p->t0, &now);
    if (took < PROGRESS_AFTER || (p->shown && seconds_between(&p->last, &now) < 0.2))
        return;
    p->last = now;
    p->shown = 1;
    double done = (double)frames / p->rate, all = (double)p->expected / p->rate;
    double frac = all > 0.0 ? done / all : 0.0;
    frac = frac > 1.0 ? 1.0 : frac;
    char bar[31], a[32], b[32];
    int fill = (int)(frac * 30.0);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    timeline_format_time(done, a, sizeof a);
    timeline_format_time(all, b, sizeof b);
    fprintf(stderr, "\r[%s] %3.0f%%  %s of %s  %.0fx real time\033[K", bar, frac * 100.0, a, b,
            done / took);
    fflush(stderr);
}

static void size_warning(const char *out, const struct routine *r, int bitrate)
{
    int64_t frames = (int64_t)(sequencer_session_seconds(r) * r->rate);
    double bytes = out_file_estimate_bytes(out, frames, r->rate, bitrate);
    if (bytes > RENDER_WARN_BYTES)
        fprintf(stderr,
                "calfpace: warning: %s will take about %.1f GB (%.0f minutes at %d Hz); FLAC, "
                ".opus or a lower rate is smaller\n",
                out, bytes / 1e9, (double)frames / r->rate / 60.0, r->rate);
}

/* Ctrl-C, SIGTERM and SIGHUP end a render between blocks, and its
 * unfinished file is removed. */
static void catch_render_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_render_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Says how a render of FRAMES that took TOOK seconds went; the kind of its
 * failure, if any. */
static enum cp_err_kind render_result(const struct cp_error *err, const struct options *o,
                                      const char *partial, int64_t frames, int rate, double took)
{
    if (err->kind == CP_INTERRUPTED) {
        fprintf(stderr, "calfpace: %s, render stopped; removed the unfinished %s\n",
                strsignal(render_cancel), partial);
        return err->kind;
    }
    if (err->kind != CP_OK) {
        fprintf(stderr, "%s\n", shown(err->msg));
        return err->kind;
    }
    if (!o->quiet) {
        double secs = (double)frames / rate;
        char len[32];
        timeline_format_time(secs, len, sizeof len);
        fprintf(stderr,
                "calfpace: wrote %s (%s, %lld frames at %d Hz) in %.2f s, %.0fx real time\n",
                o->output, len, (long long)frames, rate, took, took > 0 ? secs / took : 0.0);
    }
    return CP_OK;
}

/* The session rendered into the file, through the same output interface a
 * live session plays through: a block a pump, as fast as they come. */
static void render_file(struct engine *e, const char *path, struct out_file_options *fo,
                        int64_t *frames, struct cp_error *err)
{
    struct output out = {0};
    struct output_params op = {.path = path, .file = fo};
    cp_error_clear(err);
    if (output_open(&out, &out_file_ops, e, &op, err) != 0)
        return;
    if (output_start(&out, err) == 0) {
        while (output_active(&out))
            output_pump(&out);
        output_finish(&out, err);
    }
    struct output_stats st;
    output_stats(&out, &st);
    *frames = st.frames;
    output_close(&out);
}

/* A plan for PATH, or NULL after saying why (the kind in *KIND). */
static struct engine_plan *render_plan(const char *path, const struct options *o,
                                       struct clip_bank **bank, enum cp_err_kind *kind)
{
    struct cp_error err;
    /* A listener who set mono for one earbud hears the file so too. */
    char conf[1024];
    struct userconf u;
    userconf_path(conf, sizeof conf);
    if (userconf_load(conf, &u, err.msg, sizeof err.msg) != 0) {
        fprintf(stderr, "%s\n", shown(err.msg));
        *kind = CP_BAD_INPUT;
        return NULL;
    }
    struct setup_choice choice = {.sounds = o->sounds,
                                  .lang = o->lang,
                                  .voice = o->voice,
                                  .render_to = o->output,
                                  .mono = o->mono || u.mono,
                                  .balance = o->given & O_BALANCE ? o->balance : u.balance};
    struct engine_plan *p = setup_plan(path, &choice, bank, &err);
    if (!p) {
        fprintf(stderr, "%s\n", err.msg);
        clip_bank_destroy(*bank);
        *bank = NULL;
        *kind = err.kind;
        return NULL;
    }
    /* At the routine's rate, the format may still refuse. */
    if (out_file_check(o->output, engine_plan_routine(p)->rate, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        engine_plan_destroy(p);
        clip_bank_destroy(*bank);
        *bank = NULL;
        *kind = err.kind;
        return NULL;
    }
    return p;
}

static enum cp_err_kind cmd_render(const char *path, const struct options *o)
{
    if (!o->output) {
        fprintf(stderr, "calfpace: render needs an output file: calfpace render ROUTINE -o "
                        "FILE.wav\n");
        return CP_BAD_INPUT;
    }
    struct cp_error err;
    /* A name that cannot work is refused before the routine loads. */
    if (out_file_check(o->output, 48000, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return err.kind;
    }
    struct clip_bank *bank = NULL;
    enum cp_err_kind kind = CP_OK;
    struct engine_plan *p = render_plan(path, o, &bank, &kind);
    if (!p)
        return kind;
    const struct routine *r = engine_plan_routine(p);
    int rate = r->rate;
    struct timeline_chapter *chapters = malloc(TIMELINE_CHAPTERS_MAX * sizeof *chapters);
    struct engine *e = NULL;
    int n_chapters = chapters ? timeline_chapters(r, rate, chapters, TIMELINE_CHAPTERS_MAX) : 0;
    if (n_chapters > TIMELINE_CHAPTERS_MAX)
        n_chapters = TIMELINE_CHAPTERS_MAX;
    if (!o->quiet)
        size_warning(o->output, r, o->bitrate);
    struct render_progress prog = {
        .rate = rate,
        .expected = (int64_t)(sequencer_session_seconds(r) * rate),
    };
    struct out_file_options fo = {
        .bitrate_kbps = o->bitrate,
        .title = r->name,
        .chapters = chapters,
        .n_chapters = n_chapters,
        .cancel = &render_cancel,
        .progress = !o->quiet && isatty(2) ? render_progress : NULL,
        .progress_ctx = &prog,
    };
    if (!chapters || !(e = engine_create(p, 1.0))) {
        fprintf(stderr, "calfpace: out of memory\n");
        free(chapters);
        engine_plan_destroy(p);
        clip_bank_destroy(bank);
        return CP_RUNTIME;
    }
    catch_render_signals();
    int64_t frames = 0;
    clock_gettime(CLOCK_MONOTONIC, &prog.t0);
    render_file(e, o->output, &fo, &frames, &err);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (prog.shown)
        fprintf(stderr, "\r\033[K");
    kind = render_result(&err, o, fo.partial, frames, rate, seconds_between(&prog.t0, &t1));
    free(chapters);
    engine_destroy(e);
    clip_bank_destroy(bank);
    return kind;
}

/* Live sessions take the listener's own defaults; options win over them. */
static enum cp_err_kind live_setup(const struct options *o, struct live_options *lo,
                                   struct userconf *u, const char *routine)
{
    char path[1024], err[1024];
    userconf_path(path, sizeof path);
    if (userconf_load(path, u, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", shown(err));
        return CP_BAD_INPUT;
    }
    memset(lo, 0, sizeof *lo);
    lo->routine = routine;
    lo->device = o->device ? o->device : (u->device[0] ? u->device : NULL);
    lo->device_saved = !o->device && u->device[0];
    lo->latency = o->latency > 0.0 ? o->latency : u->latency;
    lo->tempo_scale = u->tempo_scale;
    lo->quiet = o->quiet;
    lo->figures = o->figures;
    lo->choice.sounds = o->sounds;
    lo->choice.lang = o->lang;
    lo->choice.lang_default = u->voice[0] ? u->voice : NULL;
    lo->choice.voice = o->voice && !(u->voice_off && !o->lang);
    lo->choice.volume_db = u->volume_db;
    lo->choice.mono = o->mono || u->mono;
    lo->choice.balance = o->given & O_BALANCE ? o->balance : u->balance;
    lo->mpris = u->mpris && !o->no_mpris;
    lo->pause_others = u->pause_others;
    return CP_OK;
}

static enum cp_err_kind cmd_play(const char *path, const struct options *o)
{
    struct live_options lo;
    struct userconf u;
    enum cp_err_kind rc = live_setup(o, &lo, &u, path);
    if (rc != CP_OK)
        return rc;
    /* The device's name is saved, not the word that found it: an index
     * or a part of a name may point elsewhere once devices come and go. */
    char played_on[LIVE_DEVICE_NAME_MAX] = "";
    lo.played_on = played_on;
    rc = live_play(&lo);
    if (rc == CP_OK && o->device && played_on[0] && strcmp(played_on, u.device) != 0) {
        char err[1200];
        if (userconf_save_device(u.path, played_on, err, sizeof err) != 0)
            fprintf(stderr, "calfpace: %s\n", shown(err));
    }
    return rc;
}

static void warn_line(void *ctx, const char *msg)
{
    int *count = ctx;
    if ((*count)++ < 5)
        fprintf(stderr, "%s\n", shown(msg));
}

static int tally_one(void *ctx, const struct history_record *r)
{
    history_tally_add(ctx, r);
    return 0;
}

/* A record at a time: the memory stays the same whatever the history's size. */
static enum cp_err_kind cmd_stats(const struct options *o)
{
    char path[1024], err[1024];
    if (history_path(path, sizeof path, err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", shown(err));
        return CP_RUNTIME;
    }
    struct history_tally *tally = history_tally_create(time(NULL));
    if (!tally) {
        fprintf(stderr, "calfpace: out of memory for the stats (or the clock has no date)\n");
        return CP_RUNTIME;
    }
    int warned = 0;
    if (history_scan(path, tally_one, tally, warn_line, &warned, err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", shown(err));
        history_tally_destroy(tally);
        return CP_RUNTIME;
    }
    if (warned > 5)
        fprintf(stderr, "calfpace: %s: %d broken lines skipped in all\n", shown(path), warned);
    struct history_stats st;
    history_tally_result(tally, &st);
    history_tally_destroy(tally);
    return history_stats_print(stdout, &st, o->csv) == 0 ? CP_OK : CP_RUNTIME;
}

static enum cp_err_kind cmd_devices(void)
{
    char err[1024];
    if (out_pa_init(err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", shown(err));
        return CP_RUNTIME;
    }
    int n = out_pa_list(stdout);
    out_pa_terminate();
    if (n == 0) {
        fprintf(stderr, "calfpace: no audio output device found (is a sound server, PulseAudio "
                        "or PipeWire, running?); 'calfpace render' still works\n");
        return CP_RUNTIME;
    }
    return CP_OK;
}

static int parse_duration_opt(const char *name, const char *text, double *out)
{
    char err[256];
    if (remind_parse_duration(text, out, err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s: %s\n", name, shown(err));
        return -1;
    }
    return 0;
}

static enum cp_err_kind cmd_remind(const char *routine, const struct options *o)
{
    char err[512];
    if (o->snooze) {
        double secs;
        if (parse_duration_opt("--snooze", o->snooze, &secs))
            return CP_BAD_INPUT;
        char path[4096];
        remind_snooze_path(path, sizeof path);
        time_t until = time(NULL) + (time_t)llround(secs);
        if (remind_snooze_write(path, until, err, sizeof err) != 0) {
            fprintf(stderr, "calfpace: %s\n", shown(err));
            return CP_RUNTIME;
        }
        char when[64], running[4096];
        remind_format_when(until, time(NULL), when, sizeof when);
        remind_running_path(running, sizeof running);
        if (remind_is_running(running))
            printf("calfpace: reminders snoozed until %s\n", when);
        else
            printf("calfpace: no reminder is running; one started before %s waits until then\n",
                   when);
        return CP_OK;
    }
    struct remind_options ro = {.every = 45 * 60.0, .postpone = 15 * 60.0};
    if (o->every && parse_duration_opt("--every", o->every, &ro.every))
        return CP_BAD_INPUT;
    if (o->away && parse_duration_opt("--away", o->away, &ro.away))
        return CP_BAD_INPUT;
    if (o->run_for && parse_duration_opt("--for", o->run_for, &ro.run_for))
        return CP_BAD_INPUT;
    if (o->between && remind_parse_between(o->between, &ro.from, &ro.to, err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: --between: %s\n", shown(err));
        return CP_BAD_INPUT;
    }
    ro.prompt_only = strcmp(routine, "none") == 0;
    struct live_options lo;
    struct userconf u;
    enum cp_err_kind rc = live_setup(o, &lo, &u, routine);
    if (rc != CP_OK)
        return rc;
    if (!o->away)
        ro.away = u.away;
    ro.prompt_silence = u.prompt_silence;
    if (!ro.prompt_only) {
        /* A routine with a mistake is refused now, not at the first reminder. */
        struct clip_bank *bank;
        enum cp_err_kind kind = CP_OK;
        struct engine_plan *p = load_plan(routine, o, &bank, &kind);
        if (!p)
            return kind;
        engine_plan_destroy(p);
        clip_bank_destroy(bank);
    }
    return reminder_run(&lo, &ro);
}

static const char *const option_names[] = {
    "-o/--output", "--device", "--latency", "--sounds", "--voice/--no-voice", "--quiet",
    "--events",    "--every",  "--between", "--snooze", "--for",              "--csv",
    "--no-mpris",  "--away",   "--bitrate", "-v/--verbose",      "--mono",    "--balance",
};

/* The options each command takes; the rest are mistakes, not ignored. */
static unsigned options_for(const char *cmd, const struct options *o)
{
    if (strcmp(cmd, "render") == 0)
        return O_OUTPUT | O_SOUNDS | O_VOICE | O_QUIET | O_BITRATE | O_MONO | O_BALANCE;
    if (strcmp(cmd, "check") == 0)
        return O_SOUNDS | O_VOICE | O_EVENTS;
    if (strcmp(cmd, "devices") == 0)
        return 0;
    if (strcmp(cmd, "stats") == 0)
        return O_CSV;
    if (strcmp(cmd, "remind") == 0)
        return o->snooze ? O_SNOOZE
                         : O_DEVICE | O_LATENCY | O_SOUNDS | O_VOICE | O_QUIET | O_EVERY |
                               O_BETWEEN | O_FOR | O_MPRIS | O_AWAY | O_FIGURES | O_MONO |
                               O_BALANCE;
    return O_DEVICE | O_LATENCY | O_SOUNDS | O_VOICE | O_QUIET | O_MPRIS | O_FIGURES | O_MONO |
           O_BALANCE; /* play */
}

static int refuse_options(const char *cmd, const struct options *o)
{
    unsigned allowed = options_for(cmd, o), extra = o->given & ~allowed;
    if (!extra)
        return 0;
    int bit = 0;
    while (!(extra & (1u << bit)))
        bit++;
    char takes[256] = "";
    size_t len = 0;
    for (int b = 0; b < (int)(sizeof option_names / sizeof option_names[0]); b++)
        if (allowed & (1u << b))
            len += (size_t)snprintf(takes + len, sizeof takes - len, "%s%s", len ? ", " : "",
                                    option_names[b]);
    if (strcmp(cmd, "remind") == 0 && o->snooze)
        fprintf(stderr, "calfpace: %s does not go with remind --snooze (it takes a duration "
                        "alone: calfpace remind --snooze 15m)\n",
                option_names[bit]);
    else
        fprintf(stderr, "calfpace: %s does not apply to %s (%s takes: %s)\n", option_names[bit],
                cmd, cmd, len ? takes : "no options");
    return 1;
}

/* The shipped routines' names ("calf-pump, quick"), for messages. */
static void shipped_names(char *out, size_t outlen, char *dir, size_t dirlen)
{
    char data[2048];
    out[0] = '\0';
    dir[0] = '\0';
    if (paths_data_dir(data, sizeof data) != 0)
        return;
    snprintf(dir, dirlen, "%s/config", data);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(names[i]->d_name);
        if (l > 4 && strcmp(names[i]->d_name + l - 4, ".cfg") == 0 && len < outlen)
            len += (size_t)snprintf(out + len, outlen - len, "%s%.*s", len ? ", " : "",
                                    (int)(l - 4), names[i]->d_name);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static int ends_with_cfg(const char *name)
{
    size_t l = strlen(name);
    return l > 4 && strcmp(name + l - 4, ".cfg") == 0;
}

/* A routine as the user names it: a file; NAME.cfg beside it ("check
 * morning" for ./morning.cfg); or a shipped routine by its name ("quick").
 * 0 with the path in OUT, or -1 after saying what was looked for. */
static int find_routine(const char *name, char *out, size_t outlen)
{
    if (access(name, F_OK) == 0 || strcmp(name, "none") == 0) {
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    if (!ends_with_cfg(name)) {
        snprintf(out, outlen, "%s.cfg", name);
        if (access(out, F_OK) == 0)
            return 0;
    }
    if (strchr(name, '/')) {
        snprintf(out, outlen, "%s", name); /* the loader says what is wrong with it */
        return 0;
    }
    char data[2048];
    if (paths_data_dir(data, sizeof data) == 0) {
        snprintf(out, outlen, "%s/config/%s%s", data, name, ends_with_cfg(name) ? "" : ".cfg");
        if (access(out, R_OK) == 0)
            return 0;
    }
    char names[512], dir[2200];
    shipped_names(names, sizeof names, dir, sizeof dir);
    if (names[0])
        fprintf(stderr,
                "calfpace: no routine \"%s\": not a file in this folder, and not a shipped "
                "routine (looked for %s, %s%s and %s/%s%s; shipped: %s)\n",
                name, name, name, ends_with_cfg(name) ? "" : ".cfg", dir, name,
                ends_with_cfg(name) ? "" : ".cfg", names);
    else
        fprintf(stderr,
                "calfpace: no routine \"%s\": not a file in this folder, and the shipped "
                "routines are not found (set CALFPACE_DATA to the folder that holds sounds/ "
                "and config/)\n",
                name);
    return -1;
}

/* Everything printed to stdout must have reached it: a full disk or a
 * closed pipe is a runtime failure, not a success. */
static int stdout_ok(void)
{
    errno = 0;
    int flushed = fflush(stdout) == 0;
    if (!flushed || ferror(stdout)) {
        /* A write that failed earlier left no errno to tell. */
        fprintf(stderr, "calfpace: cannot write the output: %s\n",
                !flushed && errno ? strerror(errno) : "a closed pipe or a full disk");
        return 0;
    }
    return 1;
}

static enum cp_err_kind run(int argc, char **argv);

int main(int argc, char **argv)
{
    live_mark_launch();
    stream_props_apply(); /* setenv: before any thread starts */
    /* Don't let libjack start a JACK server just to look for devices.  Set
     * here, before any thread can read the environment. */
    setenv("JACK_NO_START_SERVER", "1", 0);
    enum cp_err_kind kind = run(argc, argv);
    if (!stdout_ok() && kind == CP_OK)
        kind = CP_RUNTIME;
    return exit_status(kind);
}

enum long_option {
    OPT_NO_VOICE = 256,
    OPT_SOUNDS,
    OPT_LATENCY,
    OPT_EVENTS,
    OPT_EVERY,
    OPT_BETWEEN,
    OPT_SNOOZE,
    OPT_FOR,
    OPT_CSV,
    OPT_VOICE,
    OPT_NO_MPRIS,
    OPT_AWAY,
    OPT_BITRATE,
    OPT_MONO,
    OPT_BALANCE
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"device", required_argument, NULL, 'd'},
    {"latency", required_argument, NULL, OPT_LATENCY},
    {"sounds", required_argument, NULL, OPT_SOUNDS},
    {"no-voice", no_argument, NULL, OPT_NO_VOICE},
    {"quiet", no_argument, NULL, 'q'},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"every", required_argument, NULL, OPT_EVERY},
    {"between", required_argument, NULL, OPT_BETWEEN},
    {"snooze", required_argument, NULL, OPT_SNOOZE},
    {"for", required_argument, NULL, OPT_FOR},
    {"csv", no_argument, NULL, OPT_CSV},
    {"voice", required_argument, NULL, OPT_VOICE},
    {"no-mpris", no_argument, NULL, OPT_NO_MPRIS},
    {"away", required_argument, NULL, OPT_AWAY},
    {"bitrate", required_argument, NULL, OPT_BITRATE},
    {"mono", no_argument, NULL, OPT_MONO},
    {"balance", required_argument, NULL, OPT_BALANCE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"verbose", no_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

/* The options that keep their argument as given, and those that set a flag:
 * each names its field in struct options and its bit in enum opt_bit. */
static const struct {
    int c;
    size_t field; /* a const char * */
    unsigned bit;
} text_options[] = {
    {'o', offsetof(struct options, output), O_OUTPUT},
    {OPT_EVERY, offsetof(struct options, every), O_EVERY},
    {OPT_BETWEEN, offsetof(struct options, between), O_BETWEEN},
    {OPT_SNOOZE, offsetof(struct options, snooze), O_SNOOZE},
    {OPT_FOR, offsetof(struct options, run_for), O_FOR},
    {OPT_AWAY, offsetof(struct options, away), O_AWAY},
};

static const struct {
    int c;
    size_t field; /* an int */
    int value;
    unsigned bit;
} flag_options[] = {
    {OPT_NO_VOICE, offsetof(struct options, voice), 0, O_VOICE},
    {'q', offsetof(struct options, quiet), 1, O_QUIET},
    {OPT_EVENTS, offsetof(struct options, events), 1, O_EVENTS},
    {OPT_CSV, offsetof(struct options, csv), 1, O_CSV},
    {OPT_MONO, offsetof(struct options, mono), 1, O_MONO},
    {OPT_NO_MPRIS, offsetof(struct options, no_mpris), 1, O_MPRIS},
    {'v', offsetof(struct options, figures), 1, O_FIGURES},
};

/* Sets what C sets when it is one of the options above: 1 when it is. */
static int plain_option(int c, const char *arg, struct options *o)
{
    for (size_t i = 0; i < sizeof text_options / sizeof text_options[0]; i++)
        if (text_options[i].c == c) {
            *(const char **)((char *)o + text_options[i].field) = arg;
            o->given |= text_options[i].bit;
            return 1;
        }
    for (size_t i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++)
        if (flag_options[i].c == c) {
            *(int *)((char *)o + flag_options[i].field) = flag_options[i].value;
            o->given |= flag_options[i].bit;
            return 1;
        }
    return 0;
}

/* The options whose value is checked: each gives CP_OK, or CP_BAD_INPUT
 * after saying what is allowed. */
static enum cp_err_kind option_device(const char *arg, struct options *o)
{
    if (!arg[0]) {
        fprintf(stderr, "calfpace: --device needs a name or an index (see 'calfpace "
                        "devices')\n");
        return CP_BAD_INPUT;
    }
    o->device = arg;
    o->given |= O_DEVICE;
    return CP_OK;
}

static enum cp_err_kind option_latency(const char *arg, struct options *o)
{
    char *end;
    o->latency = strtod(arg, &end);
    if (end == arg || *end ||
        !(o->latency >= USERCONF_LATENCY_MIN && o->latency <= USERCONF_LATENCY_MAX)) {
        fprintf(stderr, "calfpace: --latency takes seconds, %g to %g (got \"%s\")\n",
                USERCONF_LATENCY_MIN, USERCONF_LATENCY_MAX, arg);
        return CP_BAD_INPUT;
    }
    o->given |= O_LATENCY;
    return CP_OK;
}

static enum cp_err_kind option_sounds(const char *arg, struct options *o)
{
    struct stat st;
    errno = 0;
    if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "calfpace: --sounds \"%s\" is not a folder (%s)\n", arg,
                errno == ENOENT ? "no such folder" : "a folder of sound files is needed");
        return CP_BAD_INPUT;
    }
    o->sounds = arg;
    o->given |= O_SOUNDS;
    return CP_OK;
}

static enum cp_err_kind option_bitrate(const char *arg, struct options *o)
{
    char *end;
    long kbps = strtol(arg, &end, 10);
    if (*end || kbps < 8 || kbps > 320) {
        fprintf(stderr, "calfpace: --bitrate takes kbit/s, 8 to 320 (got \"%s\")\n", arg);
        return CP_BAD_INPUT;
    }
    o->bitrate = (int)kbps;
    o->given |= O_BITRATE;
    return CP_OK;
}

static enum cp_err_kind option_balance(const char *arg, struct options *o)
{
    char *end;
    o->balance = strtod(arg, &end);
    if (end == arg || *end || !(o->balance >= -1.0 && o->balance <= 1.0)) {
        fprintf(stderr,
                "calfpace: --balance takes a number, -1 (left only) to 1 (right only) "
                "(got \"%s\")\n",
                arg);
        return CP_BAD_INPUT;
    }
    o->given |= O_BALANCE;
    return CP_OK;
}

static enum cp_err_kind option_voice(const char *arg, struct options *o)
{
    /* As in the personal config: en, de or off, in any case. */
    static char lang[8];
    size_t i = 0;
    for (; arg[i] && i < sizeof lang - 1; i++)
        lang[i] = (char)tolower((unsigned char)arg[i]);
    lang[i] = '\0';
    o->given |= O_VOICE;
    if (strcmp(lang, "off") == 0 && !arg[i]) {
        o->voice = 0;
        o->lang = NULL;
        return CP_OK;
    }
    if (arg[i] || !routine_voice_known(lang)) {
        fprintf(stderr,
                "calfpace: --voice \"%s\" is not a language calfpace speaks "
                "(allowed: en, de, or off for no speech)\n",
                arg);
        return CP_BAD_INPUT;
    }
    o->lang = lang;
    o->voice = 1;
    return CP_OK;
}

/* Reads the options into O: 1 to go on, else 0 with *DONE set (after help,
 * the version, or a refusal said). */
static int parse_options(int argc, char **argv, struct options *o, enum cp_err_kind *done)
{
    int c;
    while ((c = getopt_long(argc, argv, "o:d:qhVv", longopts, NULL)) != -1) {
        if (plain_option(c, optarg, o))
            continue;
        enum cp_err_kind rc;
        switch (c) {
        case 'd':
            rc = option_device(optarg, o);
            break;
        case OPT_LATENCY:
            rc = option_latency(optarg, o);
            break;
        case OPT_SOUNDS:
            rc = option_sounds(optarg, o);
            break;
        case OPT_BITRATE:
            rc = option_bitrate(optarg, o);
            break;
        case OPT_BALANCE:
            rc = option_balance(optarg, o);
            break;
        case OPT_VOICE:
            rc = option_voice(optarg, o);
            break;
        case 'h':
            usage(stdout);
            *done = CP_OK;
            return 0;
        case 'V':
            printf("calfpace %s\n", CALFPACE_VERSION);
            *done = CP_OK;
            return 0;
        default:
            fprintf(stderr, "Try 'calfpace --help'.\n");
            *done = CP_BAD_INPUT;
            return 0;
        }
        if (rc != CP_OK) {
            *done = rc;
            return 0;
        }
    }
    return CP_RUNTIME;
}

/* The routine CMD is to use, from the one NAMED (or NULL for the default),
 * into FOUND: CP_OK, or the kind of failure after saying what is wrong. */
static enum cp_err_kind routine_for(const char *cmd, const char *named, char *found,
                                    size_t foundlen)
{
    if (named)
        return find_routine(named, found, foundlen) != 0 ? CP_BAD_INPUT : CP_OK;
    if (strcmp(cmd, "play") != 0 && strcmp(cmd, "remind") != 0) {
        char names[512], dir[2200];
        shipped_names(names, sizeof names, dir, sizeof dir);
        fprintf(stderr, "calfpace: %s needs a routine: a file, or a shipped one by name (%s)\n",
                cmd, names[0] ? names : "calf-pump, quick");
        return CP_BAD_INPUT;
    }
    if (default_routine(strcmp(cmd, "remind") == 0 ? "quick.cfg" : "calf-pump.cfg", found,
                        foundlen) != 0) {
        fprintf(stderr, "calfpace: cannot find the shipped routines (set CALFPACE_DATA to the "
                        "folder that holds sounds/ and config/)\n");
        return CP_RUNTIME;
    }
    return CP_OK;
}

static enum cp_err_kind run(int argc, char **argv)
{
    struct options o = {.voice = 1};
    enum cp_err_kind done = CP_OK;
    if (!parse_options(argc, argv, &o, &done))
        return done;
    static const char *const commands[] = {"play",   "render", "check", "devices",
                                           "remind", "stats",  NULL};
    const char *cmd = "play";
    int arg = optind;
    if (arg < argc && strcmp(argv[arg], "help") == 0 && access(argv[arg], F_OK) != 0) {
        usage(stdout);
        return CP_OK;
    }
    for (const char *const *k = commands; arg < argc && *k; k++)
        if (strcmp(argv[arg], *k) == 0) {
            cmd = argv[arg++];
            break;
        }
    if (refuse_options(cmd, &o))
        return CP_BAD_INPUT;
    if (strcmp(cmd, "devices") == 0 || strcmp(cmd, "stats") == 0) {
        if (arg < argc) {
            fprintf(stderr, "calfpace: %s takes no routine\n", cmd);
            return CP_BAD_INPUT;
        }
        return strcmp(cmd, "devices") == 0 ? cmd_devices() : cmd_stats(&o);
    }
    if (o.snooze) {
        if (arg < argc) {
            fprintf(stderr, "calfpace: remind --snooze takes no routine\n");
            return CP_BAD_INPUT;
        }
        return cmd_remind(NULL, &o);
    }
    if (argc - arg > 1) {
        fprintf(stderr, "calfpace: one routine at a time (got \"%s\" and \"%s\")\n", argv[arg],
                argv[arg + 1]);
        return CP_BAD_INPUT;
    }
    char found[4096];
    enum cp_err_kind rc = routine_for(cmd, arg < argc ? argv[arg] : NULL, found, sizeof found);
    if (rc != CP_OK)
        return rc;
    const char *routine = found;
    if (strcmp(cmd, "check") == 0)
        return cmd_check(routine, &o);
    if (strcmp(cmd, "render") == 0)
        return cmd_render(routine, &o);
    if (strcmp(cmd, "remind") == 0)
        return cmd_remind(routine, &o);
    return cmd_play(routine, &o);
}
