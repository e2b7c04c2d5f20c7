#include "out_file.h"
#include "paths.h"

#include "tags.h"

#include <errno.h>
#include <fcntl.h>
#include <opus/opusenc.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <vorbis/vorbisenc.h>

#define BLOCK_FRAMES 4096
#define MP3_DEFAULT_KBPS 64
/* At 32 and 48 kbit/s Opus codes the upper bands of both channels as one
 * (intensity stereo): a hard-panned tap ducked under speech comes out with
 * as little as 15 % of its left-right difference, heard in both ears, and
 * moved up to 4 ms.  From 64 kbit/s every tap keeps at least 60 % and its
 * place (test_encoded), still about 3 MB for the 11.5-minute routine. */
#define OPUS_DEFAULT_KBPS 64
#define FLAC_STREAMINFO_END 42 /* "fLaC" and the STREAMINFO block */
#define ALLOWED "allowed: .wav, .flac, .ogg, .oga, .mp3, .opus"

static const char *extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "";
    return dot + 1;
}

int out_file_format_for(const char *path)
{
    const char *ext = extension(path);
    if (strcasecmp(ext, "wav") == 0)
        return SF_FORMAT_RF64 | SF_FORMAT_PCM_16;
    if (strcasecmp(ext, "flac") == 0)
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    if (strcasecmp(ext, "ogg") == 0 || strcasecmp(ext, "oga") == 0)
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    if (strcasecmp(ext, "mp3") == 0)
        return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    if (strcasecmp(ext, "opus") == 0)
        return SF_FORMAT_OGG | SF_FORMAT_OPUS;
    return 0;
}

static int is_opus(int format)
{
    return format == (SF_FORMAT_OGG | SF_FORMAT_OPUS);
}

static int is_mp3(int format)
{
    return (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG;
}

int out_file_rate_for(const char *path, int rate)
{
    int format = out_file_format_for(path);
    if (is_opus(format))
        return 48000;
    if (is_mp3(format)) {
        static const int mp3_rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};
        for (size_t i = 0; i < sizeof mp3_rates / sizeof *mp3_rates; i++)
            if (rate == mp3_rates[i])
                return rate;
        return rate % 11025 == 0 ? 44100 : 48000;
    }
    return rate;
}

enum out_file_error out_file_check(const char *path, int rate, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a folder (give a file name in it)", path);
        return OUT_FILE_IO;
    }
    int format = out_file_format_for(path);
    if (!format) {
        snprintf(err, errlen, "%s: unknown file type (" ALLOWED ")", path);
        return OUT_FILE_BAD_NAME;
    }
    if (!is_opus(format)) {
        SF_INFO info = {.samplerate = rate, .channels = 2, .format = format};
        if (!sf_format_check(&info)) {
            snprintf(err, errlen, "%s: %s cannot write .%s files at %d Hz", path,
                     sf_version_string(), extension(path), rate);
            return OUT_FILE_BAD_NAME;
        }
    }
    char dir[4096];
    paths_dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "%s: cannot create the file: %s", path, strerror(errno));
        return OUT_FILE_IO;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot create the file: %s is not a folder", path, dir);
        return OUT_FILE_IO;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "%s: cannot create the file: %s", path, strerror(errno));
        return OUT_FILE_IO;
    }
    return OUT_FILE_OK;
}

double out_file_estimate_bytes(const char *path, int64_t frames, int rate, int bitrate_kbps)
{
    int format = out_file_format_for(path);
    double secs = (double)frames / rate;
    if (is_opus(format))
        return secs * (bitrate_kbps ? bitrate_kbps : OPUS_DEFAULT_KBPS) * 125.0;
    if (is_mp3(format))
        return secs * (bitrate_kbps ? bitrate_kbps : MP3_DEFAULT_KBPS) * 125.0;
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG)
        return secs * 160.0 * 125.0; /* Vorbis at quality 0.5, at most */
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC)
        return (double)frames * 4.0 * 0.6; /* what FLAC keeps of speech and clicks, roughly */
    return (double)frames * 4.0;
}

/* Every byte of the file goes through here, libsndfile's and libopusenc's
 * included, so no failed write goes unseen (libsndfile does not report all
 * of its own, notably the last Ogg pages written at close).  The file may
 * have a hole: bytes the encoder writes from HOLE_AT on land HOLE_LEN bytes
 * later, leaving room for a tag the encoder knows nothing of. */
struct sink {
    int fd;
    int err; /* the first errno seen; 0 while all is well */
    sf_count_t pos, len;
    sf_count_t hole_at, hole_len;
};

static sf_count_t sink_phys(const struct sink *s, sf_count_t at)
{
    return at < s->hole_at ? at : at + s->hole_len;
}

/* Reads or writes up to the hole's edge at a time; returns the bytes done. */
static sf_count_t sink_io(struct sink *s, void *buf, sf_count_t count, int writing)
{
    sf_count_t done = 0;
    while (done < count && !s->err) {
        sf_count_t chunk = count - done;
        if (s->pos < s->hole_at && s->pos + chunk > s->hole_at)
            chunk = s->hole_at - s->pos;
        off_t at = (off_t)sink_phys(s, s->pos);
        ssize_t n = writing ? pwrite(s->fd, (char *)buf + done, (size_t)chunk, at)
                            : pread(s->fd, (char *)buf + done, (size_t)chunk, at);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            s->err = errno;
            break;
        }
        if (n == 0) {
            if (writing)
                s->err = ENOSPC;
            break;
        }
        done += n;
        s->pos += n;
        if (s->pos > s->len)
            s->len = s->pos;
    }
    return done;
}

static sf_count_t vio_filelen(void *user)
{
    return ((struct sink *)user)->len;
}

static sf_count_t vio_seek(sf_count_t offset, int whence, void *user)
{
    struct sink *s = user;
    sf_count_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? s->pos + offset : s->len + offset;
    if (to < 0)
        return -1;
    s->pos = to;
    return to;
}

static sf_count_t vio_read(void *ptr, sf_count_t count, void *user)
{
    return sink_io(user, ptr, count, 0);
}

static sf_count_t vio_write(const void *ptr, sf_count_t count, void *user)
{
    return sink_io(user, (void *)(uintptr_t)ptr, count, 1);
}

static sf_count_t vio_tell(void *user)
{
    return ((struct sink *)user)->pos;
}

static int sink_put_at(struct sink *s, off_t at, const void *data, size_t len)
{
    size_t done = 0;
    while (done < len && !s->err) {
        ssize_t n = pwrite(s->fd, (const char *)data + done, len - done, at + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            s->err = n < 0 ? errno : ENOSPC;
        else
            done += (size_t)n;
    }
    return s->err ? -1 : 0;
}

/* What went wrong, in the words a user knows: the system's when a write
 * failed, else libsndfile's. */
static void say_failure(char *err, size_t errlen, const char *path, const char *what,
                        const struct sink *s, const char *lib)
{
    snprintf(err, errlen, "%s: %s: %s", path, what, s->err ? strerror(s->err) : lib);
}

struct render_loop {
    struct engine *e;
    struct out_file_options *opt;
    float *block;
    int64_t total;
};

/* Renders the next block; 0 at the end, -1 when interrupted. */
static int next_block(struct render_loop *l)
{
    if (l->opt->cancel && *l->opt->cancel)
        return -1;
    int n = engine_render(l->e, l->block, BLOCK_FRAMES);
    return n < 0 ? 0 : n;
}

static void made_progress(struct render_loop *l, int n)
{
    l->total += n;
    if (l->opt->progress)
        l->opt->progress(l->opt->progress_ctx, l->total);
}

/* Hands each block to WRITE until the session ends, is cut short, or a
 * write fails.  WRITE returns 0 or -1 and sets *WHY to its library's word
 * on how the write went (shown when the system gave no reason of its own). */
typedef int (*block_writer)(void *enc, const float *block, int n, const char **why);

static enum out_file_error write_blocks(struct render_loop *l, struct sink *s, const char *path,
                                        block_writer write, void *enc, char *err, size_t errlen)
{
    for (;;) {
        int n = next_block(l);
        if (n < 0)
            return OUT_FILE_INTERRUPTED;
        if (n == 0)
            return OUT_FILE_OK;
        const char *why = "";
        if (write(enc, l->block, n, &why) != 0 || s->err) {
            char what[96];
            snprintf(what, sizeof what, "write failed after %lld frames", (long long)l->total);
            say_failure(err, errlen, path, what, s, why);
            return OUT_FILE_IO;
        }
        made_progress(l, n);
        if (n < BLOCK_FRAMES)
            return OUT_FILE_OK;
    }
}

static struct tags tags_for(const struct out_file_options *opt, int rate, int64_t total)
{
    struct tags t = {.title = opt->title,
                     .artist = "calfpace",
                     .album = "calfpace",
                     .chapters = opt->chapters,
                     .n_chapters = opt->n_chapters,
                     .rate = rate,
                     .total_frames = total};
    return t;
}

/* Turns libFLAC's own (vendor-only) comment block into padding, so the file
 * has exactly one: ours, in the hole after STREAMINFO.  If STREAMINFO was
 * the last block, ours becomes the last. */
static int flac_fix_blocks(struct sink *s)
{
    uint8_t h[4];
    if (pread(s->fd, h, 1, 4) != 1)
        return -1;
    if (h[0] & 0x80) {
        uint8_t si = h[0] & 0x7f, mine = 0x80 | 4;
        if (sink_put_at(s, 4, &si, 1) || sink_put_at(s, FLAC_STREAMINFO_END, &mine, 1))
            return -1;
        return 0;
    }
    off_t at = (off_t)(FLAC_STREAMINFO_END + s->hole_len);
    for (;;) {
        if (pread(s->fd, h, 4, at) != 4)
            return -1;
        size_t len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
        if ((h[0] & 0x7f) == 4) {
            uint8_t pad = (uint8_t)((h[0] & 0x80) | 1);
            static const uint8_t zeros[4096];
            if (sink_put_at(s, at, &pad, 1))
                return -1;
            for (size_t done = 0; done < len;) {
                size_t n = len - done < sizeof zeros ? len - done : sizeof zeros;
                if (sink_put_at(s, at + 4 + (off_t)done, zeros, n))
                    return -1;
                done += n;
            }
        }
        if (h[0] & 0x80)
            return 0;
        at += 4 + (off_t)len;
    }
}

static int sndfile_write(void *enc, const float *block, int n, const char **why)
{
    SNDFILE *f = enc;
    sf_count_t w = sf_writef_float(f, block, n);
    *why = sf_strerror(f);
    return w == n ? 0 : -1;
}

static enum out_file_error render_sndfile(struct render_loop *l, struct sink *s, const char *path,
                                          int format, char *err, size_t errlen)
{
    int rate = engine_rate(l->e);
    int type = format & SF_FORMAT_TYPEMASK;
    struct tags t = tags_for(l->opt, rate, 0);
    uint8_t *tag = NULL;
    size_t tag_len = 0;
    if (type == SF_FORMAT_MPEG) {
        tag_len = tags_id3v2(&t, NULL, 0);
        s->hole_at = 0;
    } else if (type == SF_FORMAT_FLAC) {
        tag_len = tags_flac_block(&t, "calfpace", NULL, 0);
        s->hole_at = FLAC_STREAMINFO_END;
    }
    if (tag_len && !(tag = malloc(tag_len))) {
        snprintf(err, errlen, "%s: out of memory", path);
        return OUT_FILE_IO;
    }
    s->hole_len = (sf_count_t)tag_len;

    SF_INFO info = {.samplerate = rate, .channels = 2, .format = format};
    SF_VIRTUAL_IO vio = {vio_filelen, vio_seek, vio_read, vio_write, vio_tell};
    SNDFILE *f = sf_open_virtual(&vio, SFM_WRITE, &info, s);
    if (!f) {
        say_failure(err, errlen, path, "cannot write this format", s, sf_strerror(NULL));
        free(tag);
        return OUT_FILE_IO;
    }
    /* No SFC_SET_CLIPPING: the mixer's limiter keeps every sample within
     * [-1, 1], which libsndfile maps into 16 bits without overflow. */
    if (type == SF_FORMAT_RF64)
        sf_command(f, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE); /* plain WAV below 4 GiB */
    if (type == SF_FORMAT_MPEG) {
        /* libsndfile maps a compression level onto LAME's bitrate range. */
        int kbps = l->opt->bitrate_kbps ? l->opt->bitrate_kbps : MP3_DEFAULT_KBPS;
        double top = rate >= 32000 ? 320.0 : rate >= 16000 ? 160.0 : 64.0;
        double bottom = rate >= 32000 ? 32.0 : 8.0;
        double level = (top - kbps) / (top - bottom);
        level = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
        int mode = SF_BITRATE_MODE_CONSTANT;
        sf_command(f, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
        sf_command(f, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
    enum out_file_error rc = write_blocks(l, s, path, sndfile_write, f, err, errlen);
    int before = sf_error(f);
    int closed = sf_close(f);
    if (rc == OUT_FILE_OK && (before || closed || s->err)) {
        say_failure(err, errlen, path, "could not finish the file", s,
                    sf_error_number(before ? before : closed));
        rc = OUT_FILE_IO;
    }
    if (rc == OUT_FILE_OK && tag) {
        t.total_frames = l->total;
        if (type == SF_FORMAT_MPEG)
            tags_id3v2(&t, tag, tag_len);
        else
            tags_flac_block(&t, "calfpace", tag, tag_len);
        if (sink_put_at(s, (off_t)s->hole_at, tag, tag_len) != 0 ||
            (type == SF_FORMAT_FLAC && flac_fix_blocks(s) != 0)) {
            say_failure(err, errlen, path, "could not write the tags", s, "the file is short");
            rc = OUT_FILE_IO;
        }
    }
    free(tag);
    return rc;
}

static int opus_write(void *user, const unsigned char *ptr, opus_int32 len)
{
    struct sink *s = user;
    return sink_io(s, (void *)(uintptr_t)ptr, len, 1) == len ? 0 : 1;
}

static int opus_close(void *user)
{
    (void)user;
    return 0;
}

static void opus_add_comment(void *ctx, const char *key, const char *value)
{
    ope_comments_add(ctx, key, value);
}

static int opus_write_block(void *enc, const float *block, int n, const char **why)
{
    int oe = ope_encoder_write_float(enc, block, n);
    *why = ope_strerror(oe);
    return oe == OPE_OK ? 0 : -1;
}

static enum out_file_error render_opus(struct render_loop *l, struct sink *s, const char *path,
                                       char *err, size_t errlen)
{
    int rate = engine_rate(l->e);
    struct tags t = tags_for(l->opt, rate, 0);
    OggOpusComments *c = ope_comments_create();
    if (!c) {
        snprintf(err, errlen, "%s: out of memory", path);
        return OUT_FILE_IO;
    }
    tags_vorbis(&t, opus_add_comment, c);
    OpusEncCallbacks cb = {opus_write, opus_close};
    int oe = 0;
    OggOpusEnc *enc = ope_encoder_create_callbacks(&cb, s, c, rate, 2, 0, &oe);
    if (!enc) {
        snprintf(err, errlen, "%s: cannot write Opus: %s", path, ope_strerror(oe));
        ope_comments_destroy(c);
        return OUT_FILE_IO;
    }
    int kbps = l->opt->bitrate_kbps ? l->opt->bitrate_kbps : OPUS_DEFAULT_KBPS;
    ope_encoder_ctl(enc, OPUS_SET_BITRATE(kbps * 1000));
    /* Speech and clicks need no more than a middle complexity; the top one
     * only costs time. */
    ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
    enum out_file_error rc = write_blocks(l, s, path, opus_write_block, enc, err, errlen);
    if (rc == OUT_FILE_OK) {
        oe = ope_encoder_drain(enc);
        if (oe != OPE_OK || s->err) {
            say_failure(err, errlen, path, "could not finish the file", s, ope_strerror(oe));
            rc = OUT_FILE_IO;
        }
    }
    ope_encoder_destroy(enc);
    ope_comments_destroy(c);
    return rc;
}

static int ogg_write_page(struct sink *s, const ogg_page *pg)
{
    if (sink_io(s, pg->header, pg->header_len, 1) != pg->header_len)
        return -1;
    return sink_io(s, pg->body, pg->body_len, 1) == pg->body_len ? 0 : -1;
}

static void vorbis_add_comment(void *ctx, const char *key, const char *value)
{
    vorbis_comment_add_tag(ctx, key, value);
}

/* Encodes what the analysis holds into packets and pages; ENDING flushes
 * the last page.  0, or -1 when a page could not be written. */
static int vorbis_drain(vorbis_dsp_state *vd, vorbis_block *vb, ogg_stream_state *os,
                        struct sink *s, int ending)
{
    ogg_packet op;
    ogg_page pg;
    while (vorbis_analysis_blockout(vd, vb) == 1) {
        vorbis_analysis(vb, NULL);
        vorbis_bitrate_addblock(vb);
        while (vorbis_bitrate_flushpacket(vd, &op)) {
            ogg_stream_packetin(os, &op);
            while (ogg_stream_pageout(os, &pg))
                if (ogg_write_page(s, &pg))
                    return -1;
        }
    }
    if (ending)
        while (ogg_stream_flush(os, &pg))
            if (ogg_write_page(s, &pg))
                return -1;
    return 0;
}

/* Ogg Vorbis through libvorbisenc itself: libsndfile writes only its fixed
 * set of comments, and the chapters are comments of their own. */
static enum out_file_error render_vorbis(struct render_loop *l, struct sink *s, const char *path,
                                         char *err, size_t errlen)
{
    int rate = engine_rate(l->e);
    struct tags t = tags_for(l->opt, rate, 0);
    vorbis_info vi;
    vorbis_info_init(&vi);
    if (vorbis_encode_init_vbr(&vi, 2, rate, 0.5f) != 0) {
        snprintf(err, errlen, "%s: cannot write Ogg Vorbis at %d Hz", path, rate);
        vorbis_info_clear(&vi);
        return OUT_FILE_BAD_NAME;
    }
    vorbis_comment vc;
    vorbis_comment_init(&vc);
    tags_vorbis(&t, vorbis_add_comment, &vc);
    vorbis_dsp_state vd;
    vorbis_block vb;
    ogg_stream_state os;
    vorbis_analysis_init(&vd, &vi);
    vorbis_block_init(&vd, &vb);
    ogg_stream_init(&os, (int)((unsigned)time(NULL) ^ (unsigned)getpid()));
    ogg_packet head, comments, books;
    ogg_page pg;
    vorbis_analysis_headerout(&vd, &vc, &head, &comments, &books);
    ogg_stream_packetin(&os, &head);
    ogg_stream_packetin(&os, &comments);
    ogg_stream_packetin(&os, &books);
    enum out_file_error rc = OUT_FILE_OK;
    while (ogg_stream_flush(&os, &pg))
        if (ogg_write_page(s, &pg))
            rc = OUT_FILE_IO;
    while (rc == OUT_FILE_OK) {
        int n = next_block(l);
        if (n < 0) {
            rc = OUT_FILE_INTERRUPTED;
            break;
        }
        if (n > 0) {
            float **in = vorbis_analysis_buffer(&vd, n);
            for (int i = 0; i < n; i++) {
                in[0][i] = l->block[2 * i];
                in[1][i] = l->block[2 * i + 1];
            }
        }
        vorbis_analysis_wrote(&vd, n);
        int last = n < BLOCK_FRAMES;
        if (vorbis_drain(&vd, &vb, &os, s, last) != 0) {
            rc = OUT_FILE_IO;
            break;
        }
        made_progress(l, n);
        if (last) {
            if (n > 0) {
                vorbis_analysis_wrote(&vd, 0);
                if (vorbis_drain(&vd, &vb, &os, s, 1) != 0)
                    rc = OUT_FILE_IO;
            }
            break;
        }
    }
    if (rc == OUT_FILE_IO) {
        char what[96];
        snprintf(what, sizeof what, "write failed after %lld frames", (long long)l->total);
        say_failure(err, errlen, path, what, s, "short write");
    }
    ogg_stream_clear(&os);
    vorbis_block_clear(&vb);
    vorbis_dsp_clear(&vd);
    vorbis_comment_clear(&vc);
    vorbis_info_clear(&vi);
    return rc;
}

static void discard(int fd, const char *tmp)
{
    if (fd >= 0)
        close(fd);
    unlink(tmp);
}

enum out_file_error out_file_render(struct engine *e, const char *path,
                                    struct out_file_options *opt, int64_t *frames, char *err,
                                    size_t errlen)
{
    int rate = engine_rate(e);
    enum out_file_error rc = out_file_check(path, rate, err, errlen);
    if (rc != OUT_FILE_OK)
        return rc;
    int format = out_file_format_for(path);
    char *tmp = opt->partial;
    if ((size_t)snprintf(tmp, sizeof opt->partial, "%s.partial-XXXXXX", path) >=
        sizeof opt->partial) {
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
    struct render_loop l = {.e = e, .opt = opt};
    if (!(l.block = malloc(BLOCK_FRAMES * 2 * sizeof *l.block))) {
        snprintf(err, errlen, "%s: out of memory", path);
        discard(fd, tmp);
        return OUT_FILE_IO;
    }
    struct sink s = {.fd = fd, .hole_at = INT64_MAX};
    if (is_opus(format))
        rc = render_opus(&l, &s, path, err, errlen);
    else if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG)
        rc = render_vorbis(&l, &s, path, err, errlen);
    else
        rc = render_sndfile(&l, &s, path, format, err, errlen);
    free(l.block);
    if (rc != OUT_FILE_OK) {
        discard(fd, tmp);
        return rc;
    }
    /* Only now is everything written: sync the file, then its name, then
     * the folder that holds the name. */
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "%s: could not save the file: %s", path, strerror(errno));
        discard(fd, tmp);
        return OUT_FILE_IO;
    }
    int closed = close(fd);
    if (closed != 0) {
        snprintf(err, errlen, "%s: could not save the file: %s", path, strerror(errno));
        discard(-1, tmp);
        return OUT_FILE_IO;
    }
    if (opt->cancel && *opt->cancel) {
        discard(-1, tmp);
        return OUT_FILE_INTERRUPTED;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot put the file in place: %s", path, strerror(errno));
        discard(-1, tmp);
        return OUT_FILE_IO;
    }
    char dir[4096];
    paths_dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || fsync(dfd) != 0) {
        snprintf(err, errlen, "%s: could not save the folder's entry: %s", path, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        unlink(path);
        return OUT_FILE_IO;
    }
    close(dfd);
    if (frames)
        *frames = l.total;
    return OUT_FILE_OK;
}
