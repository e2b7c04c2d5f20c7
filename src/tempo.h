/* tempo: the ramp math of a paced step, pure functions of doubles.
 *
 * A step's tempo is linear in time: tempo(t) = from + (to - from) * t / S
 * (beats per minute, t in seconds from the step's first beat, S the step's
 * length).  Beat k sounds where the phase, the integral of tempo(u)/60 from 0
 * to t, equals k.  Everything here is closed form, so a beat's time never
 * depends on the beats before it: nothing accumulates, nothing drifts.
 */
#ifndef CALFPACE_TEMPO_H
#define CALFPACE_TEMPO_H

/* The time in seconds of beat k (k >= 0) within a step. */
double tempo_beat_time(double from, double to, double seconds, double k);

/* The phase (beats elapsed, fractional) at time t within a step. */
double tempo_phase(double from, double to, double seconds, double t);

/* The tempo in bpm at time t within a step. */
double tempo_at(double from, double to, double seconds, double t);

/* S for a step of n beats: the time at which beat n would sound. */
double tempo_seconds_for_beats(double from, double to, int beats);

/* How many beats a step of S seconds holds: every beat with t < S (a beat
 * within a nanosecond-scale tolerance of S counts as at S, so outside). */
int tempo_beats_in(double from, double to, double seconds);

/* The beats of a step that ends on a whole movement of UNIT beats, for a
 * body whose phase at its end is TOTAL (fractional beats): the beats before
 * it (as tempo_beats_in counts them) when they are a whole number of
 * movements; else the whole number of movements on either side of them
 * nearer to TOTAL (a tie goes to the longer), and at least one movement.
 * With UNIT 1 every count is whole. */
int tempo_whole_beats(double total, int unit);

#endif
