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
 * <p>Beside each location it can keep the entry's expiry, so that expired messages leave the head without
 * their bodies being read, and its body size, for a queue limited in bytes. Both columns are created only
 * when needed (the first entry that expires; a byte limit), so a plain queue pays 8 bytes per entry.
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
        /**
         * A message read back, with whether it was delivered before (it was paged out after a requeue or a
         * crash) and whether its size was unknown here (it was restored after a restart).
         */
        void loaded(Message message, boolean redelivered, boolean sizeWasUnknown);

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
    /** An entry's expiry when it has none; an expiry not known until the message is read (restored entries). */
    static final long NEVER = Long.MAX_VALUE;
    static final long UNKNOWN = Long.MIN_VALUE;
    private static final long SIZE_UNKNOWN = -1;

    private final LongQueue paged = new LongQueue();
    /** Each paged entry's expiry (ms since the epoch), once any entry has one; else null. */
    private LongQueue expiries;
    /** Each paged entry's body size, when the queue is limited in bytes; else null. */
    private LongQueue sizes;
    /** The entries being read back right now, or null; and their sizes when kept. */
    private long[] inFlight;
    private long[] inFlightSizes;
    /** The in-flight read failed; the batch is read again on the next request. */
    private boolean stalled;

    PagedBacklog(MessageStore store, int storeId, Executor owner, String describe, boolean keepSizes, Listener listener) {
        this.sizes = keepSizes ? new LongQueue() : null;
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
    void pageOut(Message message, boolean storedHere, boolean redelivered, long expiresAt) {
        long entry = storedHere ? message.location() : store.spill(message) | Locations.SPILLED;
        if (redelivered) {
            entry |= Locations.REDELIVERED;
        }
        paged.addLast(entry);
        addMeta(expiresAt, message.bodySize());
        message.release();
    }

    /**
     * Adds entries the store recovered for this queue, behind anything already here; {@code expiry} is
     * {@link #UNKNOWN} when the queue expires messages (they must be read to know), else {@link #NEVER}.
     */
    void restore(long[] entries, long expiry) {
        for (long entry : entries) {
            paged.addLast(entry);
            addMeta(expiry, SIZE_UNKNOWN);
        }
    }

    private void addMeta(long expiresAt, long size) {
        if (expiries == null && expiresAt != NEVER) {
            expiries = new LongQueue();
            for (long i = paged.size() - 1; i > 0; i--) {
                expiries.addLast(NEVER); // the entries before this one
            }
        }
        if (expiries != null) {
            expiries.addLast(expiresAt);
        }
        if (sizes != null) {
            sizes.addLast(size);
        }
    }

    /**
     * The queue's TTL changed: every entry's expiry must be worked out again, so each becomes
     * {@link #UNKNOWN} and is read to know when it reaches the head (as restored entries are).
     */
    void forgetExpiries() {
        if (paged.isEmpty()) {
            return;
        }
        if (expiries == null) {
            expiries = new LongQueue();
            for (long i = paged.size(); i > 0; i--) {
                expiries.addLast(UNKNOWN);
            }
        } else {
            expiries.fill(UNKNOWN);
        }
    }

    /**
     * The queue became limited in bytes: from now on sizes are kept. The sizes of the entries already here
     * are unknown; each is counted once read back ({@link Listener#loaded} says so).
     */
    void keepSizes() {
        if (sizes != null) {
            return;
        }
        sizes = new LongQueue();
        for (long i = paged.size(); i > 0; i--) {
            sizes.addLast(SIZE_UNKNOWN);
        }
        if (inFlight != null) {
            inFlightSizes = new long[inFlight.length];
            java.util.Arrays.fill(inFlightSizes, SIZE_UNKNOWN);
        }
    }

    /**
     * The expiry of the entry at the head, when it is here and not being read: {@link #NEVER} when it has
     * none (or the backlog is empty, or a read is under way), {@link #UNKNOWN} when it must be read to know.
     */
    long headExpiry() {
        if (inFlight != null || paged.isEmpty() || expiries == null) {
            return NEVER;
        }
        return expiries.peekFirst();
    }

    /** Whether the head entry can be dropped without reading it: it is here, and no read is under way. */
    boolean canDropHead() {
        return inFlight == null && !paged.isEmpty();
    }

    /**
     * Drops the head entry unread (it expired, or a full queue drops it): a spilled copy is released, a
     * stored entry acked. Returns its body size, or -1 when not known.
     */
    long dropHead() {
        long entry = paged.pollFirst();
        if (expiries != null) {
            expiries.pollFirst();
        }
        long size = sizes == null ? SIZE_UNKNOWN : sizes.pollFirst();
        drop(entry, true);
        return size;
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
        inFlightSizes = sizes == null ? null : new long[batch.length];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = paged.pollFirst();
            if (expiries != null) {
                expiries.pollFirst();
            }
            if (sizes != null) {
                inFlightSizes[i] = sizes.pollFirst();
            }
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
        long[] batchSizes = inFlightSizes;
        inFlightSizes = null;
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
            listener.loaded(message, Locations.redelivered(entry), batchSizes != null && batchSizes[i] == SIZE_UNKNOWN);
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
            inFlightSizes = null;
            stalled = false;
        }
        while (!paged.isEmpty()) {
            drop(paged.pollFirst(), ackStored);
        }
        if (expiries != null) {
            expiries.clear();
        }
        if (sizes != null) {
            sizes.clear();
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
