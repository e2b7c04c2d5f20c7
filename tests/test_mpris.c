/* The strings that go on the bus: sd-bus refuses a message with invalid
 * UTF-8, so a step name read from a Latin-1 routine file would otherwise
 * lose the whole Metadata.  And no session bus: mpris_open is NULL, quietly. */
#include "check.h"
#include "mpris.h"

#include <stdlib.h>
#include <string.h>

static void clean(const char *in, size_t outlen, const char *want)
{
    char out[64];
    mpris_utf8_clean(in, out, outlen);
    CHECK(strcmp(out, want) == 0, "clean(\"%s\", %zu) is \"%s\", want \"%s\"", in, outlen, out,
          want);
}

static void on_command(void *ctx, enum mpris_command cmd, double value)
{
    (void)ctx, (void)cmd, (void)value;
}

static void on_state(void *ctx, struct mpris_state *st)
{
    (void)ctx, (void)st;
}

int main(void)
{
    clean("Fersen heben", 64, "Fersen heben");
    clean("Wadenst\xc3\xa4rkung", 64, "Wadenst\xc3\xa4rkung");       /* ä in UTF-8 */
    clean("Wadenst\xe4rkung", 64, "Wadenst?rkung");                  /* ä in Latin-1 */
    clean("\xf0\x9f\xa6\xb5 leg", 64, "\xf0\x9f\xa6\xb5 leg");       /* U+1F9B5, four bytes */
    clean("\xc0\xaf", 64, "??");                                     /* an overlong '/' */
    clean("\xed\xa0\x80", 64, "???");                                /* a UTF-16 surrogate */
    clean("\xf4\x90\x80\x80", 64, "????");                           /* past U+10FFFF */
    clean("abc\xe2\x82", 64, "abc??");                               /* cut short */
    clean("ab\xc3\xa4", 4, "ab");                                    /* no half character */
    clean("ab\xc3\xa4", 5, "ab\xc3\xa4");
    clean("", 1, "");

    /* No session bus at all: no player, no message, no error. */
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    setenv("XDG_RUNTIME_DIR", "/nonexistent", 1);
    struct mpris *m = mpris_open(1, on_command, on_state, NULL);
    CHECK(m == NULL, "without a session bus mpris_open returns NULL");
    CHECK(mpris_fd(m) == -1 && mpris_pause_others(m) == 0 && mpris_resume_others(m) == 0,
          "and the rest accept NULL");
    mpris_update(m, 1);
    mpris_close(m);
    return CHECK_DONE("test_mpris");
}
