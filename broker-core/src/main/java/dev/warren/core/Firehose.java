package dev.warren.core;

import dev.warren.core.message.BasicProperties;
import dev.warren.core.message.Message;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ's firehose tracer (rabbitmqctl trace_on): while a virtual host traces, a copy of every publish goes
 * to its {@code amq.rabbitmq.trace} exchange with routing key {@code publish.<exchange>}, and a copy of every
 * delivery with {@code deliver.<queue>}, each carrying RabbitMQ's headers (exchange_name, routing_keys,
 * properties, node, vhost, connection, channel, user; redelivered for deliveries). Copies are transient and
 * go to the queues bound to the trace exchange on their own threads. A message published to the trace exchange
 * itself (a trace copy) is not traced, neither its publish nor its delivery, as in RabbitMQ. Any thread.
 */
public final class Firehose {
    public static final String EXCHANGE = "amq.rabbitmq.trace";

    private Firehose() {
    }

    /** Where a traced message came from or went to: the connection's name, the channel number, the user. */
    public record Origin(String connection, int channel, String user) {
    }

    /** A publish of {@code message} (exchange and routing key as published, CC keys included). */
    public static void published(VirtualHost vhost, Message message, Origin origin) {
        if (!vhost.tracing() || EXCHANGE.equals(message.exchange())) {
            return;
        }
        Map<String, Object> headers = headers(vhost, message, origin);
        emit(vhost, "publish." + message.exchange(), headers, message);
    }

    /** A delivery (to a consumer or basic.get) of a message from {@code queue}. */
    public static void delivered(VirtualHost vhost, String queue, Message message, boolean redelivered, Origin origin) {
        if (!vhost.tracing() || EXCHANGE.equals(message.exchange())) {
            return;
        }
        Map<String, Object> headers = headers(vhost, message, origin);
        headers.put("redelivered", redelivered ? 1 : 0);
        emit(vhost, "deliver." + queue, headers, message);
    }

    private static Map<String, Object> headers(VirtualHost vhost, Message message, Origin origin) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("exchange_name", message.exchange());
        List<Object> keys = new ArrayList<>();
        keys.add(message.routingKey());
        headers.put("routing_keys", keys);
        headers.put("properties", properties(BasicProperties.decode(message.properties().duplicate())));
        headers.put("node", NodeName.get());
        headers.put("vhost", vhost.name());
        headers.put("connection", origin.connection());
        headers.put("channel", origin.channel());
        headers.put("user", origin.user());
        return headers;
    }

    /** The message's properties as a table with RabbitMQ's names, present ones only. */
    private static Map<String, Object> properties(BasicProperties p) {
        Map<String, Object> table = new LinkedHashMap<>();
        putIfPresent(table, "content_type", p.contentType());
        putIfPresent(table, "content_encoding", p.contentEncoding());
        putIfPresent(table, "headers", p.headers());
        putIfPresent(table, "delivery_mode", p.deliveryMode());
        putIfPresent(table, "priority", p.priority());
        putIfPresent(table, "correlation_id", p.correlationId());
        putIfPresent(table, "reply_to", p.replyTo());
        putIfPresent(table, "expiration", p.expiration());
        putIfPresent(table, "message_id", p.messageId());
        putIfPresent(table, "timestamp", p.timestamp());
        putIfPresent(table, "type", p.type());
        putIfPresent(table, "user_id", p.userId());
        putIfPresent(table, "app_id", p.appId());
        putIfPresent(table, "cluster_id", p.clusterId());
        return table;
    }

    private static void putIfPresent(Map<String, Object> table, String name, Object value) {
        if (value != null) {
            table.put(name, value);
        }
    }

    private static void emit(VirtualHost vhost, String routingKey, Map<String, Object> headers, Message message) {
        Exchange trace = vhost.exchange(EXCHANGE);
        if (trace == null) {
            return;
        }
        ByteBuf properties = BasicProperties.EMPTY.withHeadersAndExpiration(headers, null).encoded();
        Message copy = message.withProperties(EXCHANGE, routingKey, properties, System.currentTimeMillis());
        try {
            Destinations queues = new Destinations();
            vhost.route(trace, copy, queues);
            for (int i = 0; i < queues.size(); i++) {
                MessageQueue target = queues.queue(i);
                target.enqueueRouted(copy.retain());
            }
            queues.clear();
        } finally {
            copy.release();
        }
    }
}
