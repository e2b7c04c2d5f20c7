/* paths: where calfpace finds its shipped sounds and routines.
 *
 * The data folder holds sounds/ and config/.  It is, in order: $CALFPACE_DATA
 * if set; PREFIX/share/calfpace beside an installed binary (found from
 * /proc/self/exe, so an installed tree can move); the source tree the binary
 * was built from.  A user's own sounds live in
 * $XDG_DATA_HOME/calfpace/sounds (default ~/.local/share/calfpace/sounds).
 */
#ifndef CALFPACE_PATHS_H
#define CALFPACE_PATHS_H

#include <stddef.h>

/* 0 with the data folder in OUT, or -1 when none holds sounds/. */
int paths_data_dir(char *out, size_t outlen);

/* Where the routine format is documented, for messages: the installed
 * PREFIX/share/doc/calfpace/routine-format.md, the source tree's
 * docs/routine-format.md, or the man page.  A static string. */
const char *paths_format_doc(void);

/* The user's sound folder (it may not exist). */
void paths_user_sounds_dir(char *out, size_t outlen);

/* $ENV/calfpace/LEAF, or, where ENV is unset or not absolute (the XDG rule),
 * $HOME/FALLBACK/calfpace/LEAF: the user's files of each kind.  0; -1 when
 * neither ENV nor HOME is set (the path is then under "."); -2 when the path
 * does not fit in OUTLEN. */
int paths_xdg(char *out, size_t outlen, const char *env, const char *fallback, const char *leaf);

/* The folder PATH lies in, into OUT: "." for a bare name, "/" for "/x".
 * Returns PATH's last part (after the last slash). */
const char *paths_dir_of(const char *path, char *out, size_t outlen);

/* Creates the folders PATH lies in (not PATH itself) with MODE; 0 or -1. */
int paths_make_parents(const char *path, unsigned int mode);

#endif
