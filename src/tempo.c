#include "tempo.h"

#include <math.h>

/* phase(t) = b t + a t^2 with b = from/60 and a = (to - from) / (120 S). */
static void coefficients(double from, double to, double seconds, double *a, double *b)
{
    *b = from / 60.0;
    *a = seconds > 0.0 ? (to - from) / (120.0 * seconds) : 0.0;
}

double tempo_phase(double from, double to, double seconds, double t)
{
    double a, b;
    coefficients(from, to, seconds, &a, &b);
    return b * t + a * t * t;
}

double tempo_at(double from, double to, double seconds, double t)
{
    if (seconds <= 0.0)
        return from;
    return from + (to - from) * t / seconds;
}

double tempo_beat_time(double from, double to, double seconds, double k)
{
    double a, b;
    coefficients(from, to, seconds, &a, &b);
    if (k <= 0.0)
        return 0.0;
    /* The root of a t^2 + b t - k = 0 written as 2k / (b + sqrt(b^2 + 4ak)):
     * no cancellation when a is tiny, and exact (k / b) when a is zero. */
    double disc = b * b + 4.0 * a * k;
    if (disc < 0.0)
        disc = 0.0; /* only past the end of a falling ramp; callers stay inside */
    return 2.0 * k / (b + sqrt(disc));
}

double tempo_seconds_for_beats(double from, double to, int beats)
{
    return 120.0 * (double)beats / (from + to);
}

int tempo_beats_in(double from, double to, double seconds)
{
    /* Beat k is inside when t_k < S, that is when k < phase(S).  A beat that
     * lands on S itself (phase(S) whole, as in 90 s from 100 to 160 bpm)
     * belongs to what comes next; the tolerance keeps rounding in phase(S)
     * from deciding that either way. */
    double total = tempo_phase(from, to, seconds, seconds);
    return tempo_whole_beats(total, 1);
}

int tempo_whole_beats(double total, int unit)
{
    double tol = 1e-9 * fmax(1.0, total);
    int n = (int)ceil(total - tol);
    if (unit <= 1 || n % unit == 0)
        return n;
    int lo = n - n % unit, hi = lo + unit;
    if (lo == 0 || hi - total <= total - lo + tol)
        return hi;
    return lo;
}
