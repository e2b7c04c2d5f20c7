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

int out_file_check(const char *path, int rate, struct cp_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cp_fail(err, CP_RUNTIME, "%s: is a folder (give a file name in it)", path);
    int format = out_file_format_for(path);
    if (!format)
        return cp_fail(err, CP_BAD_INPUT, "%s: unknown file type (" ALLOWED ")", path);
    if (!is_opus(format)) {
        SF_INFO info = {.samplerate = rate, .channels = 2, .format = format};
        if (!sf_format_check(&info))
            return cp_fail(err, CP_BAD_INPUT, "%s: %s cannot write .%s files at %d Hz", path,
                           sf_version_string(), extension(path), rate);
    }
    char dir[4096];
    paths_dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return cp_fail(err, CP_RUNTIME, "%s: cannot create the file: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return cp_fail(err, CP_RUNTIME, "%s: cannot create the file: %s is not a folder", path,
                       dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cp_fail(err, CP_RUNTIME, "%s: cannot create the file: %s", path, strerror(errno));
    return 0;
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
static int say_failure(struct cp_error *err, const char *path, const char *what,
                       const struct sink *s, const char *lib)
{
    return cp_fail(err, CP_RUNTIME, "%s: %s: %s", path, what, s->err ? strerror(s->err) : lib);
}

struct encoder;

/* One file output: the temporary file, its encoder, and how far it got. */
struct out_file {
    struct engine *e;
    struct out_file_options *opt;
    const char *path;
    int rate, format;
    int fd;
    struct sink s;
    float *block;
    int64_t total;   /* frames written */
    uint64_t blocks; /* blocks rendered */
    int64_t first_frames;
    int active;             /* blocks still to come */
    int started;            /* the encoder began */
    int saved;              /* the file is whole and in place */
    struct cp_error failed; /* the first failure while rendering */
    const struct encoder *enc;
    /* The encoder's state: one of these. */
    SNDFILE *sf;
    uint8_t *tag;
    size_t tag_len;
    OggOpusEnc *opus;
    OggOpusComments *comments;
    struct vorbis_state *vorbis;
};

/* A format's encoder: begin before the first block; write each block (the
 * last one shorter than BLOCK_FRAMES, maybe empty), setting *WHY to its
 * library's word on how it went; end once the last block is written (the
 * trailer, the tags); release in any case, whatever got made. */
struct encoder {
    int (*begin)(struct out_file *f, struct cp_error *err);
    int (*write)(struct out_file *f, const float *block, int n, int last, const char **why);
    int (*end)(struct out_file *f, struct cp_error *err);
    void (*release)(struct out_file *f);
};

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

/* --- WAV, FLAC and MP3 through libsndfile -------------------------------- */

static int sndfile_begin(struct out_file *f, struct cp_error *err)
{
    int type = f->format & SF_FORMAT_TYPEMASK;
    struct tags t = tags_for(f->opt, f->rate, 0);
    struct sink *s = &f->s;
    if (type == SF_FORMAT_MPEG) {
        f->tag_len = tags_id3v2(&t, NULL, 0);
        s->hole_at = 0;
    } else if (type == SF_FORMAT_FLAC) {
        f->tag_len = tags_flac_block(&t, "calfpace", NULL, 0);
        s->hole_at = FLAC_STREAMINFO_END;
    }
    if (f->tag_len && !(f->tag = malloc(f->tag_len)))
        return cp_fail(err, CP_RUNTIME, "%s: out of memory", f->path);
    s->hole_len = (sf_count_t)f->tag_len;

    SF_INFO info = {.samplerate = f->rate, .channels = 2, .format = f->format};
    SF_VIRTUAL_IO vio = {vio_filelen, vio_seek, vio_read, vio_write, vio_tell};
    f->sf = sf_open_virtual(&vio, SFM_WRITE, &info, s);
    if (!f->sf)
        return say_failure(err, f->path, "cannot write this format", s, sf_strerror(NULL));
    /* No SFC_SET_CLIPPING: the mixer's limiter keeps every sample within
     * [-1, 1], which libsndfile maps into 16 bits without overflow. */
    if (type == SF_FORMAT_RF64)
        sf_command(f->sf, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE); /* plain WAV below 4 GiB */
    if (type == SF_FORMAT_MPEG) {
        /* libsndfile maps a compression level onto LAME's bitrate range. */
        int kbps = f->opt->bitrate_kbps ? f->opt->bitrate_kbps : MP3_DEFAULT_KBPS;
        double top = f->rate >= 32000 ? 320.0 : f->rate >= 16000 ? 160.0 : 64.0;
        double bottom = f->rate >= 32000 ? 32.0 : 8.0;
        double level = (top - kbps) / (top - bottom);
        level = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
        int mode = SF_BITRATE_MODE_CONSTANT;
        sf_command(f->sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
        sf_command(f->sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
    return 0;
}

static int sndfile_write(struct out_file *f, const float *block, int n, int last, const char **why)
{
    (void)last;
    if (n == 0)
        return 0;
    sf_count_t w = sf_writef_float(f->sf, block, n);
    *why = sf_strerror(f->sf);
    return w == n ? 0 : -1;
}

static int sndfile_end(struct out_file *f, struct cp_error *err)
{
    int type = f->format & SF_FORMAT_TYPEMASK;
    struct sink *s = &f->s;
    int before = sf_error(f->sf);
    int closed = sf_close(f->sf);
    f->sf = NULL;
    if (before || closed || s->err)
        return say_failure(err, f->path, "could not finish the file", s,
                           sf_error_number(before ? before : closed));
    if (!f->tag)
        return 0;
    struct tags t = tags_for(f->opt, f->rate, f->total);
    if (type == SF_FORMAT_MPEG)
        tags_id3v2(&t, f->tag, f->tag_len);
    else
        tags_flac_block(&t, "calfpace", f->tag, f->tag_len);
    if (sink_put_at(s, (off_t)s->hole_at, f->tag, f->tag_len) != 0 ||
        (type == SF_FORMAT_FLAC && flac_fix_blocks(s) != 0))
        return say_failure(err, f->path, "could not write the tags", s, "the file is short");
    return 0;
}

static void sndfile_release(struct out_file *f)
{
    if (f->sf)
        sf_close(f->sf);
    f->sf = NULL;
    free(f->tag);
    f->tag = NULL;
}

static const struct encoder sndfile_encoder = {sndfile_begin, sndfile_write, sndfile_end,
                                               sndfile_release};

/* --- Ogg Opus through libopusenc ----------------------------------------- */

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

static int opus_begin(struct out_file *f, struct cp_error *err)
{
    struct tags t = tags_for(f->opt, f->rate, 0);
    if (!(f->comments = ope_comments_create()))
        return cp_fail(err, CP_RUNTIME, "%s: out of memory", f->path);
    tags_vorbis(&t, opus_add_comment, f->comments);
    OpusEncCallbacks cb = {opus_write, opus_close};
    int oe = 0;
    f->opus = ope_encoder_create_callbacks(&cb, &f->s, f->comments, f->rate, 2, 0, &oe);
    if (!f->opus)
        return cp_fail(err, CP_RUNTIME, "%s: cannot write Opus: %s", f->path, ope_strerror(oe));
    int kbps = f->opt->bitrate_kbps ? f->opt->bitrate_kbps : OPUS_DEFAULT_KBPS;
    ope_encoder_ctl(f->opus, OPUS_SET_BITRATE(kbps * 1000));
    /* Speech and clicks need no more than a middle complexity; the top one
     * only costs time. */
    ope_encoder_ctl(f->opus, OPUS_SET_COMPLEXITY(5));
    return 0;
}

static int opus_write_block(struct out_file *f, const float *block, int n, int last,
                            const char **why)
{
    (void)last;
    if (n == 0)
        return 0;
    int oe = ope_encoder_write_float(f->opus, block, n);
    *why = ope_strerror(oe);
    return oe == OPE_OK ? 0 : -1;
}

static int opus_end(struct out_file *f, struct cp_error *err)
{
    int oe = ope_encoder_drain(f->opus);
    if (oe != OPE_OK || f->s.err)
        return say_failure(err, f->path, "could not finish the file", &f->s, ope_strerror(oe));
    return 0;
}

static void opus_release(struct out_file *f)
{
    if (f->opus)
        ope_encoder_destroy(f->opus);
    if (f->comments)
        ope_comments_destroy(f->comments);
    f->opus = NULL;
    f->comments = NULL;
}

static const struct encoder opus_encoder = {opus_begin, opus_write_block, opus_end, opus_release};

/* --- Ogg Vorbis through libvorbisenc -------------------------------------- */

/* libsndfile writes only its fixed set of comments, and the chapters are
 * comments of their own: Vorbis is encoded here. */
struct vorbis_state {
    vorbis_info vi;
    vorbis_comment vc;
    vorbis_dsp_state vd;
    vorbis_block vb;
    ogg_stream_state os;
    int analysing; /* vd, vb and os were made */
};

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
static int vorbis_drain(struct vorbis_state *v, struct sink *s, int ending)
{
    ogg_packet op;
    ogg_page pg;
    while (vorbis_analysis_blockout(&v->vd, &v->vb) == 1) {
        vorbis_analysis(&v->vb, NULL);
        vorbis_bitrate_addblock(&v->vb);
        while (vorbis_bitrate_flushpacket(&v->vd, &op)) {
            ogg_stream_packetin(&v->os, &op);
            while (ogg_stream_pageout(&v->os, &pg))
                if (ogg_write_page(s, &pg))
                    return -1;
        }
    }
    if (ending)
        while (ogg_stream_flush(&v->os, &pg))
            if (ogg_write_page(s, &pg))
                return -1;
    return 0;
}

static int vorbis_begin(struct out_file *f, struct cp_error *err)
{
    struct vorbis_state *v = f->vorbis = calloc(1, sizeof *v);
    if (!v)
        return cp_fail(err, CP_RUNTIME, "%s: out of memory", f->path);
    struct tags t = tags_for(f->opt, f->rate, 0);
    vorbis_info_init(&v->vi);
    vorbis_comment_init(&v->vc);
    if (vorbis_encode_init_vbr(&v->vi, 2, f->rate, 0.5f) != 0)
        return cp_fail(err, CP_BAD_INPUT, "%s: cannot write Ogg Vorbis at %d Hz", f->path, f->rate);
    tags_vorbis(&t, vorbis_add_comment, &v->vc);
    vorbis_analysis_init(&v->vd, &v->vi);
    vorbis_block_init(&v->vd, &v->vb);
    ogg_stream_init(&v->os, (int)((unsigned)time(NULL) ^ (unsigned)getpid()));
    v->analysing = 1;
    ogg_packet head, comments, books;
    ogg_page pg;
    vorbis_analysis_headerout(&v->vd, &v->vc, &head, &comments, &books);
    ogg_stream_packetin(&v->os, &head);
    ogg_stream_packetin(&v->os, &comments);
    ogg_stream_packetin(&v->os, &books);
    while (ogg_stream_flush(&v->os, &pg))
        if (ogg_write_page(&f->s, &pg))
            return say_failure(err, f->path, "write failed after 0 frames", &f->s, "short write");
    return 0;
}

/* The last block (maybe empty) ends the stream. */
static int vorbis_write(struct out_file *f, const float *block, int n, int last, const char **why)
{
    struct vorbis_state *v = f->vorbis;
    *why = "short write";
    if (n > 0) {
        float **in = vorbis_analysis_buffer(&v->vd, n);
        for (int i = 0; i < n; i++) {
            in[0][i] = block[2 * i];
            in[1][i] = block[2 * i + 1];
        }
    }
    vorbis_analysis_wrote(&v->vd, n);
    if (vorbis_drain(v, &f->s, last) != 0)
        return -1;
    if (last && n > 0) {
        vorbis_analysis_wrote(&v->vd, 0);
        if (vorbis_drain(v, &f->s, 1) != 0)
            return -1;
    }
    return 0;
}

static int vorbis_end(struct out_file *f, struct cp_error *err)
{
    (void)f;
    (void)err;
    return 0;
}

static void vorbis_release(struct out_file *f)
{
    struct vorbis_state *v = f->vorbis;
    if (!v)
        return;
    if (v->analysing) {
        ogg_stream_clear(&v->os);
        vorbis_block_clear(&v->vb);
        vorbis_dsp_clear(&v->vd);
    }
    vorbis_comment_clear(&v->vc);
    vorbis_info_clear(&v->vi);
    free(v);
    f->vorbis = NULL;
}

static const struct encoder vorbis_encoder = {vorbis_begin, vorbis_write, vorbis_end,
                                              vorbis_release};

/* --- the output ----------------------------------------------------------- */

static void discard(int fd, const char *tmp)
{
    if (fd >= 0)
        close(fd);
    unlink(tmp);
}

/* Checks the name, creates the temporary file beside it and the block
 * buffer.  Nothing is encoded yet. */
static void *file_open(struct engine *e, const struct output_params *p, struct cp_error *err)
{
    if (out_file_check(p->path, engine_rate(e), err) != 0)
        return NULL;
    struct out_file *f = calloc(1, sizeof *f);
    if (!f) {
        cp_fail(err, CP_RUNTIME, "%s: out of memory", p->path);
        return NULL;
    }
    f->e = e;
    f->opt = p->file;
    f->path = p->path;
    f->rate = engine_rate(e);
    f->format = out_file_format_for(p->path);
    f->enc = is_opus(f->format)                                  ? &opus_encoder
             : (f->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG ? &vorbis_encoder
                                                                 : &sndfile_encoder;
    cp_error_clear(&f->failed);
    char *tmp = f->opt->partial;
    if ((size_t)snprintf(tmp, sizeof f->opt->partial, "%s.partial-XXXXXX", p->path) >=
        sizeof f->opt->partial) {
        cp_fail(err, CP_BAD_INPUT, "%s: name too long", p->path);
        free(f);
        return NULL;
    }
    f->fd = mkstemp(tmp);
    if (f->fd < 0) {
        cp_fail(err, CP_RUNTIME, "%s: cannot create the file: %s", p->path, strerror(errno));
        free(f);
        return NULL;
    }
    /* mkstemp makes the file private; the result should get the usual mode. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(f->fd, 0666 & ~mask);
    f->s = (struct sink){.fd = f->fd, .hole_at = INT64_MAX};
    if (!(f->block = malloc(BLOCK_FRAMES * 2 * sizeof *f->block))) {
        cp_fail(err, CP_RUNTIME, "%s: out of memory", p->path);
        discard(f->fd, tmp);
        free(f);
        return NULL;
    }
    return f;
}

static int file_start(void *self, struct cp_error *err)
{
    struct out_file *f = self;
    f->started = 1;
    if (f->enc->begin(f, err) != 0)
        return -1;
    f->active = 1;
    return 0;
}

/* Renders and writes one block: a file takes frames as fast as they come. */
static void file_pump(void *self)
{
    struct out_file *f = self;
    if (!f->active)
        return;
    if (f->opt->cancel && *f->opt->cancel) {
        cp_fail(&f->failed, CP_INTERRUPTED, "%s: interrupted", f->path);
        f->active = 0;
        return;
    }
    int n = engine_render(f->e, f->block, BLOCK_FRAMES);
    if (n < 0)
        n = 0;
    int last = n < BLOCK_FRAMES;
    const char *why = "";
    if (f->enc->write(f, f->block, n, last, &why) != 0 || f->s.err) {
        char what[96];
        snprintf(what, sizeof what, "write failed after %lld frames", (long long)f->total);
        say_failure(&f->failed, f->path, what, &f->s, why);
        f->active = 0;
        return;
    }
    if (f->blocks++ == 0)
        f->first_frames = n;
    f->total += n;
    if (f->opt->progress)
        f->opt->progress(f->opt->progress_ctx, f->total);
    if (last)
        f->active = 0;
}

static int file_active(void *self)
{
    return ((struct out_file *)self)->active;
}

/* Only now is everything written: end the encoding, sync the file, then its
 * name, then the folder that holds the name.  On any failure the temporary
 * file is removed. */
static int file_finish(void *self, struct cp_error *err)
{
    struct out_file *f = self;
    const char *tmp = f->opt->partial;
    if (f->failed.kind != CP_OK || f->active) {
        if (f->active)
            cp_fail(&f->failed, CP_INTERRUPTED, "%s: stopped before its end", f->path);
        *err = f->failed;
        f->enc->release(f);
        discard(f->fd, tmp);
        f->fd = -1;
        return -1;
    }
    int rc = f->enc->end(f, err);
    f->enc->release(f);
    if (rc != 0) {
        discard(f->fd, tmp);
        f->fd = -1;
        return -1;
    }
    int fd = f->fd;
    f->fd = -1;
    if (fsync(fd) != 0) {
        cp_fail(err, CP_RUNTIME, "%s: could not save the file: %s", f->path, strerror(errno));
        discard(fd, tmp);
        return -1;
    }
    if (close(fd) != 0) {
        cp_fail(err, CP_RUNTIME, "%s: could not save the file: %s", f->path, strerror(errno));
        discard(-1, tmp);
        return -1;
    }
    if (f->opt->cancel && *f->opt->cancel) {
        cp_fail(err, CP_INTERRUPTED, "%s: interrupted", f->path);
        discard(-1, tmp);
        return -1;
    }
    if (rename(tmp, f->path) != 0) {
        cp_fail(err, CP_RUNTIME, "%s: cannot put the file in place: %s", f->path,
                strerror(errno));
        discard(-1, tmp);
        return -1;
    }
    char dir[4096];
    paths_dir_of(f->path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || fsync(dfd) != 0) {
        cp_fail(err, CP_RUNTIME, "%s: could not save the folder's entry: %s", f->path,
                strerror(errno));
        if (dfd >= 0)
            close(dfd);
        unlink(f->path);
        return -1;
    }
    close(dfd);
    f->saved = 1;
    return 0;
}

static void file_stop(void *self)
{
    ((struct out_file *)self)->active = 0;
}

/* A file not finished is not left behind. */
static void file_close(void *self)
{
    struct out_file *f = self;
    if (f->started)
        f->enc->release(f);
    if (f->fd >= 0)
        discard(f->fd, f->opt->partial);
    free(f->block);
    free(f);
}

static void file_stats(void *self, struct output_stats *st)
{
    struct out_file *f = self;
    st->callbacks = f->blocks;
    st->first_frames = f->first_frames;
    st->frames = f->total;
}

static const char *file_name(void *self)
{
    return ((struct out_file *)self)->path;
}

const struct output_ops out_file_ops = {
    .kind = "file",
    .open = file_open,
    .start = file_start,
    .pump = file_pump,
    .active = file_active,
    .stop = file_stop,
    .finish = file_finish,
    .close = file_close,
    .abandon = file_close,
    .stats = file_stats,
    .name = file_name,
};
