package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.Channel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Internal exchanges (exchange.declare internal=true): clients cannot publish to one — 403 in RabbitMQ's
 * words — but bindings from it route what reaches it from other exchanges. Passes against RabbitMQ 3.10.8
 * with -Dwarren.it.port.
 */
@Timeout(60)
class InternalExchangeIT extends LifecycleITBase {

    @Test
    void aPublishToAnInternalExchangeIsRefusedWith403() throws Exception {
        channel.exchangeDeclare("internal.only", "fanout", false, true, true, Map.of());
        channel.basicPublish("internal.only", "", null, "nope".getBytes(StandardCharsets.UTF_8));
        assertEquals("ACCESS_REFUSED - cannot publish to internal exchange 'internal.only' in vhost '/'",
                Queues.closeReplyText(channel));
        assertEquals(403, ((com.rabbitmq.client.AMQP.Channel.Close) channel.getCloseReason().getReason()).getReplyCode());
    }

    @Test
    void messagesReachQueuesThroughAnInternalExchangeBoundFromAPublicOne() throws Exception {
        channel.exchangeDeclare("internal.fanout", "fanout", false, true, true, Map.of());
        channel.exchangeDeclare("internal.entry", "direct", false, true, false, Map.of());
        channel.exchangeBind("internal.fanout", "internal.entry", "go");
        declare("internal.q", Map.of());
        channel.queueBind("internal.q", "internal.fanout", "");
        channel.confirmSelect();
        channel.basicPublish("internal.entry", "go", null, "through".getBytes(StandardCharsets.UTF_8));
        channel.basicPublish("internal.entry", "stop", null, "unbound key".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals("through", Queues.body(Queues.awaitGet(channel, "internal.q")));
        assertNull(channel.basicGet("internal.q", true));
        Channel declaring = connection.createChannel();
        declaring.exchangeDeclarePassive("internal.fanout"); // an internal exchange can be looked up
        // the auto-delete exchanges go with their last bindings
        channel.exchangeUnbind("internal.fanout", "internal.entry", "go");
        channel.queueUnbind("internal.q", "internal.fanout", "");
    }
}
