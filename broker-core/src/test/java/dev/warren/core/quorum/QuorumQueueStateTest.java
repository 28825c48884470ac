package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.quorum.QuorumEffect.DeadReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumQueueStateTest {
    private static final ConsumerKey ALICE = new ConsumerKey("warren@a", 1, "alice");
    private static final ConsumerKey BOB = new ConsumerKey("warren@b", 7, "bob");

    private final QuorumQueueState queue = new QuorumQueueState(2, true);
    private long index;

    private List<QuorumEffect> apply(QuorumCommand command) {
        List<QuorumEffect> effects = new ArrayList<>();
        queue.apply(++index, command, effects::add);
        return effects;
    }

    private long publish(String body) {
        apply(new QuorumCommand.Enqueue(body.getBytes(StandardCharsets.UTF_8)));
        return index;
    }

    private static String body(QuorumEffect effect) {
        return new String(((QuorumEffect.Deliver) effect).message(), StandardCharsets.UTF_8);
    }

    @Test
    void consumersTakeTurnsWithinTheirCredit() {
        apply(new QuorumCommand.Checkout(ALICE, 1));
        apply(new QuorumCommand.Checkout(BOB, 2));
        publish("m1");
        publish("m2");
        publish("m3");
        List<QuorumEffect> fourth = apply(new QuorumCommand.Enqueue("m4".getBytes(StandardCharsets.UTF_8)));
        assertTrue(fourth.isEmpty(), "both consumers are full: " + fourth);
        assertEquals(1, queue.readyCount());
        assertEquals(3, queue.checkedOutCount());
    }

    @Test
    void aReturnedMessageGoesOutBeforeNewOnesRedeliveredWithItsDeliveryCount() {
        long first = publish("first");
        publish("second");
        List<QuorumEffect> out = apply(new QuorumCommand.Checkout(ALICE, 1));
        assertEquals("first", body(out.get(0)));
        List<QuorumEffect> again = apply(new QuorumCommand.Return(ALICE, new long[] {first}));
        QuorumEffect.Deliver redelivery = (QuorumEffect.Deliver) again.get(0);
        assertEquals("first", body(redelivery));
        assertTrue(redelivery.redelivered());
        assertEquals(1, redelivery.deliveryCount());
    }

    @Test
    void aMessageReturnedPastTheDeliveryLimitIsDeadLetteredUntilTheLeaderReportsIt() {
        long id = publish("poison");
        apply(new QuorumCommand.Checkout(ALICE, 1));
        apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        List<QuorumEffect> third = apply(new QuorumCommand.Return(ALICE, new long[] {id}));
        QuorumEffect.DeadLetter dead = (QuorumEffect.DeadLetter) third.get(0);
        assertEquals(DeadReason.DELIVERY_LIMIT, dead.reason());
        assertEquals(3, dead.deliveryCount());
        assertEquals(1, queue.totalCount(), "kept until dead-lettered (at least once)");
        assertEquals(0, queue.readyCount());
        apply(new QuorumCommand.DeadLettered(new long[] {id}));
        assertEquals(0, queue.totalCount());
    }

    @Test
    void aCancelledConsumerKeepsWhatItHoldsUntilItsChannelSettlesIt() {
        long id = publish("m");
        apply(new QuorumCommand.Checkout(ALICE, 5));
        apply(new QuorumCommand.Cancel(ALICE));
        assertEquals(0, queue.consumerCount());
        assertTrue(apply(new QuorumCommand.Enqueue(new byte[0])).isEmpty(), "no deliveries after cancel");
        apply(new QuorumCommand.Settle(ALICE, new long[] {id}));
        assertEquals(1, queue.totalCount(), "only the new message is left");
    }

    @Test
    void aLostNodeReturnsWhatItsConsumersHeldToTheOthers() {
        publish("m");
        apply(new QuorumCommand.Checkout(BOB, 1));
        apply(new QuorumCommand.Checkout(ALICE, 1));
        List<QuorumEffect> effects = apply(new QuorumCommand.NodeDown("warren@b"));
        QuorumEffect.Deliver delivery = (QuorumEffect.Deliver) effects.get(0);
        assertEquals(ALICE, delivery.consumer());
        assertTrue(delivery.redelivered());
    }

    @Test
    void basicGetHoldsTheMessageForItsChannelUnlessNoAck() {
        publish("a");
        publish("b");
        ConsumerKey gets = ConsumerKey.forGets("warren@a", 3);
        QuorumEffect.GetResult first = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, false)).get(0);
        assertEquals(1, first.remaining());
        assertFalse(first.redelivered());
        apply(new QuorumCommand.Get(gets, true));
        QuorumEffect.GetResult empty = (QuorumEffect.GetResult) apply(new QuorumCommand.Get(gets, true)).get(0);
        assertNull(empty.message());
        assertEquals(1, queue.totalCount(), "the acked get still held");
        apply(new QuorumCommand.ChannelDown("warren@a", 3));
        assertEquals(1, queue.readyCount(), "its channel closed: back in the queue");
    }
}
