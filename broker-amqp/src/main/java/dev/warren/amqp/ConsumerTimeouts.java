package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The consumer acknowledgement timeout of one connection's channels (RabbitMQ's {@code consumer_timeout}, or
 * the queue argument {@code x-consumer-timeout}): a channel whose oldest delivery awaiting ack has waited
 * its timeout is closed with 406 PRECONDITION_FAILED, which requeues all its unacked deliveries. Deliveries
 * to basic.get count as well as consumers', as in RabbitMQ.
 *
 * <p>There is no timer per delivery. A delivery carries the time it was sent ({@link Unacked#sentAt()}), and,
 * as RabbitMQ does, only each channel's oldest delivery is looked at, with the timeout of its queue. One
 * timer per connection checks the channels that have deliveries outstanding. RabbitMQ checks on its channel
 * tick, once a minute; here the check runs when the earliest of those oldest deliveries falls due, so that
 * a short timeout is kept to within a few milliseconds, and at least once a second while deliveries are
 * outstanding, because once a channel's oldest delivery is acked the next may come from a queue with a
 * shorter timeout. A connection with nothing outstanding has no timer.
 *
 * <p>Connection thread only.
 */
final class ConsumerTimeouts {
    /** The longest wait between checks while deliveries are outstanding. */
    static final long MAX_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Returned by {@link ChannelContext#checkAckTimeout} for a channel with no delivery to watch. */
    static final long NOTHING_DUE = Long.MAX_VALUE;

    private final EventExecutor loop;
    /** Channels that had deliveries outstanding at the last look; each is here once (its own flag says so). */
    private final List<ChannelContext> watched = new ArrayList<>();
    private ScheduledFuture<?> check;
    /** When the scheduled check runs, in {@link System#nanoTime()}; meaningful while check is set. */
    private long checkAt;

    ConsumerTimeouts(EventExecutor loop) {
        this.loop = loop;
    }

    /** The channel has a new oldest delivery, sent at {@code sentAt}, which times out after {@code timeoutNanos}. */
    void watch(ChannelContext channel, long sentAt, long timeoutNanos) {
        if (!channel.watchedForAckTimeout()) {
            channel.watchedForAckTimeout(true);
            watched.add(channel);
        }
        scheduleWithin(sentAt, timeoutNanos);
    }

    /** The connection is closing: no more checks. */
    void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        watched.forEach(channel -> channel.watchedForAckTimeout(false));
        watched.clear();
    }

    /** Makes sure a check runs within {@code nanos} of {@code now} (and within a second). */
    private void scheduleWithin(long now, long nanos) {
        long at = now + Math.min(Math.max(nanos, 0), MAX_CHECK_INTERVAL_NANOS);
        if (check != null) {
            if (checkAt - at <= 0) {
                return; // the check already scheduled comes first
            }
            check.cancel(false);
        }
        checkAt = at;
        check = loop.schedule(this::run, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void run() {
        check = null;
        long now = System.nanoTime();
        long next = NOTHING_DUE;
        // a channel's check may close that channel, never another one, nor add to this list
        for (int i = 0; i < watched.size(); ) {
            ChannelContext channel = watched.get(i);
            long left = channel.checkAckTimeout(now);
            if (left == NOTHING_DUE) {
                channel.watchedForAckTimeout(false);
                watched.set(i, watched.get(watched.size() - 1));
                watched.remove(watched.size() - 1);
            } else {
                next = Math.min(next, left);
                i++;
            }
        }
        if (!watched.isEmpty()) {
            scheduleWithin(now, next);
        }
    }

    /**
     * The error that closes the channel: RabbitMQ's text, then (beyond RabbitMQ) which consumer and queue,
     * after it so that clients matching RabbitMQ's text still match. Class and method id are 0, as RabbitMQ's.
     */
    static AmqpException timedOut(int channel, Unacked oldest, long timeoutMillis) {
        String who = oldest.consumer() == null ? "basic.get from " + oldest.queue().describe()
                : "consumer tag '" + oldest.consumer().tag() + "' on " + oldest.queue().describe();
        return AmqpException.of(ReplyCode.PRECONDITION_FAILED, "delivery acknowledgement on channel %d timed out. "
                + "Timeout value used: %d ms. This timeout value can be configured, see consumers doc guide to "
                + "learn more (%s)", channel, timeoutMillis, who);
    }
}
