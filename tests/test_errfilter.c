/* errfilter: while it runs, the libraries' noise lines written to fd 2 are
 * dropped and everything else reaches the real stderr, in order, whole;
 * afterwards fd 2 is what it was. */
#include "check.h"
#include "errfilter.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *noise[] = {
    "Expression 'alsa_snd_pcm_poll_descriptors_revents( self->pcm, pfds, self->nfds, &revents )' "
    "failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3670",
    "Expression 'PaAlsaStreamComponent_EndPolling( &self->playback, playbackPfds, &pollPlayback, "
    "&xrun )' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3907",
    "ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred",
    "Cannot connect to server socket err = No such file or directory",
    "jack server is not running or cannot be started",
    "JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock",
};
static const char *kept[] = {
    "calfpace: the sound device stopped taking audio after 0:12 (was the sound server stopped?); "
    "ending the session",
    "Expression of interest: not from PortAudio",
    "calfpace: ALSA lib is a name in this line, not at its start",
    "",
};

int main(void)
{
    for (size_t i = 0; i < sizeof noise / sizeof *noise; i++)
        CHECK(errfilter_is_noise(noise[i]), "noise: %s", noise[i]);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        CHECK(!errfilter_is_noise(kept[i]), "kept: %s", kept[i]);

    char path[] = "/tmp/calfpace-errfilter-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "a temporary file");
    if (fd < 0)
        return CHECK_DONE("errfilter");
    int real = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);

    struct errfilter *f = errfilter_start();
    CHECK(f != NULL, "the filter starts");
    /* Through stdio and through write(2), noise between the kept lines; a
     * line in two writes; a last line without its newline. */
    fprintf(stderr, "%s\n", noise[0]);
    fprintf(stderr, "%s\n", kept[0]);
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s\n%s\n", noise[1], noise[2]);
    (void)!write(STDERR_FILENO, buf, (size_t)n);
    (void)!write(STDERR_FILENO, "Expression of interest: ", 24);
    (void)!write(STDERR_FILENO, "not from PortAudio\n", 19);
    for (int i = 0; i < 200; i++)
        fprintf(stderr, "%s\n", noise[i % 6]);
    fprintf(stderr, "the end, no newline");
    unsigned long dropped = errfilter_stop(f);
    fprintf(stderr, "after the filter: %s\n", noise[0]);
    fflush(stderr);
    dup2(real, STDERR_FILENO);
    close(real);

    char got[8192] = "";
    ssize_t len = pread(fd, got, sizeof got - 1, 0);
    got[len > 0 ? len : 0] = '\0';
    close(fd);
    unlink(path);
    char want[2048];
    snprintf(want, sizeof want, "%s\nExpression of interest: not from PortAudio\nthe end, no "
                                "newline" "after the filter: %s\n", kept[0], noise[0]);
    CHECK(strcmp(got, want) == 0, "stderr got:\n%s\nwant:\n%s", got, want);
    CHECK(dropped == 203, "dropped %lu lines (want 203)", dropped);
    printf("kept lines passed on in order, %lu noise lines dropped, fd 2 restored\n", dropped);
    return CHECK_DONE("errfilter");
}
