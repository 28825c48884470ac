package dev.warren.core.store;

import dev.warren.core.message.Message;
import java.util.function.Consumer;

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
    public long append(Message message, int[] queueIds, int count, Runnable onDurable) {
        if (onDurable != null) {
            onDurable.run();
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
    public void read(long[] locations, int count, Consumer<Message[]> done) {
        throw new UnsupportedOperationException("nothing is stored without a store");
    }

    @Override
    public void afterDurable(Runnable task) {
        task.run();
    }

    @Override
    public void markDelivered(int queueId, long location) {
    }
}
