package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aFailingTaskDoesNotSkipTheTasksAfterItNorTheAfterBatchStep() throws Exception {
        CountDownLatch batchDone = new CountDownLatch(1);
        Outbox outbox = new Outbox(loop, () -> {
            ran.add("confirms sent");
            batchDone.countDown();
        });
        CountDownLatch posted = new CountDownLatch(1);
        loop.execute(() -> awaitQuietly(posted)); // hold the loop so the three land in one batch
        outbox.post(() -> ran.add("one"));
        outbox.post(() -> {
            throw new IllegalStateException("boom");
        });
        outbox.post(() -> ran.add("three"));
        posted.countDown();
        assertTrue(batchDone.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("one", "three", "confirms sent"), ran);
    }

    @Test
    void aTaskPostedOnTheConnectionsOwnLoopRunsAtOnce() throws Exception {
        Outbox outbox = new Outbox(loop, () -> { });
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            outbox.post(() -> ran.add("inline"));
            ran.add("after post");
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("inline", "after post"), ran);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
