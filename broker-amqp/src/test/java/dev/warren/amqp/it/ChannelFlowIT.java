package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQImpl;
import com.rabbitmq.client.impl.ChannelN;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * channel.flow sent by a client, answered as RabbitMQ answers it (checked against RabbitMQ 3.10.8 with
 * -Dwarren.it.port): active=true gets flow-ok (active), active=false is 540 NOT_IMPLEMENTED, which closes the
 * connection — a widely used Go client's test suite depends on that answer — and other connections go on.
 */
@Timeout(60)
class ChannelFlowIT extends LifecycleITBase {

    private static Object flow(Channel channel, boolean active) throws IOException {
        return ((ChannelN) channel).exnWrappingRpc(new AMQP.Channel.Flow.Builder().active(active).build()).getMethod();
    }

    @Test
    void flowOnIsAcknowledgedWithFlowOk() throws Exception {
        AMQImpl.Channel.FlowOk ok = (AMQImpl.Channel.FlowOk) flow(channel, true);
        assertTrue(ok.getActive());
        assertTrue(channel.isOpen());
    }

    @Test
    void flowOffIsNotImplementedAndClosesOnlyThatConnection() throws Exception {
        try (Connection other = broker.connect()) {
            IOException error = assertThrows(IOException.class, () -> flow(channel, false));
            Object reason = ((ShutdownSignalException) error.getCause()).getReason();
            int code = reason instanceof AMQP.Connection.Close c ? c.getReplyCode() : ((AMQP.Channel.Close) reason).getReplyCode();
            assertEquals(540, code, String.valueOf(reason));
            BrokerFixture.await("the connection to close", 5_000, () -> !connection.isOpen());
            assertTrue(other.isOpen(), "another connection was affected");
            other.createChannel().queueDeclare();
        }
    }
}
