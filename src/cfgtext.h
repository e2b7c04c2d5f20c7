/* cfgtext: a libconfig file with its @include directives resolved by
 * calfpace, so that libconfig itself never opens a file.
 *
 * libconfig 1.5 opens an @include'd file with fopen and reads it with flex:
 * a FIFO blocks it forever, a folder makes flex call exit(), and nothing
 * bounds how often one file is read.  Here every included file is opened
 * once through safefile (non-blocking, regular files only, size-checked),
 * remembered, and pasted in place of its directive; libconfig then parses
 * the one text, with no include left in it.
 *
 * What is an include is decided exactly as libconfig 1.5's scanner does: a
 * line (or a file) that starts with optional blanks, "@include", at least
 * one blank and a double quote, outside comments and strings; the name runs
 * to the next unescaped quote (\\ and \" are its escapes) and may span
 * lines.  A relative name is taken from INCLUDE_DIR (the routine's folder,
 * for nested includes too), as libconfig does with config_set_include_dir;
 * an absolute name is used as it is (libconfig 1.5 would prefix the folder
 * to it, which never named an existing file).  Nesting deeper than
 * libconfig's 10 is refused as libconfig refuses it.
 *
 * Budgets, so a hostile file fails in milliseconds, not minutes: the text
 * with its includes pasted in is at most CFGTEXT_BYTES_MAX bytes, pastes
 * number at most CFGTEXT_INCLUDES_MAX, and there are at most
 * CFGTEXT_KEYS_MAX named settings in all and CFGTEXT_GROUP_KEYS_MAX in any
 * one group (libconfig checks each new name against its group's others,
 * which is quadratic in a group's size).
 *
 * Lines of the pasted text map back to FILE:LINE with cfgtext_where.  Not
 * for the audio thread; no global state.
 */
#ifndef CALFPACE_CFGTEXT_H
#define CALFPACE_CFGTEXT_H

#include <libconfig.h>
#include <stddef.h>

#define CFGTEXT_BYTES_MAX (1024L * 1024L)
#define CFGTEXT_FILES_MAX 32
#define CFGTEXT_INCLUDES_MAX 64
#define CFGTEXT_DEPTH_MAX 10
#define CFGTEXT_KEYS_MAX 20000
#define CFGTEXT_GROUP_KEYS_MAX 512
#define CFGTEXT_VALUES_MAX 100000

struct cfgtext;

/* TEXT (the contents of the file NAME) with its includes resolved from
 * INCLUDE_DIR.  WHAT names the file's kind in messages ("routine").  NULL
 * with "FILE:LINE: what is wrong (what is allowed)" in err. */
struct cfgtext *cfgtext_expand(const char *text, const char *name, const char *include_dir,
                               const char *what, char *err, size_t errlen);

/* The text with every include pasted in, for config_read_string. */
const char *cfgtext_text(const struct cfgtext *t);

/* Parses the text into CFG (config_init'ed by the caller); 0, or -1 with
 * libconfig's message at its FILE:LINE.  HINT (may be "") ends the message. */
int cfgtext_parse(const struct cfgtext *t, config_t *cfg, const char *hint, char *err,
                  size_t errlen);

/* The file and line that line LINE of the pasted text came from. */
const char *cfgtext_where(const struct cfgtext *t, int line, int *file_line);

/* The files read: the top one first, then each included file once. */
int cfgtext_n_files(const struct cfgtext *t);
const char *cfgtext_file(const struct cfgtext *t, int i);

void cfgtext_destroy(struct cfgtext *t);

#endif
