package dev.warren.amqp.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small client-side helpers the lifecycle ITs share: waiting on queue counts, draining bodies. */
final class Queues {
    private Queues() {
    }

    static long count(Channel channel, String queue) {
        try {
            return channel.messageCount(queue);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the queue holds exactly {@code expected} ready messages. */
    static void awaitCount(Channel channel, String queue, long expected) throws InterruptedException {
        BrokerFixture.await(queue + " holding " + expected + " messages", 10_000, () -> count(channel, queue) == expected);
    }

    /** Takes every ready message (auto-ack) and returns the bodies in order. */
    static List<String> drain(Channel channel, String queue) throws IOException {
        List<String> bodies = new ArrayList<>();
        for (GetResponse r; (r = channel.basicGet(queue, true)) != null; ) {
            bodies.add(body(r));
        }
        return bodies;
    }

    /** Waits for the next message (auto-ack) and returns it. */
    static GetResponse awaitGet(Channel channel, String queue) throws InterruptedException {
        return awaitGet(channel, queue, true);
    }

    /** Waits for the next message and returns it; with {@code autoAck} false it stays unacked. */
    static GetResponse awaitGet(Channel channel, String queue, boolean autoAck) throws InterruptedException {
        GetResponse[] got = new GetResponse[1];
        BrokerFixture.await("a message in " + queue, 10_000, () -> {
            try {
                got[0] = channel.basicGet(queue, autoAck);
                return got[0] != null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return got[0];
    }

    static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    static void publish(Channel channel, String queue, String body) throws IOException {
        channel.basicPublish("", queue, null, body.getBytes(StandardCharsets.UTF_8));
    }

    static void publish(Channel channel, String queue, AMQP.BasicProperties properties, String body) throws IOException {
        channel.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
    }

    static AMQP.BasicProperties expiration(String millis) {
        return new AMQP.BasicProperties.Builder().expiration(millis).build();
    }

    static AMQP.BasicProperties priority(int priority) {
        return new AMQP.BasicProperties.Builder().priority(priority).build();
    }

    /** The x-death entries of a dead-lettered message, newest first. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> deaths(GetResponse r) {
        return (List<Map<String, Object>>) r.getProps().getHeaders().get("x-death");
    }

    /**
     * The reply text of the channel.close a publish provoked: the broker closes the channel asynchronously,
     * so this waits for the close instead of racing it with another request.
     */
    static String closeReplyText(Channel channel) throws InterruptedException {
        BrokerFixture.await("the channel to be closed", 10_000, () -> !channel.isOpen());
        Object reason = channel.getCloseReason().getReason();
        return reason instanceof AMQP.Channel.Close close ? close.getReplyText() : String.valueOf(reason);
    }
}
