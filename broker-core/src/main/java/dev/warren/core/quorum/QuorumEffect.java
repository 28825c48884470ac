package dev.warren.core.quorum;

/**
 * What applying a command asks the world to do. Every replica sees the same effects; which replica acts on one
 * is the caller's choice: a delivery is sent by the node its consumer lives on, a dead-lettering and a reply by
 * the leader (or the node that submitted the command).
 */
public sealed interface QuorumEffect {
    /**
     * A message goes to a consumer. {@code redelivered} when it went out before (to any consumer), and
     * {@code deliveryCount} the times it came back (RabbitMQ's x-delivery-count).
     */
    record Deliver(ConsumerKey consumer, long id, byte[] message, boolean redelivered, int deliveryCount)
            implements QuorumEffect {
    }

    /** basic.get's answer: a message ({@code message} null when the queue had none ready) and what is left ready. */
    record GetResult(ConsumerKey holder, long id, byte[] message, boolean redelivered, int deliveryCount,
                     long remaining) implements QuorumEffect {
    }

    /** A dead message to publish to the queue's dead-letter exchange, then confirm with a DeadLettered command. */
    record DeadLetter(long id, byte[] message, DeadReason reason, int deliveryCount) implements QuorumEffect {
    }

    /**
     * A command refused: an enqueue to a full queue whose overflow is reject-publish (the publisher gets a nack), or
     * a consumer the queue's exclusive use does not allow (403 to the client).
     */
    record Rejected() implements QuorumEffect {
    }

    /** How many ready messages a purge removed. */
    record Purged(long count) implements QuorumEffect {
    }

    /** Why a message died, as RabbitMQ's x-death reasons name it. */
    enum DeadReason {
        REJECTED("rejected"),
        DELIVERY_LIMIT("delivery_limit"),
        MAXLEN("maxlen"),
        EXPIRED("expired");

        private final String value;

        DeadReason(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }
}
