#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct {
    int fd;
    int raw;
    struct termios saved;
} term = {-1, 0, {0}};

static void restore_at_exit(void)
{
    term_end();
}

static void make_raw(void)
{
    struct termios t = term.saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(term.fd, TCSANOW, &t);
}

int term_begin(int fd)
{
    if (!isatty(fd) || tcgetattr(fd, &term.saved) != 0)
        return 0;
    term.fd = fd;
    static int registered;
    if (!registered) {
        atexit(restore_at_exit);
        registered = 1;
    }
    make_raw();
    term.raw = 1;
    return 1;
}

void term_end(void)
{
    if (term.raw) {
        tcsetattr(term.fd, TCSANOW, &term.saved);
        term.raw = 0;
    }
}

void term_restore_now(void)
{
    if (term.raw)
        tcsetattr(term.fd, TCSANOW, &term.saved); /* async-signal-safe */
}

void term_resume(void)
{
    if (term.raw)
        make_raw();
}

int term_parse_keys(const char *buf, size_t n, enum term_key *keys, int max)
{
    int count = 0;
    for (size_t i = 0; i < n && count < max; i++) {
        char c = buf[i];
        if (c == '\033') {
            /* ESC [ A..D or ESC O A..D: the arrows. */
            if (i + 2 < n && (buf[i + 1] == '[' || buf[i + 1] == 'O')) {
                char a = buf[i + 2];
                i += 2;
                if (a == 'A')
                    keys[count++] = TERM_KEY_FASTER;
                else if (a == 'B')
                    keys[count++] = TERM_KEY_SLOWER;
                else if (a == 'C')
                    keys[count++] = TERM_KEY_LOUDER;
                else if (a == 'D')
                    keys[count++] = TERM_KEY_SOFTER;
                else
                    while (i + 1 < n && !(buf[i] >= '@' && buf[i] <= '~'))
                        i++; /* some other sequence: skip to its end */
            }
            continue;
        }
        switch (c) {
        case ' ':
            keys[count++] = TERM_KEY_PAUSE;
            break;
        case 'n':
        case 'N':
            keys[count++] = TERM_KEY_NEXT;
            break;
        case 'b':
        case 'B':
            keys[count++] = TERM_KEY_BACK;
            break;
        case '+':
        case '=':
            keys[count++] = TERM_KEY_FASTER;
            break;
        case '-':
        case '_':
            keys[count++] = TERM_KEY_SLOWER;
            break;
        case ']':
            keys[count++] = TERM_KEY_LOUDER;
            break;
        case '[':
            keys[count++] = TERM_KEY_SOFTER;
            break;
        case 'q':
        case 'Q':
            keys[count++] = TERM_KEY_QUIT;
            break;
        default:
            break;
        }
    }
    return count;
}

void term_status(FILE *to, int fd, const char *line)
{
    struct winsize ws;
    int width = 80;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        width = ws.ws_col;
    fprintf(to, "\r\033[K%.*s", width - 1, line);
    fflush(to);
}

void term_status_clear(FILE *to)
{
    fputs("\r\033[K", to);
    fflush(to);
}
