package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** x-expires: a queue unused for that long deletes itself; consumers, basic.get and (passive) redeclares are uses. */
@Timeout(60)
class QueueExpiryIT extends LifecycleITBase {

    private boolean exists(String queue) throws Exception {
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            probe.close();
            return true;
        } catch (IOException notFound) {
            return false;
        }
    }

    /**
     * Waits for the queue to go, looking at most once a second: a look (a passive declare) is a use too,
     * as in RabbitMQ, so looking more often than the expiry would keep it alive.
     */
    private void awaitGone(String queue) throws Exception {
        awaitGone(queue, 1_000);
    }

    private void awaitGone(String queue, long lookEveryMillis) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        do {
            pause(lookEveryMillis);
            if (!exists(queue)) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(queue + " did not expire");
    }

    private static void pause(long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        BrokerFixture.await(millis + " ms to pass", millis + 5_000, () -> System.nanoTime() > until);
    }

    @Test
    void anUnusedQueueIsDeletedOnceItsExpiryHasPassedMessagesAndAll() throws Exception {
        declare("exp.unused", Map.of("x-expires", 300));
        Queues.publish(channel, "exp.unused", "with it");
        awaitGone("exp.unused");
    }

    @Test
    void aQueueWithAConsumerDoesNotExpireAndItsClockStartsWhenTheLastConsumerLeaves() throws Exception {
        declare("exp.consumed", Map.of("x-expires", 300));
        String tag = channel.basicConsume("exp.consumed", true, new DefaultConsumer(channel));
        pause(800);
        assertTrue(exists("exp.consumed"), "a consumer keeps it");
        channel.basicCancel(tag);
        awaitGone("exp.consumed");
    }

    @Test
    void basicGetAndRedeclaringAreUsesThatRestartTheClock() throws Exception {
        // 300 ms between uses against an expiry of 1.5 s: a loaded machine may stall the client for a while
        declare("exp.touched", Map.of("x-expires", 1_500));
        for (int i = 0; i < 6; i++) {
            pause(300);
            switch (i % 3) {
                case 0 -> channel.basicGet("exp.touched", true);
                case 1 -> channel.queueDeclare("exp.touched", false, false, false, Map.of("x-expires", 1_500));
                default -> channel.queueDeclarePassive("exp.touched");
            }
        }
        assertTrue(exists("exp.touched"), "used every 300 ms: still there after 1.8 s, past its 1.5 s expiry");
        awaitGone("exp.touched", 2_500);
        assertEquals(true, channel.isOpen());
    }

    @Test
    void publishingToAQueueIsNotAUse() throws Exception {
        declare("exp.published", Map.of("x-expires", 1_000));
        long deadline = System.nanoTime() + 15_000_000_000L;
        do {
            // ~1.5 s of publishing between looks: the looks (passive declares, which are uses) come too seldom
            for (int i = 0; i < 5; i++) {
                pause(300);
                Queues.publish(channel, "exp.published", "still publishing");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("published to every 300 ms, it never expired");
            }
        } while (exists("exp.published"));
    }

    @Test
    void anUnacknowledgedMessageFromBasicGetDoesNotKeepTheQueue() throws Exception {
        declare("exp.held", Map.of("x-expires", 500));
        Queues.publish(channel, "exp.held", "held");
        Channel holder = connection.createChannel();
        Queues.awaitGet(holder, "exp.held", false);
        awaitGone("exp.held");
        assertTrue(holder.isOpen(), "the holder's channel is not closed by the queue going");
    }
}
