#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* on: between term_begin and term_end.  raw: raw mode is set now (it is
 * not while the process is stopped or in the background). */
static struct {
    int fd;
    volatile int on;
    volatile int raw;
    struct termios saved;
} term = {-1, 0, 0, {0}};

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
    term.raw = 1;
}

int term_foreground(void)
{
    if (!term.on)
        return 0;
    /* A terminal that is not the controlling one (tcgetpgrp fails) cannot
     * stop the process: as good as the foreground. */
    pid_t fg = tcgetpgrp(term.fd);
    return fg < 0 || fg == getpgrp();
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
    term.on = 1;
    /* In the background, setting the terminal would stop the process
     * (SIGTTOU): raw mode waits for the foreground (term_resume). */
    if (term_foreground())
        make_raw();
    return 1;
}

void term_end(void)
{
    term_suspend();
    term.on = 0;
}

void term_restore_now(void)
{
    if (term.raw)
        tcsetattr(term.fd, TCSANOW, &term.saved); /* async-signal-safe */
}

void term_suspend(void)
{
    if (term.raw) {
        tcsetattr(term.fd, TCSANOW, &term.saved);
        term.raw = 0;
    }
}

void term_resume(void)
{
    if (term.on && !term.raw && term_foreground())
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

/* The length of the valid UTF-8 sequence at P (of N bytes), its code
 * point in *CP; 0 if none starts there. */
static size_t utf8_at(const unsigned char *p, size_t n, unsigned *cp)
{
    size_t len;
    unsigned c, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2, c = p[0] & 0x1Fu, min = 0x80;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3, c = p[0] & 0x0Fu, min = 0x800;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4, c = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

const char *term_clean(const char *text, char *out, size_t outlen)
{
    if (outlen == 0)
        return out;
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), o = 0;
    for (size_t i = 0; i < n;) {
        char esc[12];
        unsigned cp;
        size_t len = utf8_at(p + i, n - i, &cp);
        const char *put;
        size_t put_len;
        if (len == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", p[i]);
            put = esc, put_len = strlen(esc), len = 1;
        } else if (cp == '\n' || cp == '\t') {
            put = cp == '\n' ? "\\n" : "\\t", put_len = 2;
        } else if (cp < 0x20 || cp == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", cp);
            put = esc, put_len = strlen(esc);
        } else if (cp >= 0x80 && cp <= 0x9f) {
            snprintf(esc, sizeof esc, "\\u%04x", cp);
            put = esc, put_len = strlen(esc);
        } else {
            put = (const char *)p + i, put_len = len;
        }
        if (o + put_len >= outlen)
            break;
        memcpy(out + o, put, put_len);
        o += put_len;
        i += len;
    }
    out[o] = '\0';
    return out;
}

void term_status(FILE *to, int fd, const char *line)
{
    char clean[1024];
    line = term_clean(line, clean, sizeof clean);
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
