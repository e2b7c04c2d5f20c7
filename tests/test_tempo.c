/* The ramp math against two independent references: the textbook quadratic
 * root of the phase equation, and the phase integrated numerically from the
 * tempo's definition. */
#include "check.h"
#include "tempo.h"

#include <math.h>

/* Simpson's rule over tempo(u)/60 from 0 to t: the phase by definition. */
static double integrated_phase(double from, double to, double S, double t)
{
    int n = 2000;
    double h = t / n, sum = 0.0;
    for (int i = 0; i <= n; i++) {
        double u = i * h;
        double f = (from + (to - from) * u / S) / 60.0;
        sum += f * (i == 0 || i == n ? 1.0 : (i % 2 ? 4.0 : 2.0));
    }
    return sum * h / 3.0;
}

/* The root as a textbook writes it: (-b + sqrt(b^2 + 4ak)) / 2a. */
static double textbook_root(double from, double to, double S, double k)
{
    double a = (to - from) / (120.0 * S), b = from / 60.0;
    if (a == 0.0)
        return k / b;
    return (-b + sqrt(b * b + 4.0 * a * k)) / (2.0 * a);
}

int main(void)
{
    const double cases[][3] = {
        {80.0, 160.0, 60.0}, {60.0, 72.0, 120.0}, {100.0, 100.0, 30.0}, {160.0, 80.0, 45.0},
        {10.0, 400.0, 600.0}, {400.0, 10.0, 20.0}, {97.0, 97.5, 10800.0},
    };
    int n_cases = (int)(sizeof cases / sizeof cases[0]);
    for (int c = 0; c < n_cases; c++) {
        double from = cases[c][0], to = cases[c][1], S = cases[c][2];
        int beats = tempo_beats_in(from, to, S);
        double prev = -1.0;
        double worst = 0.0;
        for (int k = 0; k < beats; k++) {
            double t = tempo_beat_time(from, to, S, k);
            double ref = textbook_root(from, to, S, k);
            worst = fmax(worst, fabs(t - ref));
            CHECK(fabs(t - ref) < 1e-6 * fmax(1.0, t), "%g->%g/%gs beat %d: %.12f vs %.12f", from,
                  to, S, k, t, ref);
            CHECK(t > prev, "%g->%g beat %d not after the one before", from, to, k);
            prev = t;
            if (k % 97 == 1) {
                double ph = integrated_phase(from, to, S, t);
                CHECK(fabs(ph - k) < 1e-6, "%g->%g/%gs beat %d: integrated phase %.9f", from, to,
                      S, k, ph);
            }
        }
        /* Every beat with t < S, and no more. */
        CHECK(tempo_beat_time(from, to, S, beats - 1) < S, "%g->%g/%gs: last beat inside", from,
              to, S);
        CHECK(tempo_beat_time(from, to, S, beats) >= S * (1.0 - 1e-12), "%g->%g/%gs: beat %d outside", from, to, S,
              beats);
        printf("ramp %g->%g bpm over %g s: %d beats, worst difference from the textbook root "
               "%.2e s\n",
               from, to, S, beats, worst);
    }
    /* A step given in beats ends where beat N would sound, and holds N beats. */
    for (int n = 1; n <= 200; n += 13) {
        double S = tempo_seconds_for_beats(80.0, 160.0, n);
        CHECK(fabs(tempo_beat_time(80.0, 160.0, S, n) - S) < 1e-9, "beats=%d: beat N at S", n);
        CHECK(tempo_beats_in(80.0, 160.0, S) == n, "beats=%d: %d beats inside", n,
              tempo_beats_in(80.0, 160.0, S));
        CHECK(fabs(tempo_at(80.0, 160.0, S, S) - 160.0) < 1e-9, "tempo reaches 'to' at S");
    }
    printf("steps given in beats: S = 120 N / (from + to) holds exactly N beats\n");
    /* Constant tempo: exactly k * 60 / bpm, for hours. */
    double t = tempo_beat_time(97.0, 97.0, 10800.0, 17459.0);
    CHECK(t == 17459.0 * 60.0 / 97.0, "constant tempo beat 17459: %.12f", t);
    CHECK(tempo_beats_in(60.0, 60.0, 60.0) == 60, "60 bpm for 60 s: 60 beats (the 61st is at S)");
    CHECK(tempo_beats_in(100.0, 160.0, 90.0) == 195,
          "90 s from 100 to 160: beat 195 falls on S and belongs to the next step");
    printf("constant tempo: beat k at exactly 60k/bpm\n");
    return CHECK_DONE("test_tempo");
}
