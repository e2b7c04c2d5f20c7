/* timeline_text: the routine's timeline as text, for 'calfpace check'. */
#ifndef CALFPACE_TIMELINE_TEXT_H
#define CALFPACE_TIMELINE_TEXT_H

#include "routine.h"

#include <stdio.h>

/* Each step with its start, length, beats and tempo range, and the total. */
void timeline_print(FILE *to, const struct routine *r);

/* Every event of the session, one a line: "FRAME KIND ROUND STEP BEAT PAN". */
void timeline_print_events(FILE *to, const struct routine *r);

/* "1:02.5" or "1:02:03" style, into OUT. */
void timeline_format_time(double seconds, char *out, size_t outlen);

#endif
