package dev.warren.amqp;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure on a publishing connection: while too many of its messages are on their way to queues
 * on other event loops, the broker stops reading its socket, so a fast publisher cannot pile up
 * unbounded work in memory; it reads again once the queues have caught up (TCP pushes back meanwhile).
 *
 * <p>{@link #sent()} runs on the connection's loop, {@link #enqueued()} on queue threads. Every fall to
 * the low mark posts a resume check, so a pause is never left without a wake-up.
 */
final class PublisherFlow {
    static final int HIGH_WATER_MARK = 20_000;
    static final int LOW_WATER_MARK = 10_000;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReadGate gate;
    private final Outbox outbox;
    private boolean paused;

    PublisherFlow(ReadGate gate, Outbox outbox) {
        this.gate = gate;
        this.outbox = outbox;
    }

    /** A message was handed to a queue on another loop. */
    void sent() {
        if (inFlight.incrementAndGet() >= HIGH_WATER_MARK && !paused) {
            paused = true;
            gate.pause(ReadGate.Reason.PUBLISHER_FLOW);
        }
    }

    /** The queue took it (queue thread). */
    void enqueued() {
        if (inFlight.decrementAndGet() == LOW_WATER_MARK) {
            outbox.post(this::resumeIfCaughtUp);
        }
    }

    private void resumeIfCaughtUp() {
        if (paused && inFlight.get() <= LOW_WATER_MARK) {
            paused = false;
            gate.resume(ReadGate.Reason.PUBLISHER_FLOW);
        }
    }
}
