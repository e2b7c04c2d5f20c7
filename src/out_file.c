#include "out_file.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_FRAMES 4096

int out_file_format_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return 0;
    dot++;
    if (strcasecmp(dot, "wav") == 0)
        return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    if (strcasecmp(dot, "flac") == 0)
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    if (strcasecmp(dot, "ogg") == 0 || strcasecmp(dot, "oga") == 0)
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    return 0;
}

enum out_file_error out_file_render(struct engine *e, const char *path, int64_t *frames, char *err,
                                    size_t errlen)
{
    int format = out_file_format_for(path);
    if (!format) {
        snprintf(err, errlen, "%s: unknown file type (allowed: .wav, .flac, .ogg)", path);
        return OUT_FILE_BAD_NAME;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.partial-XXXXXX", path) >= sizeof tmp) {
        snprintf(err, errlen, "%s: name too long", path);
        return OUT_FILE_BAD_NAME;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create the file: %s", path, strerror(errno));
        return OUT_FILE_IO;
    }
    /* mkstemp makes the file private; the result should get the usual mode. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = engine_rate(e);
    info.channels = 2;
    info.format = format;
    SNDFILE *f = sf_open_fd(fd, SFM_WRITE, &info, SF_TRUE);
    if (!f) {
        snprintf(err, errlen, "%s: cannot write this format: %s", path, sf_strerror(NULL));
        close(fd);
        unlink(tmp);
        return OUT_FILE_IO;
    }
    /* No SFC_SET_CLIPPING: the mixer's limiter keeps every sample within
     * [-1, 1], which libsndfile maps into 16 bits without overflow. */
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        double quality = 0.5;
        sf_command(f, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    }
    float *block = malloc(BLOCK_FRAMES * 2 * sizeof *block);
    if (!block) {
        snprintf(err, errlen, "%s: out of memory", path);
        sf_close(f);
        unlink(tmp);
        return OUT_FILE_IO;
    }
    int64_t total = 0;
    for (;;) {
        int n = engine_render(e, block, BLOCK_FRAMES);
        if (n <= 0)
            break;
        sf_count_t w = sf_writef_float(f, block, n);
        if (w != n) {
            snprintf(err, errlen, "%s: write failed after %lld frames: %s", path, (long long)total,
                     sf_strerror(f));
            free(block);
            sf_close(f);
            unlink(tmp);
            return OUT_FILE_IO;
        }
        total += n;
        if (n < BLOCK_FRAMES)
            break;
    }
    free(block);
    sf_write_sync(f);
    int rc = sf_error(f);
    if (sf_close(f) != 0 || rc != 0) {
        snprintf(err, errlen, "%s: could not finish the file: %s", path, sf_error_number(rc));
        unlink(tmp);
        return OUT_FILE_IO;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot put the file in place: %s", path, strerror(errno));
        unlink(tmp);
        return OUT_FILE_IO;
    }
    if (frames)
        *frames = total;
    return OUT_FILE_OK;
}
