package dev.warren.amqp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One kind of back-pressure on a publishing connection: while too much of what it published is still on
 * its way (messages to queues on other event loops, bytes to the journal), the broker stops reading its
 * socket, so a fast publisher cannot pile up unbounded work in memory; it reads again once the backlog has
 * fallen to the low mark (TCP pushes back meanwhile).
 *
 * <p>{@link #add} runs on the connection's loop, {@link #remove} on any thread. Every fall to the low mark
 * posts a resume check, so a pause is never left without a wake-up.
 */
final class PublisherFlow {
    private final AtomicLong inFlight = new AtomicLong();
    private final ReadGate gate;
    private final ReadGate.Reason reason;
    private final Outbox outbox;
    private final long highWaterMark;
    private final long lowWaterMark;
    private boolean paused;

    PublisherFlow(ReadGate gate, ReadGate.Reason reason, Outbox outbox, long highWaterMark, long lowWaterMark) {
        this.gate = gate;
        this.reason = reason;
        this.outbox = outbox;
        this.highWaterMark = highWaterMark;
        this.lowWaterMark = lowWaterMark;
    }

    /** Something was sent on its way (connection thread). */
    void add(long amount) {
        if (inFlight.addAndGet(amount) >= highWaterMark && !paused) {
            paused = true;
            gate.pause(reason);
        }
    }

    /** It arrived (any thread). */
    void remove(long amount) {
        long after = inFlight.addAndGet(-amount);
        if (after <= lowWaterMark && after + amount > lowWaterMark) {
            outbox.post(this::resumeIfCaughtUp);
        }
    }

    private void resumeIfCaughtUp() {
        if (paused && inFlight.get() <= lowWaterMark) {
            paused = false;
            gate.resume(reason);
        }
    }
}
