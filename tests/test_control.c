/* The control ring between two threads, as the control thread and the audio
 * callback use it: a producer pushes a million numbered commands (trying
 * again when the ring is full), a consumer pops them (spinning when empty)
 * and checks that each arrives once, in order, whole.  Run under the
 * sanitizer suite, and under ThreadSanitizer by tools/tsan.sh. */
#include "check.h"
#include "control.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define COUNT 1000000

static struct control_ring ring;
static long bad_order, bad_payload, full_waits, empty_waits;

static void *produce(void *arg)
{
    (void)arg;
    for (long i = 0; i < COUNT; i++) {
        struct control_cmd c = {.kind = (enum control_kind)(i % 8),
                                .value = (double)i * 0.5,
                                .ptr = (void *)(uintptr_t)(i * 3)};
        while (control_push(&ring, &c) != 0) {
            full_waits++;
            sched_yield();
        }
    }
    return NULL;
}

static void *consume(void *arg)
{
    (void)arg;
    for (long i = 0; i < COUNT;) {
        struct control_cmd c;
        if (!control_pop(&ring, &c)) {
            empty_waits++;
            sched_yield();
            continue;
        }
        long n = (long)(c.value * 2.0);
        if (n != i)
            bad_order++;
        if ((long)c.kind != n % 8 || (uintptr_t)c.ptr != (uintptr_t)(n * 3))
            bad_payload++;
        i++;
    }
    return NULL;
}

int main(void)
{
    control_ring_init(&ring);
    struct control_cmd c = {.kind = CONTROL_STOP};
    int pushed = 0;
    while (control_push(&ring, &c) == 0)
        pushed++;
    CHECK(pushed == CONTROL_RING_SIZE, "a ring holds %d commands (got %d)", CONTROL_RING_SIZE,
          pushed);
    while (control_pop(&ring, &c))
        pushed--;
    CHECK(pushed == 0, "and gives every one back");

    pthread_t p, q;
    CHECK(pthread_create(&q, NULL, consume, NULL) == 0, "the consumer starts");
    CHECK(pthread_create(&p, NULL, produce, NULL) == 0, "the producer starts");
    pthread_join(p, NULL);
    pthread_join(q, NULL);
    CHECK(bad_order == 0, "%d commands across threads arrive in order (%ld out of order)", COUNT,
          bad_order);
    CHECK(bad_payload == 0, "each whole (%ld torn)", bad_payload);
    CHECK(!control_pop(&ring, &c), "and the ring is empty after");
    printf("the producer found the ring full %ld times, the consumer empty %ld times\n",
           full_waits, empty_waits);
    return CHECK_DONE("test_control");
}
