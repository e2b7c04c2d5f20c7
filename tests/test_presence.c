/* presence against logind as python3-dbusmock's logind template gives it,
 * on a private bus (dbus-run-session) that stands in for the system bus:
 * a lock makes the listener away and an unlock says how long; so does a
 * suspend and resume (PrepareForSleep); a session already locked when the
 * watch starts counts as away.  No sound server and no real logind. */
#include "check.h"
#include "presence.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>

#define MOCK "busctl --user call org.freedesktop.login1 "
#define SESSION MOCK "/org/freedesktop/login1/session/c1 org.freedesktop.login1.Session "
#define EMIT                                                                                       \
    MOCK "/org/freedesktop/login1 org.freedesktop.DBus.Mock EmitSignal sssav "                    \
         "org.freedesktop.login1.Manager PrepareForSleep b 1 b "

static int sh(const char *cmd)
{
    return system(cmd) == 0 ? 0 : -1;
}

/* Processes the bus for at most MS milliseconds or until the listener's
 * absence ends; the seconds away, or -1. */
static double pump(struct presence *p, int ms, int until_away)
{
    for (int waited = 0; waited < ms; waited += 10) {
        struct pollfd pf = {presence_fd(p), presence_events(p), 0};
        poll(&pf, 1, 10);
        double back = presence_process(p);
        if (back >= 0.0)
            return back;
        if (until_away && presence_away(p))
            return -1.0;
    }
    return -1.0;
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!getenv("CALFPACE_PRESENCE_BUS")) {
        setenv("CALFPACE_PRESENCE_BUS", "1", 1);
        execlp("dbus-run-session", "dbus-run-session", "--", argv[0], (char *)NULL);
        perror("dbus-run-session");
        return 1;
    }
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (!addr)
        return 1;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
    setenv("XDG_SESSION_ID", "c1", 1);

    pid_t mock = fork();
    if (mock == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl("/usr/bin/python3", "python3", "-m", "dbusmock", "--session", "--template",
              "logind", (char *)NULL);
        _exit(127);
    }
    int up = sh("for i in $(seq 200); do busctl --user status org.freedesktop.login1 "
                ">/dev/null 2>&1 && exit 0; sleep 0.05; done; exit 1");
    CHECK(up == 0, "logind mock on the bus");
    CHECK(sh(MOCK "/org/freedesktop/login1 org.freedesktop.DBus.Mock AddSession ssusb c1 seat0 "
                  "0 root true >/dev/null") == 0,
          "session c1 added");

    struct presence *p = presence_open();
    CHECK(p != NULL, "watching logind");
    if (p) {
        CHECK(presence_fd(p) >= 0, "a fd to poll");
        CHECK(!presence_away(p), "unlocked: not away");
        CHECK(pump(p, 100, 0) < 0.0, "nothing happened: no return");

        CHECK(sh(SESSION "SetLockedHint b true") == 0, "lock");
        pump(p, 3000, 1);
        CHECK(presence_away(p), "locked: away");
        usleep(300000);
        CHECK(sh(SESSION "SetLockedHint b false") == 0, "unlock");
        double back = pump(p, 3000, 0);
        CHECK(back >= 0.25 && back < 5.0, "back after %.2f s (about 0.3)", back);
        CHECK(!presence_away(p), "unlocked: here");

        CHECK(sh(EMIT "true") == 0, "going to sleep");
        pump(p, 3000, 1);
        CHECK(presence_away(p), "asleep: away");
        usleep(200000);
        CHECK(sh(EMIT "false") == 0, "woken");
        back = pump(p, 3000, 0);
        CHECK(back >= 0.15 && back < 5.0, "back after %.2f s (about 0.2)", back);
        CHECK(!presence_away(p), "awake: here");
        presence_close(p);
    }

    /* Locked before the watch starts: away from the start. */
    CHECK(sh(SESSION "SetLockedHint b true") == 0, "lock again");
    p = presence_open();
    CHECK(p && presence_away(p), "already locked: away at once");
    presence_close(p);

    /* No such session: the sleep watch alone, never away. */
    setenv("XDG_SESSION_ID", "c99", 1);
    p = presence_open();
    CHECK(p && !presence_away(p), "unknown session: not away");
    presence_close(p);

    kill(mock, SIGTERM);
    waitpid(mock, NULL, 0);

    /* No bus at all: NULL, and NULL is accepted everywhere. */
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
    p = presence_open();
    CHECK(p == NULL, "no system bus: NULL");
    CHECK(presence_fd(p) == -1 && !presence_away(p) && presence_process(p) < 0.0,
          "NULL accepted");
    presence_close(p);
    return CHECK_DONE("test_presence");
}
