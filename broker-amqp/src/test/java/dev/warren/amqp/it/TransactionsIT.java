package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Return;
import dev.warren.core.testing.LeakRecorder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * tx.select, tx.commit and tx.rollback over publishes and acknowledgements. As in RabbitMQ, tx.commit-ok
 * means the committed publishes are in their queues, so counts are checked right after it, from another
 * connection.
 */
@Timeout(60)
class TransactionsIT extends SharedBrokerIT {

    // ---- publishes ----

    @Test
    void publishesAreInvisibleUntilCommitAndAllVisibleAfterIt() throws Exception {
        Channel observer = channel();
        String first = queue(observer);
        String second = queue(observer);
        Channel tx = channel();
        tx.txSelect();
        for (int i = 0; i < 5; i++) {
            tx.basicPublish("", first, null, bytes("m" + i));
        }
        tx.basicPublish("", second, null, bytes("other"));
        tx.queueDeclarePassive(first); // a round trip: the publishes have reached the broker

        assertEquals(0, messageCount(observer, first), "nothing is visible before commit");
        assertEquals(0, messageCount(observer, second), "nothing is visible before commit");
        tx.txCommit();
        assertEquals(5, messageCount(observer, first), "everything is in the queues once commit-ok arrived");
        assertEquals(1, messageCount(observer, second));
        for (int i = 0; i < 5; i++) {
            assertEquals("m" + i, text(observer.basicGet(first, true).getBody()), "publish order kept");
        }
    }

    @Test
    void rollbackDiscardsThePublishesOfTheTransaction() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        Channel tx = channel();
        tx.txSelect();
        tx.basicPublish("", queue, null, bytes("discarded-1"));
        tx.basicPublish("", queue, null, bytes("discarded-2"));
        tx.txRollback();
        assertEquals(0, messageCount(observer, queue));

        tx.basicPublish("", queue, null, bytes("kept"));
        tx.txCommit();
        assertEquals(1, messageCount(observer, queue), "only the publish after the rollback is committed");
        assertEquals("kept", text(observer.basicGet(queue, true).getBody()));
        tx.txCommit(); // an empty commit is fine and publishes nothing again
        assertEquals(0, messageCount(observer, queue));
    }

    @Test
    void mandatoryUnroutablePublishInATransactionIsReturnedOnCommit() throws Exception {
        Channel tx = channel();
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        tx.addReturnListener(returns::add);
        tx.txSelect();
        tx.basicPublish("", "no-such-queue-in-tx", true, null, bytes("unroutable"));
        tx.queueDeclare(); // a round trip: a return sent for the publish itself would have come before its reply
        assertTrue(returns.isEmpty(), "nothing is returned before commit");

        tx.txCommit();
        Return returned = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(returned, "the unroutable mandatory publish is returned on commit");
        assertEquals(312, returned.getReplyCode());
        assertEquals("NO_ROUTE", returned.getReplyText());
        assertEquals("no-such-queue-in-tx", returned.getRoutingKey());
        assertEquals("unroutable", text(returned.getBody()));
        assertTrue(tx.isOpen());
    }

    @Test
    void mandatoryUnroutablePublishThatIsRolledBackIsNeverReturned() throws Exception {
        Channel tx = channel();
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        tx.addReturnListener(returns::add);
        tx.txSelect();
        tx.basicPublish("", "no-such-queue-rolled-back", true, null, bytes("unroutable"));
        tx.txRollback();
        tx.txCommit();
        tx.basicPublish("", "another-missing-queue", true, null, bytes("marker"));
        tx.txCommit();
        Return returned = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(returned);
        assertEquals("marker", text(returned.getBody()), "the rolled-back publish must not be returned");
        assertTrue(returns.isEmpty(), "only the marker is returned: " + returns);
    }

    // ---- acknowledgements ----

    @Test
    void acksInATransactionTakeEffectOnCommitOnly() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        publish(observer, queue, "m0", "m1");
        Channel tx = channel();
        tx.txSelect();
        GetResponse m0 = getWithin(tx, queue);
        GetResponse m1 = getWithin(tx, queue);

        tx.basicAck(m0.getEnvelope().getDeliveryTag(), false);
        tx.txCommit();
        tx.basicAck(m1.getEnvelope().getDeliveryTag(), false); // never committed
        tx.close();

        BrokerFixture.await("the uncommitted ack's message to come back", WAIT_MILLIS, () -> messageCount(observer, queue) == 1);
        GetResponse back = observer.basicGet(queue, true);
        assertEquals("m1", text(back.getBody()), "the message acked but not committed is requeued");
        assertTrue(back.getEnvelope().isRedeliver());
        assertNull(observer.basicGet(queue, true), "the committed ack removed m0 for good");
    }

    @Test
    void afterRollbackAnAckedMessageIsStillUnackedAndCanBeAckedAgain() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        publish(observer, queue, "m0");
        Channel tx = channel();
        tx.txSelect();
        GetResponse got = getWithin(tx, queue);
        long tag = got.getEnvelope().getDeliveryTag();

        tx.basicAck(tag, false);
        tx.txRollback();
        tx.basicAck(tag, false); // the same tag again: it is outstanding once more
        tx.txCommit();
        assertTrue(tx.isOpen(), "acking the rolled-back tag again is allowed");
        tx.close();

        publish(observer, queue, "fence");
        BrokerFixture.await("the fence", WAIT_MILLIS, () -> messageCount(observer, queue) >= 1);
        assertEquals("fence", text(observer.basicGet(queue, true).getBody()), "m0 was acked for good");
        assertNull(observer.basicGet(queue, true));
    }

    @Test
    void rolledBackAckLeavesTheMessageUnackedSoClosingTheChannelRequeuesIt() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        publish(observer, queue, "m0");
        Channel tx = channel();
        tx.txSelect();
        GetResponse got = getWithin(tx, queue);
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        tx.txRollback();
        tx.close();

        BrokerFixture.await("m0 back in the queue", WAIT_MILLIS, () -> messageCount(observer, queue) == 1);
        GetResponse back = observer.basicGet(queue, true);
        assertEquals("m0", text(back.getBody()));
        assertTrue(back.getEnvelope().isRedeliver());
    }

    @Test
    void nackWithRequeueInATransactionRequeuesOnCommit() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        publish(observer, queue, "m0");
        Channel tx = channel();
        tx.txSelect();
        GetResponse got = getWithin(tx, queue);
        assertFalse(got.getEnvelope().isRedeliver());

        tx.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
        tx.queueDeclarePassive(queue);
        assertEquals(0, messageCount(observer, queue), "the nack waits for commit");
        tx.txCommit();
        BrokerFixture.await("m0 requeued", WAIT_MILLIS, () -> messageCount(observer, queue) == 1);
        GetResponse back = observer.basicGet(queue, true);
        assertEquals("m0", text(back.getBody()));
        assertTrue(back.getEnvelope().isRedeliver());
    }

    @Test
    void ackInATransactionFreesPrefetchCreditOnlyAtCommit() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        publish(observer, queue, "m0", "m1");
        BrokerFixture.await("both messages ready", WAIT_MILLIS, () -> messageCount(observer, queue) == 2);
        Channel tx = channel();
        tx.basicQos(1);
        tx.txSelect();
        BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
        tx.basicConsume(queue, false, (tag, d) -> delivered.add(d), tag -> { });
        Delivery first = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(first);
        assertEquals("m0", text(first.getBody()));

        tx.basicAck(first.getEnvelope().getDeliveryTag(), false);
        tx.queueDeclarePassive(queue);
        assertEquals(1, messageCount(observer, queue), "the uncommitted ack leaves the consumer without credit");
        assertTrue(delivered.isEmpty(), "nothing more before commit");

        tx.txCommit();
        Delivery second = delivered.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(second, "the committed ack frees the consumer's credit");
        assertEquals("m1", text(second.getBody()));
    }

    @Test
    void closingAChannelWithAnOpenTransactionDiscardsItsPublishes() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        Channel tx = channel();
        tx.txSelect();
        tx.basicPublish("", queue, null, bytes("never"));
        tx.close();
        observer.basicPublish("", queue, null, bytes("fence"));
        BrokerFixture.await("the fence", WAIT_MILLIS, () -> messageCount(observer, queue) >= 1);
        assertEquals(1, messageCount(observer, queue));
        assertEquals("fence", text(observer.basicGet(queue, true).getBody()));
    }

    @Test
    void aCommitThatFailsOnOnePublishDropsTheOthersAndRequeuesItsAcks() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        observer.basicPublish("", queue, null, bytes("acked in the transaction"));
        BrokerFixture.await("the message", WAIT_MILLIS, () -> messageCount(observer, queue) == 1);
        ConnectionFactory factory = broker.factory();
        factory.setRequestedFrameMax(4096); // the last publish's body takes several frames
        Channel tx = track(factory.newConnection()).createChannel();
        tx.txSelect();
        GetResponse got = tx.basicGet(queue, false);
        assertNotNull(got);
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        AMQP.BasicProperties badCc = new AMQP.BasicProperties.Builder().headers(Map.of("CC", "not an array")).build();
        tx.basicPublish("", queue, badCc, bytes("refused at commit"));
        tx.basicPublish("", queue, null, new byte[10_000]);

        assertChannelClosed(closedAfter(tx, () -> tx.asyncRpc(new AMQP.Tx.Commit.Builder().build())), 406, "CC");
        BrokerFixture.await("the acked message requeued", WAIT_MILLIS, () -> messageCount(observer, queue) == 1);
        assertEquals("acked in the transaction", text(observer.basicGet(queue, true).getBody()));
        LeakRecorder.collect();
        List<String> leaks = LeakRecorder.takeLeaks();
        assertTrue(leaks.isEmpty(), () -> leaks.size() + " buffer leak(s), the first: " + leaks.get(0));
    }

    @Test
    void uncommittedPublishesOfAnAbruptlyDroppedConnectionAreDiscarded() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        String watched = queue(observer);
        RawAmqpClient raw = RawAmqpClient.connectAndOpen(broker.port());
        try {
            raw.openChannel(1);
            raw.sendMethod(1, 60, 20, new RawAmqpClient.Args().shortInt(0).shortstr(watched).shortstr("watch")
                    .bits(false, true, false, false).emptyTable()); // a consumer, to see when the drop was handled
            raw.expectMethod(1, 60, 21, WAIT_MILLIS);
            raw.sendMethod(1, 90, 10, new RawAmqpClient.Args()); // tx.select
            raw.expectMethod(1, 90, 11, WAIT_MILLIS);
            raw.sendMethod(1, 60, 40, new RawAmqpClient.Args().shortInt(0).shortstr("").shortstr(queue).bits(false, false));
            raw.sendContentHeader(1, 60, 5);
            raw.sendFrame(RawAmqpClient.BODY, 1, bytes("never"));
            raw.sendMethod(1, 50, 10, new RawAmqpClient.Args().shortInt(0).shortstr(queue)
                    .bits(true, false, false, false, false).emptyTable()); // passive queue.declare: a round trip
            raw.expectMethod(1, 50, 11, WAIT_MILLIS); // so the publish has been taken in
        } finally {
            raw.close();
        }
        BrokerFixture.await("the dropped connection's consumer to go", WAIT_MILLIS,
                () -> consumerCount(observer, watched) == 0);
        observer.basicPublish("", queue, null, bytes("fence"));
        BrokerFixture.await("the fence", WAIT_MILLIS, () -> messageCount(observer, queue) >= 1);
        assertEquals(1, messageCount(observer, queue), "the uncommitted publish was discarded");
        assertEquals("fence", text(observer.basicGet(queue, true).getBody()));
    }

    // ---- errors ----

    @Test
    void commitWithoutSelectIsPreconditionFailed() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        IOException e = assertThrows(IOException.class, ch::txCommit);
        AMQP.Channel.Close close = RawAssertions.channelClose(e);
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - channel is not transactional", close.getReplyText());
        assertEquals(90, close.getClassId());
        assertEquals(20, close.getMethodId());
        assertTrue(connection.isOpen(), "only the channel closes");
    }

    @Test
    void rollbackWithoutSelectIsPreconditionFailed() throws Exception {
        Channel ch = channel();
        IOException e = assertThrows(IOException.class, ch::txRollback);
        AMQP.Channel.Close close = RawAssertions.channelClose(e);
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - channel is not transactional", close.getReplyText());
        assertEquals(90, close.getClassId());
        assertEquals(30, close.getMethodId());
    }

    @Test
    void confirmSelectOnATransactionalChannelIsPreconditionFailed() throws Exception {
        Connection connection = connect();
        Channel ch = connection.createChannel();
        ch.txSelect();
        IOException e = assertThrows(IOException.class, ch::confirmSelect);
        AMQP.Channel.Close close = RawAssertions.channelClose(e);
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - cannot switch from tx to confirm mode", close.getReplyText());
        assertEquals(85, close.getClassId());
        assertEquals(10, close.getMethodId());
        assertTrue(connection.isOpen(), "only the channel closes");
    }

    @Test
    void txSelectTwiceIsAllowed() throws Exception {
        Channel observer = channel();
        String queue = queue(observer);
        Channel tx = channel();
        tx.txSelect();
        tx.basicPublish("", queue, null, bytes("m0"));
        tx.txSelect(); // idempotent; does not commit or discard what is pending
        assertEquals(0, messageCount(observer, queue));
        tx.txCommit();
        assertEquals(1, messageCount(observer, queue));
    }

    // ---- helpers ----

    private static String queue(Channel ch) throws IOException {
        return ch.queueDeclare("", false, false, false, null).getQueue();
    }

    private static GetResponse getWithin(Channel ch, String queue) throws Exception {
        GetResponse[] got = new GetResponse[1];
        BrokerFixture.await("a message in " + queue, WAIT_MILLIS, () -> {
            try {
                got[0] = ch.basicGet(queue, false);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return got[0] != null;
        });
        return got[0];
    }

}
