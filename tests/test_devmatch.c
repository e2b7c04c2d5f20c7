/* devmatch: an index, an exact name, one substring, several (refused with
 * the list), none. */
#include "check.h"
#include "devmatch.h"

#include <string.h>

static const char *names[] = {"HDA Intel PCH: ALC892 Analog (hw:0,0)", "sysdefault", NULL,
                              "pulse", "default", "USB Audio CODEC: USB Audio (hw:2,0)"};
#define N ((int)(sizeof names / sizeof names[0]))

static void expect(const char *want, enum devmatch result, int index)
{
    char err[512] = "";
    int found = -1;
    enum devmatch got = devmatch_find(want, names, N, &found, err, sizeof err);
    CHECK(got == result && (result != DEVMATCH_FOUND || found == index),
          "\"%s\": result %d, index %d (want %d, %d)", want, (int)got, found, (int)result, index);
    printf("\"%s\" -> %s %d %s\n", want,
           got == DEVMATCH_FOUND ? "found" : got == DEVMATCH_NONE ? "none" : "several", found, err);
}

int main(void)
{
    expect("3", DEVMATCH_FOUND, 3);
    expect("2", DEVMATCH_NONE, -1); /* no output channels */
    expect("6", DEVMATCH_NONE, -1);
    expect("99999999999999999999", DEVMATCH_NONE, -1);
    /* "default" is also inside "sysdefault": the exact name wins. */
    expect("default", DEVMATCH_FOUND, 4);
    expect("DEFAULT", DEVMATCH_FOUND, 4);
    expect("usb", DEVMATCH_FOUND, 5);
    expect("sysdef", DEVMATCH_FOUND, 1);
    expect("nothing", DEVMATCH_NONE, -1);
    expect("u", DEVMATCH_SEVERAL, -1);

    char err[512];
    int found;
    devmatch_find("u", names, N, &found, err, sizeof err);
    const char *want = "\"u\" matches 4 devices: \"sysdefault\", \"pulse\", \"default\", \"USB "
                       "Audio CODEC: USB Audio (hw:2,0)\" (give more of the name, or its index "
                       "from 'calfpace devices')";
    CHECK(strcmp(err, want) == 0, "the list of matches: %s", err);
    /* A message too long for its buffer is cut, not overrun. */
    char small[24];
    CHECK(devmatch_find("a", names, N, &found, small, sizeof small) == DEVMATCH_SEVERAL &&
              strlen(small) == sizeof small - 1,
          "cut to %zu bytes: %s", sizeof small, small);
    return CHECK_DONE("devmatch");
}
