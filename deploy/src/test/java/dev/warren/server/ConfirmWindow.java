package dev.warren.server;

import com.rabbitmq.client.ConfirmListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A crash test publisher's confirms in flight: at most a fixed number of messages unconfirmed, each known by its
 * publish sequence number until an ack or a nack (of it alone, or multiple) settles it; the acked ids go to a sink.
 */
final class ConfirmWindow implements ConfirmListener {
    final AtomicLong confirmed = new AtomicLong();
    final AtomicLong nacked = new AtomicLong();
    private final Semaphore room;
    private final ConcurrentNavigableMap<Long, String> unconfirmed = new ConcurrentSkipListMap<>();
    private final Consumer<List<String>> onConfirmed;

    ConfirmWindow(int size, Consumer<List<String>> onConfirmed) {
        this.room = new Semaphore(size);
        this.onConfirmed = onConfirmed;
    }

    /** Waits up to the given time for room for one more message; false when there was none. */
    boolean reserve(long millis) throws InterruptedException {
        return room.tryAcquire(millis, TimeUnit.MILLISECONDS);
    }

    /** Records the id of the message about to be published with this sequence number (room reserved). */
    void sending(long sequenceNumber, String id) {
        unconfirmed.put(sequenceNumber, id);
    }

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
        List<String> ids = settle(deliveryTag, multiple);
        onConfirmed.accept(ids);
        confirmed.addAndGet(ids.size());
        room.release(ids.size());
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
        int settled = settle(deliveryTag, multiple).size();
        nacked.addAndGet(settled);
        room.release(settled);
    }

    private List<String> settle(long deliveryTag, boolean multiple) {
        List<String> ids = new ArrayList<>();
        for (Long tag : multiple ? new ArrayList<>(unconfirmed.headMap(deliveryTag, true).keySet()) : List.of(deliveryTag)) {
            String id = unconfirmed.remove(tag);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }
}
