#include "reminder.h"

#include "mpris.h"
#include "presence.h"
#include "remind.h"
#include "signals.h"
#include "timeline_text.h"
#include "term.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct reminder {
    const struct live_options *o;
    const struct remind_options *ro;
    char snooze[4096];
    double next;          /* when the next reminder is due (wall clock) */
    double told;          /* the time last announced */
    time_t snoozed_seen;  /* the snooze file's time last read */
    int keys;
    enum cp_err_kind status; /* the last reminder that failed: how */
    struct presence *presence;
    double call_checked; /* when a microphone was last looked for */
    int call_told;
    double ends; /* wall clock when --for runs out; 0 for never */
};

static double monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
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

void reminder_prompt_text(char *out, size_t outlen, int prompt_only, double silence)
{
    char quiet[96] = "";
    if (silence > 0.0)
        snprintf(quiet, sizeof quiet, "{ type = \"rest\"; seconds = %.3f; lead_in = 0.0; },\n",
                 silence);
    snprintf(out, outlen,
             "name = \"Reminder\";\n"
             "guidance = { lengths = false; countdown = false; closing = false;\n"
             "             transitions = false; halfway = false; remaining = false; };\n"
             "steps = ( %s{ type = \"rest\"; seconds = 0.1; cue = \"%s\"; lead_in = 3.5; } );\n",
             quiet, prompt_only ? "stand-up" : "calf-time");
}

/* The spoken prompt: a routine of its own, one cue and nothing else, built
 * in memory. */
static enum cp_err_kind play_prompt(const struct live_options *o, int prompt_only, double silence)
{
    char text[512];
    reminder_prompt_text(text, sizeof text, prompt_only, silence);
    struct live_options po = *o;
    po.reminding = 1;
    po.routine = "reminder prompt";
    po.text = text;
    po.quiet = 1;
    po.no_summary = 1;
    po.choice.voice = 1;
    po.pause_others = 0; /* the reminder does that around prompt and routine */
    return live_play(&po);
}

/* A snooze from another process that moves the next reminder later. */
static void take_snooze(struct reminder *m)
{
    time_t snoozed = remind_snooze_read(m->snooze, time(NULL));
    if (snoozed == m->snoozed_seen)
        return;
    m->snoozed_seen = snoozed;
    if ((double)snoozed > m->next) {
        m->next = open_at((double)snoozed, m->ro);
        m->told = 0;
    }
}

static void announce(struct reminder *m)
{
    if (m->next == m->told)
        return;
    m->told = m->next;
    char when[64], end[64];
    remind_format_when((time_t)m->next, time(NULL), when, sizeof when);
    if (m->ends > 0.0 && m->next >= m->ends) {
        /* --for runs out first: there is no next reminder to announce. */
        remind_format_when((time_t)m->ends, time(NULL), end, sizeof end);
        printf("calfpace: --for ends at %s, before the next reminder would be due (%s)\n", end,
               when);
        fflush(stdout);
        return;
    }
    printf("calfpace: next reminder at %s%s\n", when,
           m->keys ? " (any key postpones it, q quits)" : "");
    fflush(stdout);
}

/* The child's exit code carries the kind of its failure (cp_error.h); one
 * that died otherwise (a signal, a second Ctrl-C's status) failed at run
 * time. */
static enum cp_err_kind child_kind(int status)
{
    if (!WIFEXITED(status))
        return CP_RUNTIME;
    switch (WEXITSTATUS(status)) {
    case CP_OK:
        return CP_OK;
    case CP_BAD_INPUT:
        return CP_BAD_INPUT;
    default:
        return CP_RUNTIME;
    }
}

/* The prompt and the routine, in a process of their own: a session that
 * loses its sound server abandons a stream PortAudio may never give back
 * (its threads, its memory, its descriptors), and a service that reminds
 * for months must not pile those up.  The child's exit takes them all. */
static enum cp_err_kind play_in_child(const struct reminder *m)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        char clean[256];
        fprintf(stderr, "calfpace: cannot start the reminder: %s\n",
                term_clean(strerror(errno), clean, sizeof clean));
        return CP_RUNTIME;
    }
    if (pid == 0) {
        enum cp_err_kind rc = play_prompt(m->o, m->ro->prompt_only, m->ro->prompt_silence);
        if (rc == CP_OK && !m->ro->prompt_only && !signals_stop_requested()) {
            struct live_options o = *m->o;
            o.reminding = 1;
            o.pause_others = 0; /* the service paused them */
            rc = live_play(&o);
        }
        fflush(stdout);
        fflush(stderr);
        _exit((int)rc);
    }
    /* A stop asked of this process is passed on once; the child fades out
     * and ends as a session stopped by its own signal would. */
    int passed_on = 0, status = 0;
    for (;;) {
        if (waitpid(pid, &status, 0) == pid)
            break;
        if (errno != EINTR)
            return CP_RUNTIME;
        if (signals_stop_requested() && !passed_on) {
            kill(pid, SIGTERM);
            passed_on = 1;
        }
    }
    return child_kind(status);
}

/* Then the next one is due an interval from this one's start, but never
 * sooner than a second after it ended. */
static void fire(struct reminder *m, double now)
{
    term_end();
    /* The TV pauses for the prompt and the routine, and plays on after. */
    struct mpris *others = m->o->pause_others ? mpris_open(0, NULL, NULL, NULL) : NULL;
    mpris_pause_others(others);
    enum cp_err_kind rc = play_in_child(m);
    mpris_resume_others(others);
    mpris_close(others);
    if (rc != CP_OK)
        m->status = rc; /* say so at the end, but keep reminding */
    m->keys = term_begin(STDIN_FILENO);
    double after = wall_seconds() + 1.0;
    m->next = open_at(now + m->ro->every > after ? now + m->ro->every : after, m->ro);
}

/* Due, and the listener free to hear it?  Not while away (locked or
 * asleep); not while a microphone records (a call), asked each second. */
static int may_fire(struct reminder *m, double now)
{
    if (presence_away(m->presence) || now - m->call_checked < 1.0)
        return 0;
    m->call_checked = now;
    int on_call = presence_on_call();
    if (on_call && !m->call_told) {
        printf("calfpace: a microphone is in use; the reminder waits until it is free\n");
        fflush(stdout);
    }
    m->call_told = on_call;
    return !on_call;
}

/* Locked, asleep, back: an absence of at least ro->away starts the
 * interval again. */
static void take_presence(struct reminder *m, int away_before)
{
    double back = presence_process(m->presence);
    if (!away_before && presence_away(m->presence)) {
        printf("calfpace: the screen is locked or the machine asleep; no reminder meanwhile\n");
        fflush(stdout);
    }
    if (back < 0.0)
        return;
    char gone[32];
    timeline_format_time(back, gone, sizeof gone);
    if (back >= m->ro->away) {
        m->next = open_at(wall_seconds() + m->ro->every, m->ro);
        printf("calfpace: away for %s; the interval starts again\n", gone);
    } else {
        printf("calfpace: back after %s\n", gone);
    }
    fflush(stdout);
}

/* Ctrl-Z and the continue after it, as in a session. */
static void take_signals(void)
{
    int ev = signals_read();
    if (ev & SIGNALS_SUSPEND) {
        term_suspend();
        signals_stop_self();
        ev |= SIGNALS_CONTINUED;
    }
    if (ev & SIGNALS_CONTINUED)
        term_resume();
}

/* Waits a little for a key, logind or a signal: q quits (returns 1), any
 * other key postpones.  Keys are read only in the terminal's foreground. */
static int wait_key(struct reminder *m)
{
    term_resume();
    int keys = m->keys && term_foreground();
    struct pollfd pfd[3] = {{.fd = keys ? STDIN_FILENO : -1, .events = POLLIN},
                            {.fd = presence_fd(m->presence), .events = presence_events(m->presence)},
                            {.fd = signals_fd(), .events = POLLIN}};
    int away_before = presence_away(m->presence);
    int ready = poll(pfd, 3, 250); /* a negative fd is skipped */
    take_presence(m, away_before);
    if (ready > 0 && pfd[2].revents)
        take_signals();
    if (ready <= 0 || !(pfd[0].revents & POLLIN))
        return 0;
    char buf[64], err[512], clean[1024];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0)
        return 0;
    if (memchr(buf, 'q', (size_t)n))
        return 1;
    /* Later than what was due, never earlier. */
    time_t until =
        (time_t)llround(remind_postponed(m->next, (double)time(NULL), m->ro->postpone));
    if (remind_snooze_write(m->snooze, until, err, sizeof err) != 0)
        fprintf(stderr, "calfpace: %s\n", term_clean(err, clean, sizeof clean));
    m->next = open_at((double)until, m->ro);
    m->snoozed_seen = until;
    return 0;
}

enum cp_err_kind reminder_run(const struct live_options *o, const struct remind_options *ro)
{
    struct reminder m = {.o = o, .ro = ro};
    remind_snooze_path(m.snooze, sizeof m.snooze);
    signals_begin();
    double began = monotonic_seconds();
    m.next = open_at(wall_seconds() + ro->every, ro);
    m.snoozed_seen = remind_snooze_read(m.snooze, time(NULL));
    if (ro->run_for > 0.0)
        m.ends = wall_seconds() + ro->run_for;
    char running[4096];
    remind_running_path(running, sizeof running);
    int held = remind_hold_running(running);
    if (m.snoozed_seen > time(NULL)) { /* a snooze given before we started */
        char when[64];
        remind_format_when(m.snoozed_seen, time(NULL), when, sizeof when);
        printf("calfpace: reminders are snoozed until %s\n", when);
        if ((double)m.snoozed_seen > m.next)
            m.next = open_at((double)m.snoozed_seen, ro);
    }
    m.keys = term_begin(STDIN_FILENO);
    m.presence = presence_open();
    while (!signals_stop_requested()) {
        if (ro->run_for > 0.0 && monotonic_seconds() - began >= ro->run_for)
            break;
        double now = wall_seconds();
        take_snooze(&m);
        announce(&m);
        if (now >= m.next && may_fire(&m, now)) {
            if (!remind_in_hours((time_t)now, ro->from, ro->to))
                m.next = open_at(now, ro);
            else
                fire(&m, now);
            m.call_checked = 0.0;
            continue;
        }
        if (wait_key(&m))
            break;
    }
    term_end();
    presence_close(m.presence);
    if (held >= 0)
        close(held);
    printf("calfpace: reminders stopped\n");
    return m.status;
}
