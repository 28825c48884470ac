package dev.warren.core.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * An exchange's message counters as RabbitMQ names them: {@code publish_in}, messages published to it, and
 * {@code publish_out}, the copies it routed to queues (one per queue). Publishers on every event loop count
 * here, so they are LongAdders: an add without contention in the common case. Any thread.
 */
public final class ExchangeCounters {
    private final LongAdder publishIn = new LongAdder();
    private final LongAdder publishOut = new LongAdder();

    /** A message was published to the exchange and routed to {@code queues} queues (0 when unroutable). */
    public void published(int queues) {
        publishIn.increment();
        if (queues > 0) {
            publishOut.add(queues);
        }
    }

    public long publishIn() {
        return publishIn.sum();
    }

    public long publishOut() {
        return publishOut.sum();
    }
}
