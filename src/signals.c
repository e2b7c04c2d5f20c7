#include "signals.h"

#include "term.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signals;
static volatile sig_atomic_t continued;

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

void signals_install(void)
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

int signals_stop_requested(void)
{
    return stop_signals != 0;
}

int signals_take_continued(void)
{
    if (!continued)
        return 0;
    continued = 0;
    return 1;
}
