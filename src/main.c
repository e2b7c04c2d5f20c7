/* calfpace: the command line.  Parses arguments, wires the modules together,
 * prints, and chooses the exit status: 0 success, 1 runtime failure, 2 bad
 * input or usage. */
#include "clips.h"
#include "engine.h"
#include "out_file.h"
#include "out_portaudio.h"
#include "paths.h"
#include "plan.h"
#include "routine.h"
#include "sequencer.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define EXIT_BAD_INPUT 2

struct options {
    const char *output;
    const char *device;
    const char *sounds;
    double latency;
    int voice;
    int quiet;
    int events;
};

static volatile sig_atomic_t signals_seen;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double launched_at;

static void on_signal(int sig)
{
    (void)sig;
    if (++signals_seen > 1) {
        static const char msg[] = "\ncalfpace: stopped at once\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
}

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: calfpace [play] [ROUTINE]      play a routine live (default: calf-pump)\n"
            "       calfpace render ROUTINE -o FILE render a session into FILE (.wav .flac .ogg)\n"
            "       calfpace check ROUTINE          validate and print the plan\n"
            "       calfpace devices                list output devices\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE     file to render into\n"
            "  -d, --device NAME     output device: a name substring or an index\n"
            "      --latency SEC     ask the device for this much output latency\n"
            "      --sounds DIR      look for sounds in DIR first\n"
            "      --no-voice        the routine's beats alone: no speech\n"
            "  -q, --quiet           print nothing while playing\n"
            "      --events          with check: print every event with its sample\n"
            "  -h, --help            show this help\n"
            "  -V, --version         show the version\n"
            "\n"
            "Routines are libconfig files; see docs/routine-format.md.\n");
}

static int default_routine(char *out, size_t outlen)
{
    char data[2048];
    if (paths_data_dir(data, sizeof data) != 0)
        return -1;
    snprintf(out, outlen, "%s/config/calf-pump.cfg", data);
    return 0;
}

static struct routine *load_routine(const char *path)
{
    char err[1024];
    struct routine *r = routine_load(path, err, sizeof err);
    if (!r)
        fprintf(stderr, "%s\n", err);
    return r;
}

/* The folders sounds are looked for in, most specific first. */
static struct clip_bank *make_bank(const struct routine *r, const struct options *o)
{
    struct clip_bank *b = clip_bank_create(r->rate);
    if (!b)
        return NULL;
    char dir[4096], data[2048];
    if (r->sounds_dir[0])
        clip_bank_add_dir(b, r->sounds_dir);
    if (o->sounds)
        clip_bank_add_dir(b, o->sounds);
    paths_user_sounds_dir(dir, sizeof dir);
    if (access(dir, R_OK) == 0)
        clip_bank_add_dir(b, dir);
    if (paths_data_dir(data, sizeof data) == 0) {
        snprintf(dir, sizeof dir, "%s/sounds", data);
        clip_bank_add_dir(b, dir);
    }
    return b;
}

/* Loads the routine's sounds; prints and returns NULL on failure. */
static struct engine *prepare(const struct routine *r, const struct options *o,
                              struct clip_bank **bank)
{
    char err[2048];
    *bank = make_bank(r, o);
    if (!*bank) {
        fprintf(stderr, "calfpace: out of memory\n");
        return NULL;
    }
    struct engine_options eo = {.voice = o->voice};
    struct engine *e = engine_create(r, *bank, &eo, err, sizeof err);
    if (!e) {
        fprintf(stderr, "%s\n", err);
        clip_bank_destroy(*bank);
        *bank = NULL;
    }
    return e;
}

static int cmd_check(const char *path, const struct options *o)
{
    struct routine *r = load_routine(path);
    if (!r)
        return EXIT_BAD_INPUT;
    struct clip_bank *bank;
    struct engine *e = prepare(r, o, &bank);
    if (!e) {
        routine_destroy(r);
        return EXIT_BAD_INPUT;
    }
    if (o->events)
        plan_print_events(stdout, r);
    else
        plan_print(stdout, r);
    engine_destroy(e);
    clip_bank_destroy(bank);
    routine_destroy(r);
    return 0;
}

static int cmd_render(const char *path, const struct options *o)
{
    if (!o->output) {
        fprintf(stderr, "calfpace: render needs an output file: calfpace render ROUTINE -o "
                        "FILE.wav\n");
        return EXIT_BAD_INPUT;
    }
    if (!out_file_format_for(o->output)) {
        fprintf(stderr, "%s: unknown file type (allowed: .wav, .flac, .ogg)\n", o->output);
        return EXIT_BAD_INPUT;
    }
    struct routine *r = load_routine(path);
    if (!r)
        return EXIT_BAD_INPUT;
    struct clip_bank *bank;
    struct engine *e = prepare(r, o, &bank);
    if (!e) {
        routine_destroy(r);
        return EXIT_BAD_INPUT;
    }
    char err[2048];
    int64_t frames = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum out_file_error rc = out_file_render(e, o->output, &frames, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int status = 0;
    if (rc != OUT_FILE_OK) {
        fprintf(stderr, "%s\n", err);
        status = rc == OUT_FILE_BAD_NAME ? EXIT_BAD_INPUT : 1;
    } else if (!o->quiet) {
        double secs = (double)frames / r->rate;
        double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        char len[32];
        plan_format_time(secs, len, sizeof len);
        fprintf(stderr, "calfpace: wrote %s (%s, %lld frames at %d Hz) in %.2f s, %.0fx real time\n",
                o->output, len, (long long)frames, r->rate, took, took > 0 ? secs / took : 0.0);
    }
    engine_destroy(e);
    clip_bank_destroy(bank);
    routine_destroy(r);
    return status;
}

static void describe_step(const struct routine *r, int step, int round)
{
    const struct step *st = &r->steps[step];
    char len[32];
    plan_format_time(st->seconds, len, sizeof len);
    char rnd[64] = "";
    if (r->repeat > 1)
        snprintf(rnd, sizeof rnd, " (round %d of %d)", round + 1, r->repeat);
    if (st->type == STEP_PACED) {
        if (st->tempo_from == st->tempo_to)
            printf("[%d/%d] %s: %d beats, %s at %g bpm%s\n", step + 1, r->n_steps, st->name,
                   st->beats, len, st->tempo_from, rnd);
        else
            printf("[%d/%d] %s: %d beats, %s, %g to %g bpm%s\n", step + 1, r->n_steps, st->name,
                   st->beats, len, st->tempo_from, st->tempo_to, rnd);
    } else {
        printf("[%d/%d] %s: %s%s\n", step + 1, r->n_steps, st->name, len, rnd);
    }
    fflush(stdout);
}

static int cmd_play(const char *path, const struct options *o)
{
    struct routine *r = load_routine(path);
    if (!r)
        return EXIT_BAD_INPUT;
    struct clip_bank *bank;
    struct engine *e = prepare(r, o, &bank);
    if (!e) {
        routine_destroy(r);
        return EXIT_BAD_INPUT;
    }
    char err[1024];
    int status = 1;
    struct out_pa *out = NULL;
    if (out_pa_init(err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", err);
        goto done_engine;
    }
    out = out_pa_open(e, o->device, o->latency, err, sizeof err);
    if (!out) {
        fprintf(stderr, "calfpace: %s\n", err);
        goto done_pa;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!o->quiet) {
        char len[32];
        plan_format_time(sequencer_session_seconds(r), len, sizeof len);
        printf("%s: %d steps, %s, on %s. Ctrl-C stops.\n", r->name, r->n_steps * r->repeat, len,
               out_pa_device_name(out));
        fflush(stdout);
    }
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    double cpu_before = (double)ru0.ru_utime.tv_sec + (double)ru0.ru_utime.tv_usec / 1e6 +
                        (double)ru0.ru_stime.tv_sec + (double)ru0.ru_stime.tv_usec / 1e6;
    double started = now_seconds();
    if (out_pa_start(out, err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", err);
        goto done_out;
    }
    int shown_step = -1, shown_round = -1, asked_stop = 0;
    struct engine_status st;
    for (;;) {
        engine_status(e, &st);
        if (signals_seen && !asked_stop) {
            engine_request_stop(e);
            asked_stop = 1;
        }
        if (!o->quiet && st.step >= 0 && st.step < r->n_steps &&
            (st.step != shown_step || st.round != shown_round)) {
            describe_step(r, st.step, st.round);
            shown_step = st.step;
            shown_round = st.round;
        }
        if (!out_pa_active(out))
            break;
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    engine_status(e, &st);
    struct out_pa_stats ps;
    out_pa_stats(out, &ps);
    double wall = now_seconds() - started;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6 - cpu_before;
    {
        char played[32];
        plan_format_time((double)st.frame / r->rate, played, sizeof played);
        fprintf(stderr, "calfpace: %s after %s, %llu underruns\n",
                st.stopped ? "stopped" : "finished", played, (unsigned long long)ps.underflows);
        fprintf(stderr,
                "calfpace: %llu callbacks, mean %.2f%% and worst %.2f%% of the buffer period; CPU "
                "%.2f%% of one core; first sample to the device %.0f ms after launch; peak RSS "
                "%.1f MB\n",
                (unsigned long long)ps.callbacks, ps.mean_fraction * 100.0,
                ps.worst_fraction * 100.0, wall > 0 ? cpu / wall * 100.0 : 0.0,
                ps.first_callback_at > 0 ? (ps.first_callback_at - launched_at) * 1000.0 : -1.0,
                (double)ru.ru_maxrss / 1024.0);
    }
    status = 0;
done_out:
    out_pa_close(out);
done_pa:
    out_pa_terminate();
done_engine:
    engine_destroy(e);
    clip_bank_destroy(bank);
    routine_destroy(r);
    return status;
}

static int cmd_devices(void)
{
    char err[1024];
    if (out_pa_init(err, sizeof err) != 0) {
        fprintf(stderr, "calfpace: %s\n", err);
        return 1;
    }
    int n = out_pa_list(stdout);
    out_pa_terminate();
    if (n == 0) {
        fprintf(stderr, "calfpace: no audio output device found; 'calfpace render' still works\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    enum { OPT_NO_VOICE = 256, OPT_SOUNDS, OPT_LATENCY, OPT_EVENTS };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"device", required_argument, NULL, 'd'},
        {"latency", required_argument, NULL, OPT_LATENCY},
        {"sounds", required_argument, NULL, OPT_SOUNDS},
        {"no-voice", no_argument, NULL, OPT_NO_VOICE},
        {"quiet", no_argument, NULL, 'q'},
        {"events", no_argument, NULL, OPT_EVENTS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    launched_at = now_seconds();
    struct options o = {.voice = 1};
    int c;
    while ((c = getopt_long(argc, argv, "o:d:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.output = optarg;
            break;
        case 'd':
            o.device = optarg;
            break;
        case OPT_LATENCY: {
            char *end;
            o.latency = strtod(optarg, &end);
            if (*end || !(o.latency > 0.0 && o.latency <= 2.0)) {
                fprintf(stderr, "calfpace: --latency takes seconds, more than 0 up to 2 (got "
                                "\"%s\")\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        }
        case OPT_SOUNDS:
            o.sounds = optarg;
            break;
        case OPT_NO_VOICE:
            o.voice = 0;
            break;
        case 'q':
            o.quiet = 1;
            break;
        case OPT_EVENTS:
            o.events = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("calfpace %s\n", CALFPACE_VERSION);
            return 0;
        default:
            fprintf(stderr, "Try 'calfpace --help'.\n");
            return EXIT_BAD_INPUT;
        }
    }
    const char *cmd = "play";
    int arg = optind;
    if (arg < argc && (strcmp(argv[arg], "play") == 0 || strcmp(argv[arg], "render") == 0 ||
                       strcmp(argv[arg], "check") == 0 || strcmp(argv[arg], "devices") == 0))
        cmd = argv[arg++];
    if (strcmp(cmd, "devices") == 0) {
        if (arg < argc) {
            fprintf(stderr, "calfpace: devices takes no routine\n");
            return EXIT_BAD_INPUT;
        }
        return cmd_devices();
    }
    if (argc - arg > 1) {
        fprintf(stderr, "calfpace: one routine at a time (got \"%s\" and \"%s\")\n", argv[arg],
                argv[arg + 1]);
        return EXIT_BAD_INPUT;
    }
    char fallback[4096];
    const char *routine = arg < argc ? argv[arg] : NULL;
    if (!routine) {
        if (strcmp(cmd, "play") != 0) {
            fprintf(stderr, "calfpace: %s needs a routine file (try config/calf-pump.cfg)\n", cmd);
            return EXIT_BAD_INPUT;
        }
        if (default_routine(fallback, sizeof fallback) != 0) {
            fprintf(stderr, "calfpace: cannot find the shipped routines (set CALFPACE_DATA to the "
                            "folder that holds sounds/ and config/)\n");
            return 1;
        }
        routine = fallback;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(routine, &o);
    if (strcmp(cmd, "render") == 0)
        return cmd_render(routine, &o);
    return cmd_play(routine, &o);
}
