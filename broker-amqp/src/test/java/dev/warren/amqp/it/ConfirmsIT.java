package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ConfirmsIT {

    @Test
    void everyPublishIsConfirmedWhetherRoutedToOneQueueManyOrNone() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection consumerSide = broker.connect();
             Connection publisherSide = broker.connect()) {
            // queues owned by another connection's event loop, so confirms cross threads
            Channel owner = consumerSide.createChannel();
            owner.exchangeDeclare("confirm-fanout", "fanout");
            for (String q : List.of("c1", "c2")) {
                owner.queueDeclare(q, false, false, false, null);
                owner.queueBind(q, "confirm-fanout", "");
            }
            Channel ch = publisherSide.createChannel();
            ch.confirmSelect();
            for (int i = 0; i < 1000; i++) {
                ch.basicPublish("confirm-fanout", "", null, new byte[] {(byte) i});
                ch.basicPublish("", "c1", null, new byte[] {(byte) i});
                ch.basicPublish("", "no-such-queue", null, new byte[] {(byte) i});
            }
            assertTrue(ch.waitForConfirms(10_000));
            BrokerFixture.await("2000 messages in c1", 5_000, () -> messageCount(owner, "c1") == 2000);
            assertEquals(1000, messageCount(owner, "c2"));
        }
    }

    @Test
    void mandatoryReturnComesBeforeItsConfirm() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection connection = broker.connect()) {
            Channel ch = connection.createChannel();
            List<String> events = new CopyOnWriteArrayList<>();
            ch.addReturnListener(r -> events.add("return " + r.getReplyCode()));
            ch.addConfirmListener((tag, multiple) -> events.add("ack " + tag), (tag, multiple) -> events.add("nack " + tag));
            ch.confirmSelect();
            ch.basicPublish("", "nowhere", true, null, new byte[] {1});
            assertTrue(ch.waitForConfirms(5_000));
            BrokerFixture.await("both events", 5_000, () -> events.size() == 2);
            assertEquals(List.of("return 312", "ack 1"), events);
        }
    }

    @Test
    void transactionPublishesOnlyOnCommitAndRollbackDiscards() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection owner = broker.connect();
             Connection connection = broker.connect()) {
            Channel ownerChannel = owner.createChannel();
            ownerChannel.queueDeclare("tx-q", false, false, false, null);
            Channel ch = connection.createChannel();
            ch.txSelect();
            ch.basicPublish("", "tx-q", null, new byte[] {1});
            assertEquals(0, messageCount(ownerChannel, "tx-q"));
            ch.txRollback();
            assertEquals(0, messageCount(ownerChannel, "tx-q"));
            ch.basicPublish("", "tx-q", null, new byte[] {2});
            ch.txCommit();
            assertEquals(1, messageCount(ownerChannel, "tx-q"));

            // acks inside a transaction take effect at commit; rollback puts them back
            var got = ch.basicGet("tx-q", false);
            assertNotNull(got);
            ch.basicAck(got.getEnvelope().getDeliveryTag(), false);
            ch.txRollback();
            ch.basicAck(got.getEnvelope().getDeliveryTag(), false);
            ch.txCommit();
            assertNull(ch.basicGet("tx-q", true));
        }
    }

    @Test
    void switchingFromConfirmToTxIsAPreconditionFailure() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); Connection connection = broker.connect()) {
            Channel ch = connection.createChannel();
            ch.confirmSelect();
            IOException e = assertThrows(IOException.class, ch::txSelect);
            AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
            assertEquals(406, close.getReplyCode());
            Channel other = connection.createChannel();
            IOException e2 = assertThrows(IOException.class, other::txCommit);
            assertEquals(406, ((AMQP.Channel.Close) ((ShutdownSignalException) e2.getCause()).getReason()).getReplyCode());
        }
    }

    private static long messageCount(Channel ch, String queue) {
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
