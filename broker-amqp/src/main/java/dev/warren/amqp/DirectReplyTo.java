package dev.warren.amqp;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RabbitMQ's direct reply-to: request/reply without a reply queue. A channel consumes (no-ack) from the
 * pseudo-queue {@value #PSEUDO_QUEUE}; its requests published with that {@code reply_to} get it rewritten
 * to {@value #PSEUDO_QUEUE}{@code .<token>}, and a reply published to that name on the default exchange
 * goes straight to the channel's consumer, from any connection. This is the server-wide table of tokens;
 * any thread.
 */
final class DirectReplyTo {
    static final String PSEUDO_QUEUE = "amq.rabbitmq.reply-to";
    static final String PREFIX = PSEUDO_QUEUE + ".";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A channel's reply consumer: where replies to its token are delivered. */
    record ReplyConsumer(String tag, String token, ChannelContext channel, ConsumerMethods methods) {
        /** The name requests carry in reply_to. */
        String replyTo() {
            return PREFIX + token;
        }
    }

    private final ConcurrentHashMap<String, ReplyConsumer> consumers = new ConcurrentHashMap<>();

    /** Registers a channel's reply consumer under a new unguessable token. */
    ReplyConsumer register(String tag, ChannelContext channel, ConsumerMethods methods) {
        while (true) {
            byte[] bytes = new byte[16];
            RANDOM.nextBytes(bytes);
            ReplyConsumer consumer = new ReplyConsumer(tag, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
                    channel, methods);
            if (consumers.putIfAbsent(consumer.token(), consumer) == null) {
                return consumer;
            }
        }
    }

    void unregister(ReplyConsumer consumer) {
        consumers.remove(consumer.token(), consumer);
    }

    /** The consumer a reply published with this routing key goes to, or null (gone, or never was). */
    ReplyConsumer find(String routingKey) {
        return isReplyName(routingKey) ? consumers.get(routingKey.substring(PREFIX.length())) : null;
    }

    static boolean isReplyName(String name) {
        return name.startsWith(PREFIX);
    }
}
