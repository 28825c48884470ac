package dev.warren.mgmt.rates;

import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.stats.ConnectionCounters;
import dev.warren.core.stats.Counter;
import dev.warren.core.stats.MessageStats;
import dev.warren.core.stats.OwnedCounters;
import java.util.List;

/**
 * What the sampler keeps of each kind of object, with RabbitMQ's field names, and how much memory that is.
 *
 * <p>Queues, exchanges, virtual hosts and the broker keep {@link #LONG_HISTORY} samples: ten minutes at the
 * default 5-second interval, for the overview's and a queue's charts. Channels and connections are many and
 * their pages show rates, so they keep {@link #SHORT_HISTORY}: a minute. Samples per object, at 8 bytes a
 * value plus a 16-byte array header:
 * <ul>
 *   <li>queue: 10 series x 121 = 9,696 bytes</li>
 *   <li>exchange: 2 series x 121 = 1,952 bytes</li>
 *   <li>virtual host: 2 series x 121 = 1,952 bytes</li>
 *   <li>channel: 11 series x 13 = 1,160 bytes</li>
 *   <li>connection: 11 series x 13 = 1,160 bytes</li>
 *   <li>the broker (once): 12 series x 121 = 11,632 bytes</li>
 * </ul>
 * Each ring adds about 60 bytes of object and map entry. {@code SampledSeriesTest} checks these figures. They are
 * the most an object holds: until one of its values changes, it keeps a single row ({@link SampleRing}), so an
 * idle queue costs about 150 bytes of samples.
 */
public final class SampledSeries {
    /** Ten minutes at 5 s, both ends included (RabbitMQ keeps 605 s at 5 s). */
    public static final int LONG_HISTORY = 121;
    /** One minute at 5 s, both ends included. */
    public static final int SHORT_HISTORY = 13;

    /** The counters a queue keeps (RabbitMQ's queue message_stats), in this order. */
    private static final List<Counter> QUEUE_COUNTERS = List.of(Counter.PUBLISH, Counter.DELIVER,
            Counter.DELIVER_NO_ACK, Counter.GET, Counter.GET_NO_ACK, Counter.GET_EMPTY, Counter.REDELIVER, Counter.ACK);

    public static final SeriesSet<MessageStats> BROKER = broker();
    public static final SeriesSet<VirtualHost> VHOST = SeriesSet.<VirtualHost>of("virtual host", LONG_HISTORY)
            .length("messages_ready", SampledSeries::ready)
            .length("messages_unacknowledged", SampledSeries::unacknowledged)
            .build();
    public static final SeriesSet<MessageQueue> QUEUE = queue();
    public static final SeriesSet<Exchange> EXCHANGE = SeriesSet.<Exchange>of("exchange", LONG_HISTORY)
            .counter("publish_in", e -> e.counters().publishIn())
            .counter("publish_out", e -> e.counters().publishOut())
            .build();
    public static final SeriesSet<OwnedCounters> CHANNEL = channel();
    public static final SeriesSet<ConnectionCounters> CONNECTION = connection();

    private SampledSeries() {
    }

    private static SeriesSet<MessageStats> broker() {
        SeriesSet.Builder<MessageStats> b = SeriesSet.of("broker", LONG_HISTORY);
        for (Counter c : Counter.values()) {
            b.counter(c.field(), s -> s.sum(c));
        }
        return b.counter("dead_lettered", s -> s.deadLettered.sum()).build();
    }

    private static SeriesSet<MessageQueue> queue() {
        SeriesSet.Builder<MessageQueue> b = SeriesSet.of("queue", LONG_HISTORY);
        for (Counter c : QUEUE_COUNTERS) {
            b.counter(c.field(), q -> q.counters().get(c));
        }
        return b.length("messages_ready", MessageQueue::messageCount)
                .length("messages_unacknowledged", MessageQueue::unacknowledgedCount)
                .build();
    }

    private static SeriesSet<OwnedCounters> channel() {
        SeriesSet.Builder<OwnedCounters> b = SeriesSet.of("channel", SHORT_HISTORY);
        for (Counter c : Counter.values()) {
            b.counter(c.field(), counters -> counters.get(c));
        }
        return b.build();
    }

    private static SeriesSet<ConnectionCounters> connection() {
        SeriesSet.Builder<ConnectionCounters> b = SeriesSet.of("connection", SHORT_HISTORY);
        for (Counter c : Counter.values()) {
            b.counter(c.field(), counters -> counters.total(c));
        }
        return b.build();
    }

    private static long ready(VirtualHost v) {
        long sum = 0;
        for (MessageQueue q : v.queues()) {
            sum += q.messageCount();
        }
        return sum;
    }

    private static long unacknowledged(VirtualHost v) {
        long sum = 0;
        for (MessageQueue q : v.queues()) {
            sum += q.unacknowledgedCount();
        }
        return sum;
    }
}
