package dev.warren.core;

import dev.warren.core.message.Message;
import dev.warren.core.store.Locations;
import dev.warren.core.store.MessageStore;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a queue that is not on the heap: the store locations of messages paged out, oldest first
 * (8 bytes each), read back in batches when the queue's ready list runs low.
 *
 * <p>A persistent message of a durable queue is in the store already and only its location is kept; any
 * other message is spilled there first ({@link Locations#SPILLED} marks those, and the copy is released
 * once read back or dropped). Reads happen off the owner thread; their result comes back to it through
 * {@code owner} and is handed to the {@link Listener}. At most one read is under way at a time, and a read
 * overtaken by a purge or delete is recognised as stale and let go of. A failed read (the store failed)
 * keeps its entries and is tried again when someone asks for messages ({@link #loadIfLow} with demand).
 *
 * <p>Owner thread only.
 */
final class PagedBacklog {
    private static final Logger LOG = LoggerFactory.getLogger(PagedBacklog.class);
    /** Paged entries read back at once, and the ready count below which the next batch is read. */
    static final int LOAD_BATCH = 512;
    static final int LOAD_BELOW = 256;

    /** Where read-back messages go, on the owner thread. */
    interface Listener {
        /** A message read back, with whether it was delivered before (it was paged out after a requeue or a crash). */
        void loaded(Message message, boolean redelivered);

        /** A batch has been added through {@link #loaded}. */
        void batchLoaded();

        /** A read failed; its entries stay here and are read again on the next request. */
        void loadFailed();
    }

    private final MessageStore store;
    private final int storeId;
    private final Executor owner;
    private final String describe;
    private final Listener listener;
    private final LongQueue paged = new LongQueue();
    /** The entries being read back right now, or null. */
    private long[] inFlight;
    /** The in-flight read failed; the batch is read again on the next request. */
    private boolean stalled;

    PagedBacklog(MessageStore store, int storeId, Executor owner, String describe, Listener listener) {
        this.store = store;
        this.storeId = storeId;
        this.owner = owner;
        this.describe = describe;
        this.listener = listener;
    }

    /** Messages held here: paged out, or being read back. */
    long size() {
        return paged.size() + (inFlight == null ? 0 : inFlight.length);
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Keeps only the message's location: it is in the store already ({@code storedHere}), or is spilled
     * there now. Takes over the caller's reference to the message.
     *
     * @throws dev.warren.core.store.StoreFailedException when the message had to be spilled and the store
     *         has failed; the caller keeps its reference then
     */
    void pageOut(Message message, boolean storedHere) {
        long entry = storedHere ? message.location() : store.spill(message) | Locations.SPILLED;
        paged.addLast(entry);
        message.release();
    }

    /** Adds entries the store recovered for this queue, behind anything already here. */
    void restore(long[] entries) {
        for (long entry : entries) {
            paged.addLast(entry);
        }
    }

    /**
     * Starts reading the next batch back when the ready list is below the low mark. {@code demand} (a
     * basic.get, a new consumer) reads even above the mark and retries a read that failed; without it a
     * failed read is not retried, so a failed store does not make the queue spin.
     */
    void loadIfLow(int readySize, boolean demand) {
        if ((readySize >= LOAD_BELOW && !demand) || isEmpty()) {
            return;
        }
        if (inFlight != null) {
            if (!stalled || !demand) {
                return; // a read is under way, or failed and waits for someone to ask again
            }
            stalled = false;
        } else {
            inFlight = takeBatch();
        }
        long[] batch = inFlight;
        store.read(batch, batch.length, (messages, failure) -> owner.execute(() -> completed(batch, messages, failure)));
    }

    private long[] takeBatch() {
        long[] batch = new long[(int) Math.min(paged.size(), LOAD_BATCH)];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = paged.pollFirst();
        }
        return batch;
    }

    private void completed(long[] batch, Message[] messages, Throwable failure) {
        if (batch != inFlight) { // purged, deleted or stopped meanwhile
            releaseAll(messages);
            return;
        }
        if (failure != null) {
            if (!stalled) {
                LOG.error("Could not read {} paged messages of {} back from the store; they stay queued: {}",
                        batch.length, describe, failure.toString());
            }
            stalled = true;
            listener.loadFailed();
            return;
        }
        inFlight = null;
        for (int i = 0; i < batch.length; i++) {
            long entry = batch[i];
            Message message = messages[i];
            boolean spilled = Locations.spilled(entry);
            if (spilled) {
                store.release(Locations.plain(entry));
            }
            if (message == null) {
                LOG.error("Dropped an unreadable message from {} (store location {})", describe, Locations.plain(entry));
                if (!spilled) {
                    store.ack(storeId, Locations.plain(entry));
                }
                continue;
            }
            if (!spilled) {
                message.storedAt(Locations.plain(entry));
            }
            listener.loaded(message, Locations.redelivered(entry));
        }
        listener.batchLoaded();
    }

    /**
     * Lets go of every entry: spilled copies are released; stored ones are acked in the store when
     * {@code ackStored} (a purge), else left there (the queue was deleted as a whole, or the broker stops).
     * Returns how many there were.
     */
    long dropAll(boolean ackStored) {
        long count = size();
        if (inFlight != null) {
            for (long entry : inFlight) {
                drop(entry, ackStored);
            }
            inFlight = null; // a read under way is now stale: its messages are just released
            stalled = false;
        }
        while (!paged.isEmpty()) {
            drop(paged.pollFirst(), ackStored);
        }
        return count;
    }

    private void drop(long entry, boolean ackStored) {
        if (Locations.spilled(entry)) {
            store.release(Locations.plain(entry));
        } else if (ackStored) {
            store.ack(storeId, Locations.plain(entry));
        }
    }

    private static void releaseAll(Message[] messages) {
        if (messages == null) {
            return;
        }
        for (Message m : messages) {
            if (m != null) {
                m.release();
            }
        }
    }
}
