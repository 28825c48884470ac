package dev.warren.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Flow control by queue depth, RabbitMQ's credit flow in spirit: a queue is <em>behind</em> while it holds many
 * ready messages and a consumer that wants more cannot take them because its connection is still sending
 * earlier deliveries (the client reads more slowly than publishers publish). A connection that publishes to a
 * behind queue stops being read and waits here; while the queue stays behind, every {@link #CREDIT} deliveries
 * wake the waiting publishers for another read, so they go at the consumers' pace and the queue stops growing;
 * once it has caught up (few ready messages, or no consumer held back by its socket) they run freely again. A
 * consumer that reads nothing at all slows its publishers but does not stop them: they are also woken
 * {@link #LONGEST_WAIT_MILLIS} after they began to wait (RabbitMQ does not stop publishers for a stuck consumer either).
 *
 * <p>A queue without consumers, or whose consumers are only out of prefetch credit, is never behind: as in
 * RabbitMQ, a slow worker does not block its producers (the queue grows, and pages out past the memory budget).
 *
 * <p>{@link #behind}, {@link #await} and {@link #cancel} run on any thread; {@link #update} on the queue's own.
 */
public final class QueueFlow {
    /** Ready messages at which a queue whose consumers are held back by their sockets is behind. */
    static final int HIGH_WATER_MARK = 2_000;
    /** Ready messages at or below which it has caught up. */
    static final int LOW_WATER_MARK = 1_000;
    /** Deliveries, while behind, after which the waiting publishers are read once more. */
    static final int CREDIT = 500;
    /** The longest a publisher waits for a behind queue before it is read once more. */
    static final long LONGEST_WAIT_MILLIS = 10;

    /** Runs a task on the queue's thread after a delay. */
    @FunctionalInterface
    interface Timer {
        void after(long millis, Runnable task);
    }

    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final Timer timer;
    /** A wake-up after {@link #LONGEST_WAIT_MILLIS} is set for those waiting. */
    private final AtomicBoolean timerSet = new AtomicBoolean();
    private volatile boolean behind;
    /** Owner thread: deliveries since the waiting publishers were last woken. */
    private long deliveredSinceWake;

    QueueFlow(Timer timer) {
        this.timer = timer;
    }

    /** Any thread: whether publishing to this queue should wait. */
    public boolean behind() {
        return behind;
    }

    /**
     * Any thread: runs {@code wake} once, on the queue's thread, when the queue has taken in its consumers' pace a
     * little more or caught up — at once (here) if it already has.
     */
    public void await(Runnable wake) {
        waiting.add(wake);
        if (!behind && waiting.remove(wake)) {
            wake.run(); // caught up while it was being added: nobody else will run it
            return;
        }
        if (timerSet.compareAndSet(false, true)) {
            timer.after(LONGEST_WAIT_MILLIS, this::waitedLongest);
        }
    }

    /** Any thread: a waiter that went away (its connection closed) is not woken. */
    public void cancel(Runnable wake) {
        waiting.remove(wake);
    }

    /**
     * Owner thread, after each change: {@code ready} messages wait, {@code delivered} went out since the last
     * call, and {@code consumers} tells whether one is held back by its connection.
     */
    void update(long ready, int delivered, ConsumerRing consumers) {
        if (!behind) {
            if (ready >= HIGH_WATER_MARK && consumers.anyBackedUp()) {
                behind = true;
                deliveredSinceWake = 0;
            }
            return;
        }
        if (ready <= LOW_WATER_MARK || !consumers.anyBackedUp()) {
            behind = false;
            wakeAll();
            return;
        }
        deliveredSinceWake += delivered;
        if (deliveredSinceWake >= CREDIT) {
            deliveredSinceWake = 0;
            wakeAll();
        }
    }

    /** Owner thread: the queue is gone (or stopped); nobody waits for it any more. */
    void release() {
        behind = false;
        wakeAll();
    }

    private void waitedLongest() {
        timerSet.set(false);
        wakeAll();
    }

    private void wakeAll() {
        for (Runnable wake; (wake = waiting.poll()) != null; ) {
            wake.run();
        }
    }
}
