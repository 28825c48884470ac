package dev.warren.core.quorum;

/**
 * What a replicated queue's log holds: every change to the queue, in the order the Raft leader committed it.
 * Each replica applies the same commands in the same order to its {@link QuorumQueueState} and reaches the same
 * state; no command depends on a replica's clock or on what it has in memory besides that state. Deliveries are
 * decided by the state itself when a command lets a message go out, so the log never names them.
 */
public sealed interface QuorumCommand {
    /**
     * The queue's settings from its arguments and policies: the first entry of every group, and again when a policy
     * changes them. Returns past {@code deliveryLimit} ({@link QuorumQueueState#UNLIMITED} for none) die; with
     * {@code deadLettering} dead messages go to the dead-letter exchange, else they are dropped. At most
     * {@code maxLength} ready messages and {@code maxLengthBytes} of their bodies ({@link QuorumQueueState#UNLIMITED}
     * for no limit): past them the oldest ready ones die ({@code maxlen}), or with {@code rejectPublish} a new one is
     * refused. With {@code singleActiveConsumer} only the longest-standing consumer gets deliveries.
     */
    record Configure(int deliveryLimit, boolean deadLettering, long maxLength, long maxLengthBytes, boolean rejectPublish,
                     boolean singleActiveConsumer) implements QuorumCommand {
        /** Without length limits, every consumer active. */
        public Configure(int deliveryLimit, boolean deadLettering) {
            this(deliveryLimit, deadLettering, QuorumQueueState.UNLIMITED, QuorumQueueState.UNLIMITED, false, false);
        }
    }

    /**
     * A published message (encoded by the store; opaque here). Its id is the log index it was committed at. It
     * expires at {@code expiresAt} (epoch milliseconds: its arrival plus the lower of the queue's message TTL and its
     * own expiration, worked out by the node it was published to), or {@link QuorumQueueState#NEVER}. A
     * {@code high} priority one (priority 5 or more, as RabbitMQ 4's quorum queues take it) goes out ahead of the
     * others, two for every one of them.
     */
    record Enqueue(byte[] message, long expiresAt, boolean high) implements QuorumCommand {
        /** A message of normal priority that does not expire. */
        public Enqueue(byte[] message) {
            this(message, QuorumQueueState.NEVER, false);
        }

        /** A message of normal priority. */
        public Enqueue(byte[] message, long expiresAt) {
            this(message, expiresAt, false);
        }
    }

    /**
     * The leader's clock, when a ready message is due to expire: ready messages at the head whose time has come die
     * ({@code expired}). The state reads no clock of its own, so every replica expires the same messages.
     */
    record Tick(long now) implements QuorumCommand {
    }

    /**
     * A consumer starts (basic.consume) with a prefetch window of {@code credit} unsettled deliveries; an
     * {@code exclusive} one only when no other consumes, and none while an exclusive one does ({@link
     * QuorumEffect.Rejected}); consumers of a higher {@code priority} (x-priority) are served first.
     */
    record Checkout(ConsumerKey consumer, int credit, boolean exclusive, int priority) implements QuorumCommand {
        /** Not exclusive, priority 0. */
        public Checkout(ConsumerKey consumer, int credit) {
            this(consumer, credit, false, 0);
        }
    }

    /** basic.cancel: no more deliveries; what it holds stays with its channel until settled or returned. */
    record Cancel(ConsumerKey consumer) implements QuorumCommand {
    }

    /** Acks: the queue is done with these messages. */
    record Settle(ConsumerKey consumer, long[] ids) implements QuorumCommand {
    }

    /** Nacks or rejects with requeue: back to the queue ahead of new messages, their delivery count one more. */
    record Return(ConsumerKey consumer, long[] ids) implements QuorumCommand {
    }

    /** Rejects without requeue: dead-lettered when the queue has a dead-letter exchange, else dropped. */
    record Discard(ConsumerKey consumer, long[] ids) implements QuorumCommand {
    }

    /** basic.get: the next ready message, held for an ack under {@link ConsumerKey#forGets} unless {@code noAck}. */
    record Get(ConsumerKey holder, boolean noAck) implements QuorumCommand {
    }

    /** A channel closed: its consumers go and everything it held returns to the queue. */
    record ChannelDown(String node, long channel) implements QuorumCommand {
    }

    /** A node left or failed: every channel on it is down. */
    record NodeDown(String node) implements QuorumCommand {
    }

    /** queue.purge: drops the ready messages (not those out with consumers). */
    record Purge() implements QuorumCommand {
    }

    /** The leader published these dead messages to the dead-letter exchange and its queues took them. */
    record DeadLettered(long[] ids) implements QuorumCommand {
    }

    /**
     * Commands one node sent together in one log entry (any but a batch), applied in order, each at its own
     * position ({@link QuorumQueueState#position}): a busy queue costs one Raft round per batch, not per message.
     */
    record Batch(java.util.List<QuorumCommand> commands) implements QuorumCommand {
        public Batch {
            commands = java.util.List.copyOf(commands);
            if (commands.isEmpty() || commands.size() > QuorumQueueState.MAX_BATCH
                    || commands.stream().anyMatch(c -> c instanceof Batch)) {
                throw new IllegalArgumentException("a batch holds 1 to " + QuorumQueueState.MAX_BATCH
                        + " commands, none a batch");
            }
        }
    }
}
