package dev.warren.amqp;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work posted to a connection from queues on other event loops (deliveries, confirms, answers to suspended
 * commands). Tasks gather in a lock-free queue and run in one batch per wake-up of the connection's loop,
 * so a burst of deliveries costs one hand-off and one flush, not one each. A task that throws is logged and
 * the rest of the batch still runs, and so does the after-batch step (which sends the confirms).
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private final EventLoop loop;
    /** Chunks of 64 (Netty's default of 1024 would be 4 KiB per connection before anything is posted), up to 2^30. */
    private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue(64, 1 << 30);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable afterBatch;

    /** @param afterBatch runs after each batch, e.g. to send the confirms the batch completed */
    Outbox(EventLoop loop, Runnable afterBatch) {
        this.loop = loop;
        this.afterBatch = afterBatch;
    }

    EventLoop loop() {
        return loop;
    }

    /** Runs the task on the connection's loop: now if already there, else in the next batch. */
    void post(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
    }

    void drain() {
        scheduled.set(false);
        try {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("A task posted to a connection failed", e);
                }
            }
        } finally {
            afterBatch.run();
        }
    }
}
