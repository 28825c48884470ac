package dev.warren.core.store;

import dev.warren.core.message.Message;

/** The store of a broker that keeps everything in memory (tests, embedded use): writes nothing. */
public final class NoStore implements MessageStore {
    public static final NoStore INSTANCE = new NoStore();

    private NoStore() {
    }

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public int registerQueue(String vhost, String queue) {
        return -1;
    }

    @Override
    public void deleteQueue(int queueId) {
    }

    @Override
    public long append(Message message, int[] queueIds, int count, WriteCallback onDurable) {
        if (onDurable != null) {
            onDurable.completed(null);
        }
        return -1;
    }

    @Override
    public long spill(Message message) {
        throw new UnsupportedOperationException("nothing can be spilled without a store");
    }

    @Override
    public void ack(int queueId, long location) {
    }

    @Override
    public void release(long location) {
    }

    @Override
    public void read(long[] locations, int count, ReadCallback done) {
        throw new UnsupportedOperationException("nothing is stored without a store");
    }

    @Override
    public void afterDurable(WriteCallback done) {
        done.completed(null);
    }

    @Override
    public Throwable failure() {
        return null;
    }

    @Override
    public void markDelivered(int queueId, long location) {
    }
}
