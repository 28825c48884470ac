package dev.warren.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.QueueProcess;
import dev.warren.core.auth.Users;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskBatcherTest {
    private final EventLoop queueLoop = new DefaultEventLoop();
    private final MessageQueue queue = new Broker(Users.withDefaultUser("guest", "guest")).vhost("/")
            .declareQueue("q", false, false, false, Map.of(), null, queueLoop);
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoop() {
        queueLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private QueueTask recording(String name) {
        return q -> ran.add(name);
    }

    private QueueTask failing(String name) {
        return new QueueTask() {
            @Override
            public void run(QueueProcess q) {
                throw new IllegalStateException("boom in " + name);
            }

            @Override
            public void failed(RuntimeException error) {
                ran.add(name + " failed: " + error.getMessage());
            }
        };
    }

    @Test
    void aFailingTaskIsReportedAndTheTasksAfterItInTheBatchStillRun() throws Exception {
        TaskBatcher batcher = new TaskBatcher();
        batcher.submit(queue, recording("first"));
        batcher.submit(queue, failing("second"));
        batcher.submit(queue, recording("third"));
        assertTrue(ran.isEmpty(), "nothing runs before the batch is flushed to the queue's loop");
        batcher.flush();
        queueLoop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("first", "second failed: boom in second", "third"), ran);
    }

    @Test
    void aFailingTaskOnTheQueuesOwnLoopIsReportedTheSameWay() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        queueLoop.execute(() -> {
            TaskBatcher batcher = new TaskBatcher(); // a connection on the queue's own loop: tasks run at once
            batcher.submit(queue, failing("inline"));
            batcher.submit(queue, recording("after"));
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("inline failed: boom in inline", "after"), ran);
    }
}
