/* devmatch: which output device a --device word (or a saved device) names.
 *
 * A word of digits is an index.  Otherwise a name equal to the word (case
 * ignored) wins; else the one name that contains it (case ignored).  A word
 * contained in several names is refused with the list of them, so the
 * listener chooses instead of getting the first by chance.  Pure: the caller
 * passes the devices' names; no I/O, no global state.
 */
#ifndef CALFPACE_DEVMATCH_H
#define CALFPACE_DEVMATCH_H

#include <stddef.h>

enum devmatch { DEVMATCH_FOUND, DEVMATCH_NONE, DEVMATCH_SEVERAL };

/* NAMES[i] is device i's name, or NULL for a device that cannot play (no
 * output channels).  DEVMATCH_FOUND with the index in *FOUND; DEVMATCH_NONE;
 * or DEVMATCH_SEVERAL with the message in ERR:
 *   "u" matches 3 devices: "default", "pulse", "sysdefault" (give more of
 *   the name, or its index from 'calfpace devices') */
enum devmatch devmatch_find(const char *want, const char *const *names, int n, int *found,
                            char *err, size_t errlen);

#endif
