package dev.warren.amqp;

import dev.warren.core.AmqpException;
import dev.warren.core.MessageQueue;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands work to queues in batches: tasks gathered during one read cycle go to each queue's event loop as a
 * single task, in the order they were submitted. Work for a queue owned by the current loop runs at once.
 * Either way a task that throws is reported to it ({@link QueueTask#failed}) and never stops the tasks
 * after it. Used only on its connection's event loop.
 */
final class TaskBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TaskBatcher.class);
    private final Map<EventExecutor, List<Object>> pending = new HashMap<>();

    void submit(MessageQueue queue, QueueTask task) {
        EventExecutor executor = queue.executor();
        if (executor.inEventLoop()) {
            run(queue, task);
        } else {
            List<Object> batch = pending.computeIfAbsent(executor, e -> new ArrayList<>());
            batch.add(queue);
            batch.add(task);
        }
    }

    /** Sends every gathered batch to its loop. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<EventExecutor, List<Object>> batch : pending.entrySet()) {
            List<Object> tasks = batch.getValue();
            batch.getKey().execute(() -> runAll(tasks));
        }
        pending.clear();
    }

    private static void runAll(List<Object> tasks) {
        for (int i = 0; i < tasks.size(); i += 2) {
            run((MessageQueue) tasks.get(i), (QueueTask) tasks.get(i + 1));
        }
    }

    private static void run(MessageQueue queue, QueueTask task) {
        try {
            task.run(queue.process());
        } catch (AmqpException e) {
            LOG.debug("A task on {} was refused: {}", queue.describe(), e.replyText()); // the client's error, not ours
            reportFailure(queue, task, e);
        } catch (RuntimeException e) {
            LOG.error("A task on {} failed", queue.describe(), e);
            reportFailure(queue, task, e);
        }
    }

    private static void reportFailure(MessageQueue queue, QueueTask task, RuntimeException e) {
        try {
            task.failed(e);
        } catch (RuntimeException again) {
            LOG.error("Reporting the failure of a task on {} failed too", queue.describe(), again);
        }
    }
}
