/* The stream's name, icon and role go into the environment without
 * overriding what the listener set there. */
#include "check.h"
#include "stream_props.h"

#include <stdlib.h>
#include <string.h>

static void merge(const char *user, const char *ours, size_t outlen, const char *want, int rc)
{
    char out[256];
    int got = stream_props_merge(user, ours, out, outlen);
    CHECK(got == rc && strcmp(out, want) == 0, "merge(\"%s\", \"%s\", %zu) is %d \"%s\", want %d \"%s\"",
          user ? user : "(unset)", ours, outlen, got, out, rc, want);
}

int main(void)
{
    const char *ours = "application.name=calfpace media.role=music";
    merge(NULL, ours, 256, "application.name=calfpace media.role=music", 0);
    merge("", ours, 256, "application.name=calfpace media.role=music", 0);
    /* The listener's own role stays; our name is added. */
    merge("media.role=game", ours, 256, "media.role=game application.name=calfpace", 0);
    merge("media.role='video'", ours, 256, "media.role='video' application.name=calfpace", 0);
    merge("application.name = \"mine\" media.role = event", ours, 256,
          "application.name = \"mine\" media.role = event", 0);
    /* A key that merely ends like ours is another key. */
    merge("x.media.role=video", ours, 256,
          "x.media.role=video application.name=calfpace media.role=music", 0);
    /* SPA JSON in braces (PIPEWIRE_PROPS): inside the braces. */
    merge("{ node.latency = 1024/48000 }", ours, 256,
          "{ node.latency = 1024/48000 application.name=calfpace media.role=music }", 0);
    merge("{ \"media.role\": \"Movie\" }", ours, 256,
          "{ \"media.role\": \"Movie\" application.name=calfpace }", 0);
    /* Too small: the listener's value untouched. */
    merge("media.role=game", ours, 20, "media.role=game", -1);

    /* And in the environment, the three variables. */
    unsetenv("PULSE_PROP_OVERRIDE");
    setenv("PULSE_PROP", "media.role=video", 1);
    unsetenv("PIPEWIRE_PROPS");
    stream_props_apply();
    const char *over = getenv("PULSE_PROP_OVERRIDE"), *plain = getenv("PULSE_PROP"),
               *pw = getenv("PIPEWIRE_PROPS");
    CHECK(over && strstr(over, "application.name=calfpace") &&
              strstr(over, "application.icon_name=calfpace"),
          "PULSE_PROP_OVERRIDE names calfpace and its icon (%s)", over ? over : "unset");
    CHECK(plain && strcmp(plain, "media.role=video") == 0,
          "PULSE_PROP keeps the listener's role (%s)", plain ? plain : "unset");
    CHECK(pw && strstr(pw, "application.name=calfpace") && strstr(pw, "media.role=Music"),
          "PIPEWIRE_PROPS names calfpace with the Music role (%s)", pw ? pw : "unset");
    CHECK(!strstr(pw, "Communication") && !strstr(over, "phone"), "never a call's role");
    return CHECK_DONE("test_stream_props");
}
