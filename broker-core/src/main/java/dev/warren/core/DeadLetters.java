package dev.warren.core;

import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.DeathHistory;
import dev.warren.core.message.Message;
import dev.warren.core.message.SenderSelected;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Republishes a queue's dead messages to its dead-letter exchange, as RabbitMQ does: same body and
 * properties, the {@code x-death} history updated ({@link DeathHistory}), the expiration property moved
 * into it, routed with the dead-letter routing key or else the keys the message was published with (CC
 * included). A queue the message would cycle back to without a rejection on the way is left out; a missing
 * exchange drops the message (logged once per queue, until it exists again).
 *
 * <p>The copy is a new publish: stored when persistent and routed to durable queues. When the original is
 * stored for this queue too, the store writes the copy and the original's ack as one change
 * ({@link MessageStore#appendReplacing}): after a crash the message is in exactly one of the two queues.
 * Target queues take the copy on their own threads. One per queue; its owner thread only.
 */
final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    /** Why a message left its queue this way; the names are RabbitMQ's x-death reasons. */
    enum Reason {
        REJECTED("rejected"),
        EXPIRED("expired"),
        MAXLEN("maxlen"),
        DELIVERY_LIMIT("delivery_limit");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    private final MessageQueue queue;
    private final MessageStore store;
    private final String exchangeName;
    private final String routingKey;
    /** What became of a dead message. */
    enum Outcome {
        /** No queue took it (no exchange, no binding, or only cycles): the caller drops the original. */
        DROPPED,
        /** Queues took the copy; the caller settles the original. */
        DEAD_LETTERED,
        /** Queues took the copy and the store settled the original with it; the caller only releases it. */
        MOVED;

        boolean reachedQueues() {
            return this != DROPPED;
        }
    }

    private final Destinations routed = new Destinations();
    private final List<MessageQueue> targets = new ArrayList<>();
    private final DurableIds durableIds = new DurableIds();
    private boolean missingExchangeLogged;

    DeadLetters(MessageQueue queue, MessageStore store, QueueArguments arguments) {
        this.queue = queue;
        this.store = store;
        this.exchangeName = arguments.deadLetterExchange();
        this.routingKey = arguments.deadLetterRoutingKey();
    }

    /**
     * Publishes a dead copy of {@code message} (whose reference stays the caller's); {@code storedHere}
     * says the original is stored as an entry of this queue.
     */
    Outcome publish(Message message, Reason reason, boolean storedHere) {
        Exchange exchange = queue.vhost().exchange(exchangeName);
        if (exchange == null) {
            if (!missingExchangeLogged) {
                missingExchangeLogged = true;
                LOG.warn("Dead-letter exchange '{}' of {} does not exist; its dead messages are dropped",
                        LogSafe.escape(exchangeName), LogSafe.escape(queue.describe()));
            }
            return Outcome.DROPPED;
        }
        missingExchangeLogged = false;
        BasicProperties properties = BasicProperties.decode(message.properties().duplicate());
        List<String> originalKeys = publishedKeys(message, properties.headers());
        Map<String, Object> headers = DeathHistory.record(withoutDeliveryCount(properties.headers()), new DeathHistory.Death(
                queue.name(), reason.text, message.exchange(), originalKeys, properties.expiration(),
                new Date(System.currentTimeMillis())));
        if (routingKey != null) {
            headers.remove(SenderSelected.CC); // routed with the dead-letter key alone, as RabbitMQ does
        }
        ByteBuf encoded;
        try {
            encoded = properties.withHeadersAndExpiration(headers, null).encoded();
        } catch (RuntimeException e) {
            LOG.warn("Could not dead-letter a message of {}: {}", LogSafe.escape(queue.describe()), e.toString());
            return Outcome.DROPPED;
        }
        // without a dead-letter key: the original key, and the CC keys the copy still carries
        Message dead = message.withProperties(exchangeName, routingKey != null ? routingKey : message.routingKey(),
                encoded, System.currentTimeMillis());
        try {
            queue.vhost().route(exchange, dead, routed);
            if (routingKey == null) {
                for (String bcc : message.bccKeys()) { // as RabbitMQ: the BCC keys route the dead copy too
                    queue.vhost().routeAlso(exchange, dead, bcc, routed);
                }
            }
            for (int i = 0; i < routed.size(); i++) {
                MessageQueue target = routed.queue(i);
                if (reason == Reason.REJECTED || !DeathHistory.isCycle(headers, target.name())) {
                    targets.add(target);
                }
            }
            routed.clear();
            if (targets.isEmpty()) {
                return Outcome.DROPPED;
            }
            Outcome outcome = Outcome.DEAD_LETTERED;
            if (dead.persistent()) {
                outcome = storeFor(dead, storedHere ? message.location() : -1);
                if (outcome == Outcome.DROPPED) {
                    return outcome;
                }
            }
            for (MessageQueue target : targets) {
                target.enqueueRouted(dead.retain());
            }
            return outcome;
        } finally {
            targets.clear();
            dead.release();
        }
    }

    /**
     * Appends a persistent copy for the durable targets, replacing the original at {@code replacing} when
     * it is stored here (not -1). DROPPED when the store has failed (the copy is lost, the original stays).
     */
    private Outcome storeFor(Message dead, long replacing) {
        int count = durableIds.collect(targets);
        if (count == 0) {
            return Outcome.DEAD_LETTERED;
        }
        try {
            if (replacing >= 0) {
                store.appendReplacing(dead, durableIds.ids(), count, queue.storeId(), replacing, null);
                return Outcome.MOVED;
            }
            store.append(dead, durableIds.ids(), count, null);
            return Outcome.DEAD_LETTERED;
        } catch (StoreFailedException e) {
            LOG.error("Could not store a dead-lettered message of {}: {}", LogSafe.escape(queue.describe()), e.getMessage());
            return Outcome.DROPPED;
        }
    }

    /** The delivery count is the source queue's; the dead copy starts without one, as in RabbitMQ. */
    private static Map<String, Object> withoutDeliveryCount(Map<String, Object> headers) {
        if (headers == null || !headers.containsKey(DeliveryCount.HEADER)) {
            return headers;
        }
        Map<String, Object> copy = new java.util.LinkedHashMap<>(headers);
        copy.remove(DeliveryCount.HEADER);
        return copy;
    }

    /** The routing key the message was published with, then its CC keys (BCC never reaches a queue). */
    private static List<String> publishedKeys(Message message, Map<String, Object> headers) {
        if (headers == null || !(headers.get(SenderSelected.CC) instanceof List<?> cc)) {
            return List.of(message.routingKey());
        }
        List<String> keys = new ArrayList<>(1 + cc.size());
        keys.add(message.routingKey());
        for (Object key : cc) {
            if (key instanceof String s) {
                keys.add(s);
            }
        }
        return keys;
    }
}
