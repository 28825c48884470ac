package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Auto-delete exchanges are deleted when the last binding from them goes — a queue binding or an
 * exchange-to-exchange one, unbound or removed with its destination — and not before they ever had one.
 * Passes against RabbitMQ 3.10.8 with -Dwarren.it.port.
 */
@Timeout(60)
class AutoDeleteExchangeIT extends LifecycleITBase {

    /** 200 when the exchange exists, else the reply code of the passive declare's channel close. */
    private int lookUp(String exchange) throws Exception {
        Channel probe = connection.createChannel();
        try {
            probe.exchangeDeclarePassive(exchange);
            probe.close();
            return 200;
        } catch (IOException e) {
            return ((AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason()).getReplyCode();
        }
    }

    @Test
    void itStaysUntilItHadABindingAndGoesWithTheLastQueueBinding() throws Exception {
        channel.exchangeDeclare("autodel.queues", "direct", false, true, Map.of());
        assertEquals(200, lookUp("autodel.queues"), "deleted before it ever had a binding");
        declare("autodel.q", Map.of());
        channel.queueBind("autodel.q", "autodel.queues", "a");
        channel.queueBind("autodel.q", "autodel.queues", "b");
        channel.queueUnbind("autodel.q", "autodel.queues", "a");
        assertEquals(200, lookUp("autodel.queues"), "deleted with a binding left");
        channel.queueUnbind("autodel.q", "autodel.queues", "b");
        assertEquals(404, lookUp("autodel.queues"));
    }

    @Test
    void itGoesWhenTheQueueOfItsLastBindingIsDeleted() throws Exception {
        channel.exchangeDeclare("autodel.queue-gone", "fanout", false, true, Map.of());
        declare("autodel.gone-q", Map.of());
        channel.queueBind("autodel.gone-q", "autodel.queue-gone", "");
        channel.queueDelete("autodel.gone-q");
        BrokerFixture.await("the exchange to go with its last queue", 5_000, () -> {
            try {
                return lookUp("autodel.queue-gone") == 404;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void itGoesWithItsLastExchangeToExchangeBinding() throws Exception {
        channel.exchangeDeclare("autodel.source", "fanout", false, true, Map.of());
        channel.exchangeDeclare("autodel.destination", "fanout", false, false, Map.of());
        channel.exchangeBind("autodel.destination", "autodel.source", "");
        channel.exchangeUnbind("autodel.destination", "autodel.source", "");
        assertEquals(404, lookUp("autodel.source"));
        assertEquals(200, lookUp("autodel.destination"), "being a destination is not a binding from it");
        channel.exchangeDelete("autodel.destination");
    }

    @Test
    void itGoesWhenTheDestinationExchangeOfItsLastBindingIsDeleted() throws Exception {
        channel.exchangeDeclare("autodel.upstream", "topic", false, true, Map.of());
        channel.exchangeDeclare("autodel.downstream", "fanout", false, false, Map.of());
        channel.exchangeBind("autodel.downstream", "autodel.upstream", "#");
        channel.exchangeDelete("autodel.downstream");
        BrokerFixture.await("the exchange to go with its last destination", 5_000, () -> {
            try {
                return lookUp("autodel.upstream") == 404;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void anAutoDeleteDestinationStaysWhenTheBindingToItGoes() throws Exception {
        channel.exchangeDeclare("autodel.feeder", "fanout", false, false, Map.of());
        channel.exchangeDeclare("autodel.fed", "fanout", false, true, Map.of());
        declare("autodel.fed-q", Map.of());
        channel.queueBind("autodel.fed-q", "autodel.fed", "");
        channel.exchangeBind("autodel.fed", "autodel.feeder", "");
        channel.exchangeUnbind("autodel.fed", "autodel.feeder", "");
        assertEquals(200, lookUp("autodel.fed"), "it still has its own binding to a queue");
        channel.exchangeDelete("autodel.feeder");
        channel.queueUnbind("autodel.fed-q", "autodel.fed", "");
        assertEquals(404, lookUp("autodel.fed"));
    }
}
