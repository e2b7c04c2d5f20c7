/* The terminal while a session plays, on a real pseudo-terminal: raw mode on
 * and off through begin, suspend, resume, the signal path and end; nothing
 * touched from the background; keys parsed, arrows included; the status
 * line cut to the terminal's width. */
#define _GNU_SOURCE
#include "check.h"
#include "term.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void test_keys(void)
{
    const char in[] = " nNbB+=-_][qQx\033[A\033[B\033[C\033[D\033OA\033[5~n\033";
    const enum term_key want[] = {
        TERM_KEY_PAUSE,  TERM_KEY_NEXT,   TERM_KEY_NEXT,   TERM_KEY_BACK,   TERM_KEY_BACK,
        TERM_KEY_FASTER, TERM_KEY_FASTER, TERM_KEY_SLOWER, TERM_KEY_SLOWER, TERM_KEY_LOUDER,
        TERM_KEY_SOFTER, TERM_KEY_QUIT,   TERM_KEY_QUIT,   TERM_KEY_FASTER, TERM_KEY_SLOWER,
        TERM_KEY_LOUDER, TERM_KEY_SOFTER, TERM_KEY_FASTER, TERM_KEY_NEXT};
    enum term_key got[64];
    int n = term_parse_keys(in, sizeof in - 1, got, 64);
    int same = n == (int)(sizeof want / sizeof want[0]);
    for (int i = 0; same && i < n; i++)
        same = got[i] == want[i];
    CHECK(same, "keys: every key, the arrows (CSI and SS3), an unknown sequence skipped (%d keys)",
          n);
    CHECK(term_parse_keys("qqqq", 4, got, 2) == 2, "keys: no more than asked for");
    printf("keys: letters, signs and arrows parsed; other bytes and sequences ignored\n");
}

static int is_raw(int fd)
{
    struct termios t;
    return tcgetattr(fd, &t) == 0 && !(t.c_lflag & ICANON) && !(t.c_lflag & ECHO);
}

/* In a session of its own with the pty as its terminal, in the foreground. */
static int foreground_checks(int fd)
{
    CHECK(!is_raw(fd), "pty: cooked before term_begin");
    CHECK(term_begin(fd) == 1 && is_raw(fd) && term_foreground(), "pty: raw after term_begin");
    term_suspend();
    CHECK(!is_raw(fd), "pty: as it was after term_suspend (Ctrl-Z)");
    term_resume();
    CHECK(is_raw(fd), "pty: raw again after term_resume (fg)");
    term_restore_now();
    CHECK(!is_raw(fd), "pty: as it was after term_restore_now (a signal)");
    term_suspend();
    term_resume();
    CHECK(is_raw(fd), "pty: raw again");
    term_end();
    term_end();
    CHECK(!is_raw(fd) && !term_foreground(), "pty: as it was after term_end, twice");
    term_resume();
    CHECK(!is_raw(fd), "pty: term_resume after the end does nothing");
    return 0;
}

/* A process in another group than the terminal's foreground one: raw mode
 * must wait, since setting the terminal would stop it. */
static int background_checks(int fd)
{
    signal(SIGTTOU, SIG_DFL);
    CHECK(term_begin(fd) == 1 && !term_foreground() && !is_raw(fd),
          "background: keys on, the terminal untouched");
    term_resume();
    CHECK(!is_raw(fd), "background: term_resume leaves it alone");
    term_end();
    return 0;
}

static void status_checks(int fd, int master)
{
    struct winsize ws = {.ws_row = 10, .ws_col = 20};
    ioctl(fd, TIOCSWINSZ, &ws);
    char *text = NULL;
    size_t len = 0;
    FILE *to = open_memstream(&text, &len);
    term_status(to, fd, "step 1 beat 10/40 \033]0;x\007 100 bpm and a long tail");
    term_status_clear(to);
    fclose(to);
    CHECK(strncmp(text, "\r\033[K", 4) == 0 && strlen(text) == 4 + 19 + 4 &&
              strncmp(text + 4, "step 1 beat 10/40 \\x", 19) == 0 &&
              strcmp(text + 23, "\r\033[K") == 0,
          "status: cleaned, cut to the 20 columns less one, then cleared (%zu bytes)", len);
    free(text);
    (void)master;
}

static int child(int fd, int master)
{
    if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) {
        fprintf(stderr, "FAIL: the pty cannot be the controlling terminal\n");
        return 1;
    }
    foreground_checks(fd);
    status_checks(fd, master);
    int fds[2];
    CHECK(pipe(fds) == 0 && term_begin(fds[0]) == 0, "a pipe is no terminal: no keys");
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        background_checks(fd);
        fflush(NULL);
        _exit(check_failures ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "background checks (status %d)", st);
    printf("terminal: raw on and off through begin, suspend, resume, a signal and end; the "
           "background untouched; the status line cut to the width\n");
    return check_failures ? 1 : 0;
}

int main(void)
{
    test_keys();
    int master, slave;
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
        CHECK(0, "openpty");
        return CHECK_DONE("test_term");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int rc = child(slave, master);
        printf("  (%d checks in the terminal's session, %d failed)\n", check_count, check_failures);
        fflush(NULL);
        _exit(rc);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the terminal checks in their own session");
    close(master);
    close(slave);
    return CHECK_DONE("test_term");
}
