/* plan: the routine's timeline as text, for 'calfpace check'. */
#ifndef CALFPACE_PLAN_H
#define CALFPACE_PLAN_H

#include "routine.h"

#include <stdio.h>

/* Each step with its start, length, beats and tempo range, and the total. */
void plan_print(FILE *to, const struct routine *r);

/* Every event of the session, one a line: "FRAME KIND ROUND STEP BEAT PAN". */
void plan_print_events(FILE *to, const struct routine *r);

/* "1:02.5" or "1:02:03" style, into OUT. */
void plan_format_time(double seconds, char *out, size_t outlen);

#endif
