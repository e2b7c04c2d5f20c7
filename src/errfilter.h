/* errfilter: keeps the audio libraries' own chatter off the listener's
 * terminal while a session plays.
 *
 * When the sound server dies mid-session, PortAudio's ALSA code prints lines
 * such as "Expression 'alsa_snd_pcm_poll_descriptors_revents(...)' failed in
 * 'src/hostapi/alsa/pa_linux_alsa.c', line: 3670" straight to stderr, over
 * the status line and before calfpace's own message.  Debian's PortAudio
 * does not export the hook that would redirect them, so while the filter
 * runs, stderr (fd 2) is a pipe read by a thread of the filter's own, which
 * drops the lines known to be such noise (errfilter_is_noise) and passes
 * everything else on to the real stderr, in order.
 *
 * The pipe does not block its writers: a line written while the pipe is full
 * is lost rather than stalling the thread that wrote it (it may be one of
 * PortAudio's).  The audio callback itself never writes to stderr.
 * Start and stop from the control thread, after signals_begin (the reader
 * thread inherits the blocked signals).
 */
#ifndef CALFPACE_ERRFILTER_H
#define CALFPACE_ERRFILTER_H

struct errfilter;

/* Puts the filter on fd 2; NULL (and stderr left as it was) if a pipe or a
 * thread cannot be had. */
struct errfilter *errfilter_start(void);

/* Gives fd 2 back, after passing on everything written before the call;
 * returns how many lines were dropped.  NULL is allowed (0). */
unsigned long errfilter_stop(struct errfilter *f);

/* 1 if LINE (without its newline) is one of the libraries' known noise
 * lines: PortAudio's failed expressions, ALSA's and JACK's reports. */
int errfilter_is_noise(const char *line);

#endif
