/* userconf: the listener's own defaults, in $XDG_CONFIG_HOME/calfpace/calfpace.cfg
 * (default ~/.config/calfpace/calfpace.cfg), a libconfig file:
 *
 *   device = "pulse";     # the output device: a name substring or an index
 *   volume = -3.0;        # dB added to every routine's volumes
 *   voice = "de";         # "en", "de", or "off" for the beats alone
 *   tempo_scale = 0.9;    # every tempo times this (0.5 to 2.0)
 *   latency = 0.08;       # seconds of output latency to ask for
 *   mpris = false;        # no media keys or media widget (default true)
 *   pause_others = false; # leave other players alone (default true: paused
 *                         # while calfpace plays, resumed after)
 *   prompt_silence = 1.5; # seconds of silence before a reminder speaks
 *   away = 300;           # seconds locked or asleep that restart the interval
 *   mono = true;          # every sound in both ears (one earbud in, one ear)
 *   balance = 0.3;        # -1 (left only) to 1 (right only): the other side down
 *
 * Mistakes are reported like a routine's: FILE:LINE: what is wrong.  The
 * device chosen with --device is written back as the new default, keeping
 * the rest of the file (comments too) as it is.  Command-line options win
 * over the file.  Not for the audio thread.
 */
#ifndef CALFPACE_USERCONF_H
#define CALFPACE_USERCONF_H

#include <stddef.h>

#define USERCONF_PROMPT_SILENCE 1.5 /* Bluetooth sinks wake late and clip the first word */
#define USERCONF_AWAY 300.0
#define USERCONF_FILE_MAX (64L * 1024L) /* bytes; a bigger file is refused */
/* The output latency one may ask for, in seconds (--latency, latency =):
 * below 20 ms the sound servers' ALSA plugins cannot keep the stream fed. */
#define USERCONF_LATENCY_MIN 0.02
#define USERCONF_LATENCY_MAX 2.0

struct userconf {
    char path[1024];
    char device[256]; /* "" for the system's default */
    double volume_db;
    char voice[8]; /* "" for the routine's choice */
    int voice_off;
    double tempo_scale;
    double latency;
    int mpris;
    int pause_others;
    double prompt_silence;
    double away;
    int mono;
    double balance;
};

/* Where the file is (it may not exist). */
void userconf_path(char *out, size_t outlen);

/* Reads PATH into U (defaults where the file is silent or missing); 0, or
 * -1 with "FILE:LINE: ..." in err. */
int userconf_load(const char *path, struct userconf *u, char *err, size_t errlen);

/* Sets device = "DEVICE"; in PATH: the value is replaced where it stands
 * (on a line of its own or not), or a line is added when there is none;
 * refused with a message when device is set in a file PATH includes.  The
 * file is replaced through safefile_replace (temporary file, its mode,
 * fsync, rename); a symlinked config stays a link and its target is
 * written. */
int userconf_save_device(const char *path, const char *device, char *err, size_t errlen);

#endif
