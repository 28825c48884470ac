package dev.warren.amqp;

import dev.warren.core.QueueProcess;

/**
 * Work for a queue, run on the queue's owner thread with its state. A task that has someone waiting on
 * it (a publisher's confirm, a channel's suspended command) says what to do when it fails, so that the
 * failure reaches them the same way whether the queue lives on this event loop or another.
 */
@FunctionalInterface
interface QueueTask {
    void run(QueueProcess queue);

    /** The task threw; runs on the queue's thread, right after. By default the failure is only logged. */
    default void failed(RuntimeException error) {
    }
}
