/* The player on a real, private session bus (dbus-run-session): playerctl
 * sees calfpace, its status, title and volume as the owner's snapshot says,
 * and each of its commands arrives as the one mpris_command it names.  No
 * sound server is needed. */
#include "check.h"
#include "mpris.h"
#include "render_util.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CMDS 32

static enum mpris_command got[MAX_CMDS];
static double got_value[MAX_CMDS];
static int n_got;

static struct mpris_state snapshot = {
    .playing = 1,
    .track = 3,
    .title = "Heel raises",
    .album = "Morning",
    .length_us = 600000000,
    .position_us = 42000000,
    .volume = 0.5,
    .can_next = 1,
    .can_previous = 1,
};

static void on_command(void *ctx, enum mpris_command cmd, double value)
{
    (void)ctx;
    if (n_got < MAX_CMDS) {
        got[n_got] = cmd;
        got_value[n_got] = value;
        n_got++;
    }
}

static void on_state(void *ctx, struct mpris_state *st)
{
    (void)ctx;
    *st = snapshot;
}

/* Runs the shell command SCRIPT while answering the bus; its exit status. */
static int run_while_serving(struct mpris *m, const char *script)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < 2000; i++) {
        struct pollfd p = {mpris_fd(m), mpris_events(m), 0};
        poll(&p, 1, mpris_timeout_ms(m, 5));
        mpris_process(m);
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    kill(pid, 9);
    waitpid(pid, &status, 0);
    return -1;
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!getenv("CALFPACE_MPRIS_BUS")) {
        /* A bus of our own, gone when the test ends. */
        setenv("CALFPACE_MPRIS_BUS", "1", 1);
        execlp("dbus-run-session", "dbus-run-session", "--", argv[0], (char *)NULL);
        perror("dbus-run-session");
        return 1;
    }
    struct mpris *m = mpris_open(1, on_command, on_state, NULL);
    CHECK(m != NULL, "player registered on the private bus");
    if (!m)
        return CHECK_DONE("test_mpris_bus");
    CHECK(mpris_name(m) && strcmp(mpris_name(m), "org.mpris.MediaPlayer2.calfpace") == 0,
          "bus name %s", mpris_name(m) ? mpris_name(m) : "(none)");
    CHECK(mpris_fd(m) >= 0, "a fd to poll");

    char out[64];
    snprintf(out, sizeof out, "/tmp/calfpace-mpris-%ld.txt", (long)getpid());
    char script[1024];
    snprintf(script, sizeof script,
             "exec >%s 2>&1; P='playerctl -p calfpace';"
             "$P status; $P metadata xesam:title; $P metadata xesam:album; $P volume;"
             "$P play; $P pause; $P play-pause; $P next; $P previous; $P stop; $P volume 0.25",
             out);
    int rc = run_while_serving(m, script);
    CHECK(rc == 0, "playerctl ran (%d): %s", rc, read_text(out));
    const char *text = read_text(out);
    CHECK(strncmp(text, "Playing\nHeel raises\nMorning\n0.5", 31) == 0,
          "status, title, album and volume read back: \"%s\"", text);

    enum mpris_command want[] = {MPRIS_PLAY, MPRIS_PAUSE,    MPRIS_PLAY_PAUSE, MPRIS_NEXT,
                                 MPRIS_PREVIOUS, MPRIS_STOP, MPRIS_VOLUME};
    int n_want = (int)(sizeof want / sizeof want[0]);
    CHECK(n_got == n_want, "%d commands arrived (want %d)", n_got, n_want);
    for (int i = 0; i < n_got && i < n_want; i++)
        CHECK(got[i] == want[i], "command %d is %d (want %d)", i, (int)got[i], (int)want[i]);
    if (n_got == n_want)
        CHECK(got_value[n_want - 1] > 0.249 && got_value[n_want - 1] < 0.251,
              "volume set to %g", got_value[n_want - 1]);

    /* A paused, finished session: the status follows the snapshot after an update. */
    snapshot.playing = 0;
    mpris_update(m, 0);
    snprintf(script, sizeof script, "playerctl -p calfpace status >%s 2>&1", out);
    rc = run_while_serving(m, script);
    CHECK(rc == 0 && strcmp(read_text(out), "Paused\n") == 0, "paused after update: %s",
          read_text(out));
    snapshot.finished = 1;
    snapshot.track = 4;
    mpris_update(m, 1);
    rc = run_while_serving(m, script);
    CHECK(rc == 0 && strcmp(read_text(out), "Stopped\n") == 0, "stopped when finished: %s",
          read_text(out));

    /* No other player is playing: nothing to pause or resume. */
    CHECK(mpris_pause_others(m) == 0, "no others paused");
    CHECK(mpris_resume_others(m) == 0, "no others resumed");

    unlink(out);
    mpris_close(m);
    return CHECK_DONE("test_mpris_bus");
}
