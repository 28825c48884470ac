package dev.warren.amqp.it;

import dev.warren.core.message.Message;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.ReadCallback;
import dev.warren.core.store.StoreFailedException;
import dev.warren.core.store.WriteBacklog;
import dev.warren.core.store.WriteCallback;
import java.util.ArrayList;
import java.util.List;

/**
 * A message store for tests of what the broker does when its store fails or lags: writes wait (their callbacks
 * are held, like an fsync that has not come back) until the test completes them or fails the store, which
 * completes them with the cause and refuses every write after it, as the journal promises. Paged-out messages
 * (spills) stay in memory and in its write backlog until the writes complete; nothing is read back.
 */
final class ControllableStore implements MessageStore {
    private final List<WriteCallback> waiting = new ArrayList<>();
    private final List<Message> unwrittenSpills = new ArrayList<>();
    private final WriteBacklog backlog;
    private int spills;
    private int appends;
    private Throwable failure;
    private boolean writesComplete;
    private long nextLocation = 1;
    private int nextQueueId = 1;

    ControllableStore() {
        this(WriteBacklog.NONE);
    }

    ControllableStore(WriteBacklog backlog) {
        this.backlog = backlog;
    }

    synchronized void fail(Throwable cause) {
        failure = cause;
        waiting.forEach(callback -> callback.completed(cause));
        waiting.clear();
    }

    synchronized int waitingWrites() {
        return waiting.size();
    }

    /** Every waiting write reaches the disk now, and every later one at once. */
    void completeWrites() {
        List<Message> written;
        synchronized (this) {
            writesComplete = true;
            waiting.forEach(callback -> callback.completed(null));
            waiting.clear();
            written = new ArrayList<>(unwrittenSpills);
            unwrittenSpills.clear();
        }
        for (Message message : written) {
            backlog.remove(message.bodySize());
            message.release();
        }
    }

    synchronized int spills() {
        return spills;
    }

    synchronized int appends() {
        return appends;
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
        appends++;
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
    public WriteBacklog writeBacklog() {
        return backlog;
    }

    @Override
    public long spill(Message message) {
        backlog.add(message.bodySize());
        synchronized (this) {
            if (failure != null) {
                backlog.remove(message.bodySize());
                throw new StoreFailedException("the message store has failed", failure);
            }
            spills++;
            if (!writesComplete) {
                unwrittenSpills.add(message.retain());
                return nextLocation++;
            }
        }
        backlog.remove(message.bodySize());
        return nextLocation++;
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
