#include "control.h"

void control_ring_init(struct control_ring *q)
{
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
}

int control_push(struct control_ring *q, const struct control_cmd *cmd)
{
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (head - tail >= CONTROL_RING_SIZE)
        return -1;
    q->slot[head & (CONTROL_RING_SIZE - 1)] = *cmd;
    /* Release: the slot's contents are visible before the new head. */
    atomic_store_explicit(&q->head, head + 1, memory_order_release);
    return 0;
}

int control_pop(struct control_ring *q, struct control_cmd *cmd)
{
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    if (tail == head)
        return 0;
    *cmd = q->slot[tail & (CONTROL_RING_SIZE - 1)];
    atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
    return 1;
}
