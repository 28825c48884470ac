package dev.warren.amqp;

import dev.warren.amqp.UnackedDeliveries.Unacked;
import dev.warren.amqp.protocol.Method;
import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import dev.warren.core.cluster.HomeConsumers;
import dev.warren.core.QueueArguments;
import dev.warren.core.QueueProcess;
import dev.warren.core.ReplicatedQueue;
import dev.warren.core.message.Message;
import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.stats.Counter;
import dev.warren.core.stats.OwnedCounters;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a channel's method groups (consumers, acks, publishing, definitions) share: the channel's id and
 * connection, its consumers, unacked deliveries (and their consumer timeout, see {@link ConsumerTimeouts}),
 * prefetch credit and transaction, and the way to ask a queue something and carry on with the answer
 * ({@link #callQueue}), suspending the channel meanwhile. Channel thread only.
 */
final class ChannelContext {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelContext.class);

    /** An operation on a queue's thread that answers once, now or later (on that thread). */
    @FunctionalInterface
    interface QueueCall<R> {
        void call(QueueProcess queue, Consumer<R> answer);
    }

    /** How the channel carries on once a suspending call is answered, or closes itself meanwhile. */
    interface Resumption {
        /**
         * Runs {@code reply} (or fails with {@code error}) as the answer to {@code cause}, then the parked frames.
         * When the channel closed while it waited, {@code abandoned} (if not null) takes the result instead.
         */
        <R> void resume(Method cause, R result, RuntimeException error, Consumer<R> reply, Consumer<R> abandoned);

        /** The method being carried out now. */
        Method current();

        boolean isOpen();

        /** Closes the channel for an error no method of the client caused (class and method id 0). */
        void close(AmqpException error);
    }

    private final int id;
    private final ConnectionContext connection;
    private final Resumption resumption;
    private final ChannelSuspension suspension = new ChannelSuspension();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final PrefetchLimiter prefetch = new PrefetchLimiter();
    private final Map<String, ChannelConsumer> consumers = new LinkedHashMap<>();
    /** Holders of basic.gets (with acks) on other nodes' queues, by queue; null until the first. */
    private Map<MessageQueue, Long> homeGetters;
    /**
     * Everything this channel holds deliveries under on other nodes (its consumers there, cancelled ones too, and
     * its holders of gets), by id: what goes back when the channel closes. Null until the first.
     */
    private Map<Long, HeldAtHome> heldAtHome;

    /** Deliveries of {@code queue} held for this channel on {@code node}. */
    record HeldAtHome(MessageQueue queue, String node) {
    }
    /** This channel's direct reply-to consumer, or null. */
    private DirectReplyTo.ReplyConsumer replyConsumer;
    private Transaction transaction;
    /** Whether the connection's {@link ConsumerTimeouts} has this channel on its list. */
    private boolean watchedForAckTimeout;
    /** This channel's message counters (management's channel message_stats); part of the connection's totals. */
    private final OwnedCounters counters;
    /** This channel's number in quorum queues' consumer keys, given when it first uses one (0 until then). */
    private long quorumChannel;
    /** The quorum queues this channel consumed or got from: each hears when the channel closes. */
    private Set<ReplicatedQueue> quorumQueues;

    ChannelContext(int id, ConnectionContext connection, Resumption resumption) {
        this.id = id;
        this.connection = connection;
        this.resumption = resumption;
        this.counters = connection.counters().opened();
    }

    /** Counts {@code n} events of a kind for this channel and for the broker. */
    void count(Counter counter, long n) {
        counters.add(counter, n);
        connection.stats().add(counter, n);
    }

    void count(Counter counter) {
        count(counter, 1);
    }

    OwnedCounters counters() {
        return counters;
    }

    int id() {
        return id;
    }

    ConnectionContext connection() {
        return connection;
    }

    ChannelSuspension suspension() {
        return suspension;
    }

    UnackedDeliveries unacked() {
        return unacked;
    }

    /** A delivery now awaits its ack; the first one outstanding starts the consumer timeout's watch. */
    void awaitAck(Unacked delivery) {
        boolean first = unacked.isEmpty();
        unacked.add(delivery);
        if (first) {
            connection.consumerTimeouts().watch(this, delivery.sentAt(), ackTimeoutNanos(delivery.queue()));
        }
    }

    /** Deliveries whose acks a transaction took come back (rolled back), still timed from when they were sent. */
    void restoreUnacked(List<Unacked> deliveries) {
        unacked.restore(deliveries);
        Unacked oldest = unacked.oldest();
        if (oldest != null) {
            connection.consumerTimeouts().watch(this, oldest.sentAt(), ackTimeoutNanos(oldest.queue()));
        }
    }

    /**
     * The consumer timeout's check of this channel at {@code now}: closes the channel if its oldest delivery
     * has waited its timeout and returns {@link ConsumerTimeouts#NOTHING_DUE}, as for a channel with nothing
     * outstanding; else the nanoseconds left.
     */
    long checkAckTimeout(long now) {
        Unacked oldest = isOpen() ? unacked.oldest() : null;
        if (oldest == null) {
            return ConsumerTimeouts.NOTHING_DUE;
        }
        long timeout = ackTimeoutNanos(oldest.queue());
        long waited = now - oldest.sentAt();
        if (waited < timeout) {
            return timeout - waited;
        }
        long timeoutMillis = ackTimeoutMillis(oldest.queue());
        LOG.warn("Consumer timeout on channel {}: delivery tag {} ({}) was not acknowledged within {} ms", id,
                oldest.tag(), oldest.consumer() == null ? "basic.get" : "consumer '" + oldest.consumer().tag() + "'",
                timeoutMillis);
        connection.stats().consumerTimeouts.increment();
        resumption.close(ConsumerTimeouts.timedOut(id, oldest, timeoutMillis));
        return ConsumerTimeouts.NOTHING_DUE;
    }

    /** A queue's x-consumer-timeout, else the server's consumer_timeout. */
    private long ackTimeoutMillis(MessageQueue queue) {
        QueueArguments settings = queue.settings();
        return settings.hasConsumerTimeout() ? settings.consumerTimeout() : connection.settings().consumerTimeoutMillis();
    }

    private long ackTimeoutNanos(MessageQueue queue) {
        return TimeUnit.MILLISECONDS.toNanos(ackTimeoutMillis(queue)); // saturates at Long.MAX_VALUE
    }

    boolean watchedForAckTimeout() {
        return watchedForAckTimeout;
    }

    void watchedForAckTimeout(boolean watched) {
        watchedForAckTimeout = watched;
    }

    PrefetchLimiter prefetch() {
        return prefetch;
    }

    DirectReplyTo.ReplyConsumer replyConsumer() {
        return replyConsumer;
    }

    void replyConsumer(DirectReplyTo.ReplyConsumer consumer) {
        replyConsumer = consumer;
    }

    Map<String, ChannelConsumer> consumers() {
        return consumers;
    }

    Collection<ChannelConsumer> consumerList() {
        return consumers.values();
    }

    /** The open transaction in tx mode, else null. */
    Transaction transaction() {
        return transaction;
    }

    void transaction(Transaction tx) {
        this.transaction = tx;
    }

    boolean isOpen() {
        return resumption.isOpen();
    }

    /** Read on queue threads: false while the socket is backed up. */
    boolean canDeliver() {
        return connection.isWritable();
    }

    void send(Method method) {
        if (isOpen()) {
            connection.send(id, method);
        }
    }

    void writeContent(Method method, Message message) {
        connection.writeContent(id, method, message);
    }

    void writeDeliver(String consumerTag, long deliveryTag, boolean redelivered, Message message) {
        connection.writeDeliver(id, consumerTag, deliveryTag, redelivered, message);
    }

    /**
     * Runs {@code operation} on the queue's thread and {@code reply} with its answer back here. Until then
     * the channel carries out nothing else. A failure there (an {@link AmqpException}, or a bug) fails the
     * command here, as if it had happened on this thread.
     */
    <R> void callQueue(MessageQueue queue, QueueCall<R> operation, Consumer<R> reply) {
        callQueue(queue, operation, reply, null);
    }

    /**
     * {@link #callQueue} for an answer that hands something over (a message taken from the queue): when the
     * channel closed before the answer came back, {@code abandoned} gets it instead of {@code reply}, to give
     * it back. Without it the answer would be dropped, and the message with it.
     */
    <R> void callQueue(MessageQueue queue, QueueCall<R> operation, Consumer<R> reply, Consumer<R> abandoned) {
        suspension.suspend();
        Method cause = resumption.current();
        Outbox outbox = connection.outbox();
        boolean[] answered = {false};
        connection.batcher().submit(queue, new QueueTask() {
            @Override
            public void run(QueueProcess process) {
                operation.call(process, result -> {
                    answered[0] = true;
                    outbox.post(() -> resumption.resume(cause, result, null, reply, abandoned));
                });
            }

            @Override
            public void failed(RuntimeException error) {
                if (!answered[0]) {
                    outbox.post(() -> resumption.resume(cause, null, error, reply, abandoned));
                }
            }
        });
        connection.batcher().flush();
    }

    /** {@link #callQueue} for an operation that answers at once. */
    <R> void callQueueNow(MessageQueue queue, java.util.function.Function<QueueProcess, R> operation, Consumer<R> reply) {
        callQueue(queue, (process, answer) -> answer.accept(operation.apply(process)), reply);
    }

    /**
     * Suspends the channel until every given queue thread has run the work handed to it so far, then runs
     * {@code then}: after tx.commit-ok the committed messages are in their queues.
     */
    void afterQueuesCaughtUp(Set<EventExecutor> executors, Runnable then) {
        executors.removeIf(EventExecutor::inEventLoop);
        if (executors.isEmpty()) {
            then.run();
            return;
        }
        suspension.suspend();
        Method cause = resumption.current();
        Outbox outbox = connection.outbox();
        int[] remaining = {executors.size()};
        connection.batcher().flush();
        for (EventExecutor executor : executors) {
            // after the batches just flushed: an executor runs its tasks in order
            executor.execute(() -> outbox.post(() -> {
                if (--remaining[0] == 0) {
                    resumption.resume(cause, null, null, ignored -> then.run(), null);
                }
            }));
        }
    }

    /**
     * Suspends the channel until {@code done} completes (on any thread), then runs {@code then} here; an
     * exceptional completion fails the command instead (an {@link AmqpException} as itself).
     */
    void suspendUntil(CompletionStage<?> done, Runnable then) {
        suspension.suspend();
        Method cause = resumption.current();
        Outbox outbox = connection.outbox();
        done.whenComplete((ignored, error) -> outbox.post(() -> resumption.resume(cause, null,
                error == null ? null : asFailure(error), nothing -> then.run(), null)));
    }

    /** Turns a failure on another thread into this channel's failure. */
    private static RuntimeException asFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }

    /** Asks the queues of the given consumers to dispatch again (credit came back, flow resumed). */
    void wake(Collection<ChannelConsumer> woken) {
        if (woken.isEmpty()) {
            return;
        }
        Set<MessageQueue> queues = new java.util.LinkedHashSet<>();
        woken.forEach(consumer -> {
            if (consumer.queue().replicated() == null && consumer.homeNode() == null) { // credit kept elsewhere
                queues.add(consumer.queue());
            }
        });
        queues.forEach(queue -> connection.batcher().submit(queue, QueueProcess::resumeDispatch));
    }

    void wakeAllConsumers() {
        wake(consumers.values());
    }

    // ---- other nodes' classic queues ----

    /** The id this channel's basic.gets of another node's queue are held under there, made on first use. */
    long homeGetter(MessageQueue queue) {
        if (homeGetters == null) {
            homeGetters = new java.util.LinkedHashMap<>();
        }
        return homeGetters.computeIfAbsent(queue, q -> {
            long id = HomeConsumers.newId();
            holdsAtHome(id, q, q.home());
            return id;
        });
    }

    /** This channel holds deliveries of {@code queue} under {@code id} on {@code node} (a consumer, a getter). */
    void holdsAtHome(long id, MessageQueue queue, String node) {
        if (heldAtHome == null) {
            heldAtHome = new java.util.LinkedHashMap<>();
        }
        heldAtHome.put(id, new HeldAtHome(queue, node));
    }

    /** What {@link #holdsAtHome} recorded; empty when the channel used no other node's queue. */
    Map<Long, HeldAtHome> heldAtHome() {
        return heldAtHome == null ? Map.of() : heldAtHome;
    }

    // ---- quorum queues ----

    /** The key a quorum queue knows this channel's consumer {@code tag} by ("" for its basic.gets). */
    ConsumerKey quorumKey(ReplicatedQueue queue, String tag) {
        if (quorumChannel == 0) {
            quorumChannel = ReplicatedQueue.newChannel();
            quorumQueues = new java.util.LinkedHashSet<>();
        }
        quorumQueues.add(queue);
        return queue.key(quorumChannel, tag);
    }

    /**
     * The channel closed: each quorum queue it used drops its consumers and takes back what it held, in one log
     * entry per queue (its unacked deliveries are not requeued one by one).
     */
    void releaseQuorumQueues() {
        if (quorumQueues != null) {
            quorumQueues.forEach(queue -> queue.channelClosed(quorumChannel));
            quorumQueues.clear();
        }
    }
}
