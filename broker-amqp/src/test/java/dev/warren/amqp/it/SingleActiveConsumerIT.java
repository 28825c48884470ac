package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * x-single-active-consumer: one consumer receives; when it cancels or its channel closes, the next in
 * subscription order takes over, its unacked messages first (checked against RabbitMQ 3.10.8 with
 * -Dwarren.it.port).
 */
@Timeout(60)
class SingleActiveConsumerIT extends LifecycleITBase {

    private final class Recorder extends DefaultConsumer {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<Long> tags = new CopyOnWriteArrayList<>();
        final String tag;

        Recorder(Channel channel) throws IOException {
            super(channel);
            this.tag = channel.basicConsume("sac.q", false, this);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            bodies.add(new String(body) + (envelope.isRedeliver() ? "*" : ""));
            tags.add(envelope.getDeliveryTag());
        }
    }

    private void publish(String... bodies) throws Exception {
        channel.confirmSelect();
        for (String body : bodies) {
            Queues.publish(channel, "sac.q", body);
        }
        channel.waitForConfirmsOrDie(5_000);
    }

    @Test
    void onlyTheFirstSubscriberReceivesAndTheNextTakesOverWithTheUnackedMessagesFirst() throws Exception {
        declare("sac.q", Map.of("x-single-active-consumer", true));
        Channel firstChannel = connection.createChannel();
        Recorder first = new Recorder(firstChannel);
        Recorder second = new Recorder(connection.createChannel());
        Recorder third = new Recorder(connection.createChannel());
        publish("a", "b", "c");
        BrokerFixture.await("three to the first", 5_000, () -> first.bodies.size() == 3);
        firstChannel.basicAck(first.tags.get(0), false); // a done; b and c unacked
        assertTrue(second.bodies.isEmpty() && third.bodies.isEmpty());
        if (BrokerFixture.againstWarren()) {
            assertEquals(first.tag, broker.broker().vhost("/").queue("sac.q").singleActiveConsumerTag());
        }

        firstChannel.close(); // b and c go back, and the second subscriber takes over
        publish("d");
        BrokerFixture.await("the rest to the second", 5_000, () -> second.bodies.size() == 3);
        assertEquals(List.of("b*", "c*", "d"), second.bodies);
        assertTrue(third.bodies.isEmpty());
        if (BrokerFixture.againstWarren()) {
            assertEquals(second.tag, broker.broker().vhost("/").queue("sac.q").singleActiveConsumerTag());
        }

        second.getChannel().basicCancel(second.tag); // its unacked messages stay with it until its channel closes
        publish("e");
        BrokerFixture.await("e to the third", 5_000, () -> third.bodies.contains("e"));
    }

    @Test
    void theArgumentMustBeABooleanAndExclusiveConsumersAreRefused() throws Exception {
        Channel bad = connection.createChannel();
        IOException error = assertThrows(IOException.class,
                () -> bad.queueDeclare("sac.bad", false, false, true, Map.of("x-single-active-consumer", "yes")));
        assertTrue(error.getCause().getMessage().contains(
                "PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue 'sac.bad' in vhost '/': {unacceptable_type,longstr}"));

        declare("sac.q", Map.of("x-single-active-consumer", true));
        Channel exclusive = connection.createChannel();
        IOException refused = assertThrows(IOException.class,
                () -> exclusive.basicConsume("sac.q", true, "", false, true, null, new DefaultConsumer(exclusive)));
        assertTrue(refused.getCause().getMessage().contains("ACCESS_REFUSED - queue 'sac.q' in vhost '/' in exclusive use"),
                refused.getCause().getMessage());
    }
}
