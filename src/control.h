/* control: the one-way command queue between a control thread (keys, config
 * reloads, signals) and the audio thread, and the queue that hands retired
 * objects back.
 *
 * A single-producer, single-consumer ring of fixed size with C11 atomics:
 * push and pop never block, never allocate and never take a lock, so the
 * audio thread may pop (and push on the return ring) freely.  A full ring
 * refuses a push; the caller decides whether to try again later.
 */
#ifndef CALFPACE_CONTROL_H
#define CALFPACE_CONTROL_H

#include <stdatomic.h>
#include <stddef.h>

#define CONTROL_RING_SIZE 64 /* a power of two */

enum control_kind {
    CONTROL_PAUSE,  /* toggle pause (value 0), pause (above 0), resume (below 0) */
    CONTROL_NEXT,   /* skip to the next step */
    CONTROL_BACK,   /* back to the start of the current step */
    CONTROL_TEMPO,  /* multiply the tempo of the rest of the session by value */
    CONTROL_VOLUME, /* change the volume by value dB */
    CONTROL_STOP,   /* fade out and end */
    CONTROL_RELOAD, /* switch to the plan in ptr, keeping the position */
    CONTROL_ALERT,  /* say that an edit of the routine was refused */
    CONTROL_VOCAB   /* speak from the vocabulary in ptr (its plan's, completed) */
};

_Static_assert((CONTROL_RING_SIZE & (CONTROL_RING_SIZE - 1)) == 0,
               "CONTROL_RING_SIZE must be a power of two: indices wrap with a mask");
/* The audio callback reads and writes atomics of these widths (the ring's
 * size_t indices, the engine's status and the output's counters): each must
 * be lock-free, or the callback could wait on a lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic int must be lock-free");
_Static_assert(ATOMIC_LONG_LOCK_FREE == 2, "atomic long (size_t) must be lock-free");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic long long must be lock-free");
_Static_assert(sizeof(size_t) == sizeof(long), "the ring's indices are longs");

struct control_cmd {
    enum control_kind kind;
    double value;
    void *ptr;
};

struct control_ring {
    struct control_cmd slot[CONTROL_RING_SIZE];
    atomic_size_t head; /* written by the producer */
    atomic_size_t tail; /* written by the consumer */
};

void control_ring_init(struct control_ring *q);

/* Producer side: 0 when queued, -1 when the ring is full. */
int control_push(struct control_ring *q, const struct control_cmd *cmd);

/* Consumer side: 1 with the oldest command in *cmd, 0 when empty. */
int control_pop(struct control_ring *q, struct control_cmd *cmd);

#endif
