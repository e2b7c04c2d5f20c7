#include "signals.h"

#include "term.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int sfd = -1;
static int stop_signals;

static void on_crash(int sig)
{
    term_restore_now();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void session_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTSTP);
    sigaddset(set, SIGCONT);
    sigaddset(set, SIGWINCH);
}

int signals_begin(void)
{
    if (sfd >= 0)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    session_set(&set);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) {
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        return -1;
    }
    return 0;
}

int signals_fd(void)
{
    return sfd;
}

static int event_of(int sig)
{
    switch (sig) {
    case SIGINT:
        if (++stop_signals > 1) {
            /* A second Ctrl-C: out at once, with the terminal as it was. */
            term_end();
            static const char msg[] = "\ncalfpace: stopped at once\n";
            ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
            (void)w;
            _exit(130);
        }
        return SIGNALS_STOP;
    case SIGTERM:
    case SIGHUP:
        stop_signals++;
        return SIGNALS_STOP;
    case SIGTSTP:
        return SIGNALS_SUSPEND;
    case SIGCONT:
        return SIGNALS_CONTINUED;
    case SIGWINCH:
        return SIGNALS_RESIZED;
    default:
        return 0;
    }
}

int signals_read(void)
{
    int events = 0;
    struct signalfd_siginfo si;
    while (sfd >= 0 && read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        events |= event_of((int)si.ssi_signo);
    return events;
}

int signals_stop_requested(void)
{
    return stop_signals != 0;
}

void signals_stop_self(void)
{
    /* SIGTSTP's default action stops the whole process; it is raised on
     * this thread while blocked and let through for the moment of the stop. */
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGTSTP);
    raise(SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    pthread_sigmask(SIG_BLOCK, &one, NULL);
}
