/* A few lines of test scaffolding: CHECK records a failure and goes on, so
 * one run reports every broken expectation; each test prints what it checked. */
#ifndef CALFPACE_TEST_CHECK_H
#define CALFPACE_TEST_CHECK_H

#include <stdio.h>

static int check_failures;
static int check_count;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_DONE(name)                                                                           \
    (printf("%s: %d checks, %d failed\n", (name), check_count, check_failures),                   \
     check_failures ? 1 : 0)

#endif
