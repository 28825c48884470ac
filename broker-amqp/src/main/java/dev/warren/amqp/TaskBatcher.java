package dev.warren.amqp;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands work to queues owned by other event loops in batches: tasks gathered during one read cycle go
 * to each loop as a single task, in the order they were submitted. Work for a queue owned by the
 * current loop runs at once. Used only on its connection's event loop.
 */
final class TaskBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TaskBatcher.class);
    private final Map<EventExecutor, List<Runnable>> pending = new HashMap<>();

    void submit(EventExecutor executor, Runnable task) {
        if (executor.inEventLoop()) {
            task.run();
        } else {
            pending.computeIfAbsent(executor, e -> new ArrayList<>()).add(task);
        }
    }

    /** Sends every gathered batch to its loop. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<EventExecutor, List<Runnable>> batch : pending.entrySet()) {
            List<Runnable> tasks = batch.getValue();
            batch.getKey().execute(() -> runAll(tasks));
        }
        pending.clear();
    }

    private static void runAll(List<Runnable> tasks) {
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("A queue task failed", e);
            }
        }
    }
}
