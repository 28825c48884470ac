package dev.warren.amqp.it;

import dev.warren.core.message.Message;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.ReadCallback;
import dev.warren.core.store.StoreFailedException;
import dev.warren.core.store.WriteCallback;
import java.util.ArrayList;
import java.util.List;

/**
 * A message store for tests of what the broker does when its store fails: writes wait (their callbacks
 * are held, like an fsync that has not come back) until the test fails the store, which completes them
 * with the cause and refuses every write after it, as the journal promises.
 */
final class ControllableStore implements MessageStore {
    private final List<WriteCallback> waiting = new ArrayList<>();
    private Throwable failure;
    private boolean writesComplete;
    private long nextLocation = 1;
    private int nextQueueId = 1;

    synchronized void fail(Throwable cause) {
        failure = cause;
        waiting.forEach(callback -> callback.completed(cause));
        waiting.clear();
    }

    synchronized int waitingWrites() {
        return waiting.size();
    }

    /** Every waiting write reaches the disk now, and every later one at once. */
    synchronized void completeWrites() {
        writesComplete = true;
        waiting.forEach(callback -> callback.completed(null));
        waiting.clear();
    }

    synchronized int appends() {
        return (int) (nextLocation - 1);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public synchronized int registerQueue(String vhost, String queue) {
        return nextQueueId++;
    }

    @Override
    public void deleteQueue(int queueId) {
    }

    @Override
    public synchronized long append(Message message, int[] queueIds, int count, WriteCallback onDurable) {
        if (failure != null) {
            throw new StoreFailedException("the message store has failed", failure);
        }
        long location = nextLocation++;
        message.storedAt(location);
        if (onDurable != null) {
            if (writesComplete) {
                onDurable.completed(null);
            } else {
                waiting.add(onDurable);
            }
        }
        return location;
    }

    @Override
    public long spill(Message message) {
        throw new StoreFailedException("this test store does not page", failure);
    }

    @Override
    public void ack(int queueId, long location) {
    }

    @Override
    public void release(long location) {
    }

    @Override
    public void read(long[] locations, int count, ReadCallback done) {
        done.completed(null, new IllegalStateException("this test store does not page"));
    }

    @Override
    public synchronized void afterDurable(WriteCallback done) {
        if (failure != null) {
            done.completed(failure);
        } else {
            waiting.add(done);
        }
    }

    @Override
    public synchronized Throwable failure() {
        return failure;
    }

    @Override
    public void markDelivered(int queueId, long location) {
    }
}
