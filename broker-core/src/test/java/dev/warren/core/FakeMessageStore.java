package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.ReadCallback;
import dev.warren.core.store.WriteCallback;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A message store in memory for queue tests: spills and appends keep the message, reads wait until the
 * test completes them ({@link #completeReads} / {@link #failReads}), and acks and releases are recorded.
 */
final class FakeMessageStore implements MessageStore {
    private final Map<Long, Message> records = new HashMap<>();
    private final ArrayDeque<Runnable> pendingReads = new ArrayDeque<>();
    private final ArrayDeque<ReadCallback> pendingCallbacks = new ArrayDeque<>();
    final List<Long> acked = new ArrayList<>();
    final List<Long> released = new ArrayList<>();
    final List<Integer> deletedQueues = new ArrayList<>();
    /** Messages handed back by completed reads. */
    int messagesRead;
    private long nextLocation = 1;
    private int nextQueueId = 1;

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public int registerQueue(String vhost, String queue) {
        return nextQueueId++;
    }

    @Override
    public void deleteQueue(int queueId) {
        deletedQueues.add(queueId);
    }

    @Override
    public long append(Message message, int[] queueIds, int count, WriteCallback onDurable) {
        long location = keep(message);
        message.storedAt(location);
        if (onDurable != null) {
            onDurable.completed(null);
        }
        return location;
    }

    @Override
    public long spill(Message message) {
        return keep(message);
    }

    private long keep(Message message) {
        long location = nextLocation++;
        records.put(location, message.retain());
        return location;
    }

    @Override
    public void ack(int queueId, long location) {
        acked.add(location);
    }

    @Override
    public void release(long location) {
        released.add(location);
        Message kept = records.remove(location);
        if (kept != null) {
            kept.release();
        }
    }

    @Override
    public void read(long[] locations, int count, ReadCallback done) {
        long[] wanted = java.util.Arrays.copyOf(locations, count);
        pendingCallbacks.add(done);
        pendingReads.add(() -> {
            Message[] messages = new Message[wanted.length];
            for (int i = 0; i < wanted.length; i++) {
                Message kept = records.get(dev.warren.core.store.Locations.plain(wanted[i]));
                messages[i] = kept == null ? null : copy(kept);
            }
            messagesRead += wanted.length;
            done.completed(messages, null);
        });
    }

    private static Message copy(Message kept) {
        return new Message(kept.exchange(), kept.routingKey(), kept.properties().retainedDuplicate(),
                kept.body().retainedDuplicate(), kept.arrivedAt());
    }

    int pendingReadCount() {
        return pendingReads.size();
    }

    /** Completes every read waiting, in order. */
    void completeReads() {
        pendingCallbacks.clear();
        for (Runnable read; (read = pendingReads.poll()) != null; ) {
            read.run();
        }
    }

    /** Fails every read waiting, as a failed store would. */
    void failReads() {
        pendingReads.clear();
        for (ReadCallback callback; (callback = pendingCallbacks.poll()) != null; ) {
            callback.completed(null, new java.io.IOException("disk gone"));
        }
    }

    @Override
    public void afterDurable(WriteCallback done) {
        done.completed(null);
    }

    @Override
    public Throwable failure() {
        return null;
    }

    /** Lets go of the copies still kept. */
    void close() {
        records.values().forEach(Message::release);
        records.clear();
    }

    @Override
    public void markDelivered(int queueId, long location) {
    }
}
