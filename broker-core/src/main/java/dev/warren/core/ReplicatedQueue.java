package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.quorum.CommandPipeline;
import dev.warren.core.quorum.ConsumerKey;
import dev.warren.core.quorum.QuorumApplied;
import dev.warren.core.quorum.QuorumCommand;
import dev.warren.core.quorum.QuorumEffect;
import dev.warren.core.quorum.QuorumLog;
import dev.warren.core.quorum.QuorumMessages;
import dev.warren.core.quorum.QuorumQueueState;
import dev.warren.core.quorum.QuorumReply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A quorum queue on this node: what a channel does with the queue becomes a command in the queue's replicated log
 * ({@link QuorumLog}), and what the log's replica on this node applies comes back here — deliveries to this node's
 * consumers, the counts. The state that decides deliveries is the replicated {@link QuorumQueueState}, the same on
 * every member, so the node a consumer is connected to sends its deliveries from its own replica: no messages
 * travel between nodes except through the log.
 *
 * <p>Consumers are known here from the moment they subscribe until the log says they are gone (their Cancel or
 * their channel's ChannelDown applied), so a delivery decided just before a cancel still finds its channel, which
 * gives it back. Threading: the methods are called by channels (any thread); {@link QuorumApplied} by the replica's
 * applier thread.
 */
public final class ReplicatedQueue implements QuorumApplied {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedQueue.class);
    /**
     * Channel numbers for consumer keys: unique on this node across restarts (they start from the clock), so a
     * command of a channel of an earlier run can never be taken for one of a channel now.
     */
    private static final AtomicLong CHANNELS = new AtomicLong(System.currentTimeMillis() << 16);

    private final MessageQueue queue;
    private final String node;
    private volatile QuorumLog log;
    /** Every command this node sends the queue, in order and batched. */
    private volatile CommandPipeline pipeline;
    private final ConcurrentHashMap<ConsumerKey, Subscription> consumers = new ConcurrentHashMap<>();
    private volatile long ready;
    private volatile long checkedOut;
    private volatile int consumerCount;
    /** Dead-lettering on the leader (applier thread), made for the settings it was made from. */
    private DeadLetters deadLetters;
    private QueueArguments deadLettersFor;
    /** The configuration this node last gave the log (at open, or after a policy change). */
    private volatile QuorumCommand.Configure configured;

    /** A consumer on this node and the credit it subscribed with. */
    private record Subscription(Consumer consumer, int credit, boolean exclusive, int priority) {
    }

    ReplicatedQueue(MessageQueue queue, String node) {
        this.queue = queue;
        this.node = node;
    }

    /**
     * The credit of a no-ack consumer: deliveries it may have on their way before the settles written after them come
     * back through the log.
     */
    public static final int NO_ACK_CREDIT = 1000;

    /** A new channel's number in the consumer keys of every quorum queue. */
    public static long newChannel() {
        return CHANNELS.incrementAndGet();
    }

    void opened(QuorumLog opened) {
        this.pipeline = new CommandPipeline(opened::submitAll);
        this.log = opened;
    }

    public QuorumLog log() {
        return log;
    }

    /** The queue is deleted here: nothing more comes from the replica (the group goes with the delete's node). */
    void closed() {
        QuorumLog opened = log;
        if (opened != null) {
            opened.close();
        }
        consumers.values().forEach(subscription -> subscription.consumer().cancelledByQueue(queue));
        consumers.clear();
    }

    /** This node's key for a consumer of channel {@code channel}; the empty tag holds the channel's basic.gets. */
    public ConsumerKey key(long channel, String tag) {
        return new ConsumerKey(node, channel, tag);
    }

    /** Whether this node has a replica of the queue, so its consumers can be served here. */
    public boolean hasReplicaHere() {
        return log.members().contains(node);
    }

    /**
     * The member that serves this node's consumers when it has no replica: the leader when one is known, else the
     * first member.
     */
    public String servingMember() {
        String leader = log.leader();
        return leader != null && log.members().contains(leader) ? leader : log.members().get(0);
    }

    /** Fails unless this node has a replica of the queue. */
    public void requireReplicaHere() {
        if (!log.members().contains(node)) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s has no replica on node '%s'; consume from it "
                    + "through one of its members %s", queue.describe(), node, log.members());
        }
    }

    /**
     * A quorum queue's settings from its arguments and policies: the delivery limit (RabbitMQ 4's default of 20
     * unless x-delivery-limit or a policy says otherwise); dead messages go to the dead-letter exchange when it has
     * one; length limits with drop-head or reject-publish (reject-publish-dlx is drop-head here, as RabbitMQ's quorum
     * queues take it, with a warning).
     */
    public QuorumCommand.Configure configuration() {
        configured = settingsNow();
        return configured;
    }

    private QuorumCommand.Configure settingsNow() {
        QueueArguments settings = queue.settings();
        long limit = settings.deliveryLimit();
        if (settings.overflow() == QueueArguments.Overflow.REJECT_PUBLISH_DLX) {
            LOG.warn("{}: overflow 'reject-publish-dlx' is not one of a quorum queue's; it drops the head instead",
                    queue.describe());
        }
        return new QuorumCommand.Configure(limit == QueueArguments.NONE
                ? QuorumQueueState.DEFAULT_DELIVERY_LIMIT : (int) Math.min(limit, Integer.MAX_VALUE),
                settings.deadLetters(), settings.maxLength(), settings.maxLengthBytes(),
                settings.overflow() == QueueArguments.Overflow.REJECT_PUBLISH, settings.singleActiveConsumer());
    }

    /** A policy changed the queue's settings: the log gets the new configuration when it differs. */
    void reconfigure() {
        QuorumCommand.Configure next = settingsNow();
        if (!next.equals(configured)) {
            configured = next;
            submitQuietly(next);
        }
    }

    /**
     * Appends a published message; completes once a majority of the members has it on disk: true, or false when the
     * queue refused it (full, with overflow reject-publish).
     */
    public CompletableFuture<Boolean> publish(Message message) {
        return pipeline.submit(new QuorumCommand.Enqueue(QuorumMessages.encode(message), expiresAt(message),
                message.priority() > NORMAL_PRIORITY_MAX))
                .thenApply(reply -> !(reply.answer() instanceof QuorumEffect.Rejected));
    }

    /**
     * When the message expires: its arrival plus the lower of the queue's message TTL (x-message-ttl, or a policy's)
     * and its own expiration property; {@link QuorumQueueState#NEVER} without either.
     */
    private long expiresAt(Message message) {
        long queueTtl = queue.settings().messageTtl();
        long own = message.expiration();
        long ttl = queueTtl == QueueArguments.NONE ? own
                : own == Message.NO_EXPIRATION ? queueTtl : Math.min(queueTtl, own);
        return ttl < 0 ? QuorumQueueState.NEVER : message.arrivedAt() + ttl;
    }

    /** Appends a message the broker routed itself; a failure to commit it is logged (no confirm waits for it). */
    void publishQuietly(Message message) {
        publish(message).whenComplete((taken, failure) -> {
            if (failure != null) {
                LOG.warn("{}: a message routed to it (dead-lettered, delayed or traced) was not committed and is lost: {}",
                        queue.describe(), failure.toString());
            } else if (!taken) {
                LOG.debug("{}: a message routed to it was refused: the queue is full (reject-publish)", queue.describe());
            }
        });
    }

    /**
     * Subscribes a consumer with a window of {@code credit} unsettled deliveries (exclusive, and its x-priority, as the
     * log applies them); completes once it is in the log, or fails with 403 when the queue is in exclusive use.
     */
    public CompletableFuture<Void> consume(ConsumerKey key, Consumer consumer, int credit, boolean exclusive, int priority) {
        requireReplicaHere();
        Subscription subscription = new Subscription(consumer, credit, exclusive, priority);
        consumers.put(key, subscription);
        return pipeline.submit(new QuorumCommand.Checkout(key, credit, exclusive, priority))
                .<Void>thenApply(reply -> {
                    if (reply.answer() instanceof QuorumEffect.Rejected) {
                        throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s in exclusive use", queue.describe());
                    }
                    return null;
                })
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        consumers.remove(key, subscription);
                    }
                });
    }

    /** basic.cancel: no more deliveries to this consumer; what it holds stays with its channel. */
    public CompletableFuture<QuorumReply> cancel(ConsumerKey key) {
        return pipeline.submit(new QuorumCommand.Cancel(key));
    }

    /** basic.get; the reply's answer is the {@link QuorumEffect.GetResult}. */
    public CompletableFuture<QuorumEffect.GetResult> get(ConsumerKey holder, boolean noAck) {
        return pipeline.submit(new QuorumCommand.Get(holder, noAck))
                .thenApply(reply -> (QuorumEffect.GetResult) reply.answer());
    }

    public void settle(ConsumerKey key, long[] ids) {
        submitQuietly(new QuorumCommand.Settle(key, ids));
    }

    /** Nack or reject with requeue, or a delivery the channel could not send. */
    public void requeue(ConsumerKey key, long[] ids) {
        submitQuietly(new QuorumCommand.Return(key, ids));
    }

    /** Reject without requeue. */
    public void discard(ConsumerKey key, long[] ids) {
        submitQuietly(new QuorumCommand.Discard(key, ids));
    }

    /** A channel of this node closed: its consumers go and what it held returns to the queue. */
    public void channelClosed(long channel) {
        submitQuietly(new QuorumCommand.ChannelDown(node, channel));
    }

    /** queue.purge; completes with how many ready messages went. */
    public CompletableFuture<Long> purge() {
        return pipeline.submit(new QuorumCommand.Purge()).thenApply(reply ->
                reply.answer() instanceof QuorumEffect.Purged p ? p.count() : 0L);
    }

    /** Whether this node leads the queue's group now (false before the log is open). */
    private boolean isLeaderHere() {
        QuorumLog opened = log;
        return opened != null && node.equals(opened.leader());
    }

    private void submitQuietly(QuorumCommand command) {
        CommandPipeline commands = pipeline;
        if (commands == null) {
            return; // not open yet: nothing of this node's to send
        }
        commands.submit(command).whenComplete((reply, failure) -> {
            if (failure != null) {
                // the messages stay held until the channel's ChannelDown (or the node's NodeDown) returns them
                LOG.warn("{}: {} was not committed: {}", queue.describe(), command.getClass().getSimpleName(),
                        failure.toString());
            }
        });
    }

    public long messageCount() {
        return ready;
    }

    public long unacknowledgedCount() {
        return checkedOut;
    }

    public int consumerCount() {
        return consumerCount;
    }

    // ---- what this node's replica applied (its applier thread) ----

    @Override
    public void applied(long index, QuorumCommand command, List<QuorumEffect> effects) {
        long[] deadLettered = null;
        int dead = 0;
        for (QuorumEffect effect : effects) {
            if (effect instanceof QuorumEffect.Deliver d && d.consumer().node().equals(node)) {
                deliver(d);
            } else if (effect instanceof QuorumEffect.DeadLetter d && isLeaderHere()) {
                deadLetter(d);
                deadLettered = deadLettered == null ? new long[effects.size()] : deadLettered;
                deadLettered[dead++] = d.id();
            }
        }
        if (dead > 0) {
            submitQuietly(new QuorumCommand.DeadLettered(java.util.Arrays.copyOf(deadLettered, dead)));
        }
        if (command instanceof QuorumCommand.Cancel c && c.consumer().node().equals(node)) {
            consumers.remove(c.consumer());
        } else if (command instanceof QuorumCommand.ChannelDown d && d.node().equals(node)) {
            consumers.keySet().removeIf(k -> k.channel() == d.channel());
        } else if (command instanceof QuorumCommand.NodeDown d && d.node().equals(node) && !consumers.isEmpty()) {
            // another node took this one for down while it runs: its consumers subscribe again (what they held went
            // back to the queue and may go to others; their acks of it are ignored: at least once)
            LOG.warn("{}: this node was reported down while running; its {} consumers subscribe again",
                    queue.describe(), consumers.size());
            consumers.forEach((key, subscription) -> submitQuietly(new QuorumCommand.Checkout(key, subscription.credit(),
                    subscription.exclusive(), subscription.priority())));
        }
    }

    private void deliver(QuorumEffect.Deliver d) {
        Subscription subscription = consumers.get(d.consumer());
        if (subscription == null) {
            return; // a consumer of an earlier run of this node: its NodeDown returns what it was given
        }
        subscription.consumer().deliver(queue, entry(d.message(), d.id(), d.redelivered(), d.deliveryCount()));
    }

    /**
     * The leader publishes a dead message to the queue's dead-letter exchange (x-death as for a classic queue); the
     * state keeps it until the DeadLettered entry that follows is committed, so it is dead-lettered at least once.
     * Applier thread only (the one {@link DeadLetters} of this queue is not shared).
     */
    private void deadLetter(QuorumEffect.DeadLetter d) {
        QueueArguments settings = queue.settings();
        if (!settings.deadLetters()) {
            return;
        }
        if (deadLetters == null || !settings.equals(deadLettersFor)) {
            deadLetters = new DeadLetters(queue, queue.vhost().storage().messages(), settings);
            deadLettersFor = settings;
        }
        Message message = QuorumMessages.decode(d.message());
        try {
            deadLetters.publish(message, switch (d.reason()) {
                case DELIVERY_LIMIT -> DeadLetters.Reason.DELIVERY_LIMIT;
                case MAXLEN -> DeadLetters.Reason.MAXLEN;
                case EXPIRED -> DeadLetters.Reason.EXPIRED;
                case REJECTED -> DeadLetters.Reason.REJECTED;
            }, false);
        } finally {
            message.release();
        }
    }

    /** The message basic.get took, as a channel holds a delivery (null when there was none). */
    public static QueueEntry entryOf(QuorumEffect.GetResult result) {
        return result.message() == null ? null
                : entry(result.message(), result.id(), result.redelivered(), result.deliveryCount());
    }

    /** A delivery: the message, with x-delivery-count once it came back before (as RabbitMQ's quorum queues). */
    private static QueueEntry entry(byte[] bytes, long id, boolean redelivered, int deliveryCount) {
        Message message = QuorumMessages.decode(bytes);
        if (deliveryCount > 0) {
            message = DeliveryCount.stamp(message, deliveryCount);
        }
        return new QueueEntry(message, id, redelivered, QueueEntry.NEVER, deliveryCount);
    }

    @Override
    public void restored(QuorumQueueState state) {
        // the counts follow (counted); deliveries already decided before went out from this node's earlier run, and
        // NodeDown returns them
    }

    /** Priorities up to this are normal, above it high: RabbitMQ 4's quorum queues have these two. */
    private static final int NORMAL_PRIORITY_MAX = 4;

    /** The time of the Tick this node has scheduled (on the leader), or NEVER. */
    private volatile long tickAt = QuorumQueueState.NEVER;

    @Override
    public void expiresNext(long at) {
        if (at == QuorumQueueState.NEVER || at >= tickAt || !isLeaderHere()) {
            return;
        }
        tickAt = at;
        long delay = Math.max(0, at - System.currentTimeMillis());
        queue.executor().schedule(() -> {
            tickAt = QuorumQueueState.NEVER;
            submitQuietly(new QuorumCommand.Tick(System.currentTimeMillis()));
        }, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void counted(long readyNow, long checkedOutNow, int consumersNow) {
        ready = readyNow;
        checkedOut = checkedOutNow;
        consumerCount = consumersNow;
    }
}
