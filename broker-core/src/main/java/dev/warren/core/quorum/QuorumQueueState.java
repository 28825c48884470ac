package dev.warren.core.quorum;

import dev.warren.core.quorum.QuorumEffect.DeadReason;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of one replicated (quorum) queue, as each of its replicas holds it: the messages it has, which
 * consumer holds which, and in what order the ready ones go out. It changes only by {@link #apply}ing the
 * queue's committed log, so every replica that applied the same commands holds the same state and has emitted
 * the same effects; a {@link #writeSnapshot snapshot} stands for the commands before it, so the log can be cut.
 *
 * <p>How it works, after RabbitMQ's quorum queues: a message's id is the place of its enqueue in the log
 * ({@link #position}: the entry's index, and its place in the entry when the entry is a batch). Ready
 * messages wait in runs: the returned (requeued) ones first, then the new ones in id order, those of high
 * priority two for every one of normal priority. Whenever a
 * command leaves a ready message and a consumer with free credit (its prefetch window minus what it holds), the
 * message is checked out to the next such consumer, round-robin, and a {@link QuorumEffect.Deliver} names it;
 * the node of that consumer sends it. Settling frees credit; returning puts messages back ahead of new ones
 * with their delivery count one more, and past the delivery limit they die (dead-lettered, or dropped without a
 * dead-letter exchange). A dead-lettered message stays here until the leader reports it published
 * ({@link QuorumCommand.DeadLettered}): dead-lettering is at least once. A closed channel or a lost node
 * returns what its consumers held. Length limits count ready messages (and their body bytes): past them the head
 * dies ({@code maxlen}), or with reject-publish an enqueue is refused ({@link QuorumEffect.Rejected}, the
 * publisher's nack). No clock is read: anything time-based must arrive as a command.
 *
 * <p>Threading: not thread-safe; the queue's one applier thread owns it.
 */
public final class QuorumQueueState {
    /** RabbitMQ 4's default delivery limit for quorum queues. */
    public static final int DEFAULT_DELIVERY_LIMIT = 20;
    /** No delivery limit. */
    public static final int UNLIMITED = -1;
    /** A message that does not expire. */
    public static final long NEVER = Long.MAX_VALUE;
    /** 2 added length limits, single active consumer and expiry; a version 1 snapshot has none of them. */
    private static final int SNAPSHOT_VERSION = 2;

    private enum Place { READY, CHECKED_OUT, DEAD_LETTERING }

    private enum Status { ACTIVE, CANCELLED, GETS }

    private static final class Entry {
        final byte[] message;
        int deliveryCount;
        boolean delivered;
        Place place = Place.READY;
        /** Its body's size once a byte limit asked for it (read from the message's bytes), else -1. */
        int bodySize = -1;
        final long expiresAt;

        Entry(byte[] message, long expiresAt) {
            this.message = message;
            this.expiresAt = expiresAt;
        }

        int bodySize() {
            if (bodySize < 0) {
                bodySize = QuorumMessages.bodySize(message);
            }
            return bodySize;
        }
    }

    private static final class ConsumerState {
        final int credit;
        final boolean exclusive;
        final int priority;
        Status status;
        /** What it holds, in the order it got it. */
        final LinkedHashSet<Long> held = new LinkedHashSet<>();
        /** In the service ring (it can take more). */
        boolean queued;

        ConsumerState(int credit, Status status, boolean exclusive, int priority) {
            this.credit = credit;
            this.status = status;
            this.exclusive = exclusive;
            this.priority = priority;
        }

        boolean canTake() {
            return status == Status.ACTIVE && held.size() < credit;
        }
    }

    private int deliveryLimit;
    private boolean deadLettering;
    private long maxLength = UNLIMITED;
    private long maxLengthBytes = UNLIMITED;
    private boolean rejectPublish;
    private boolean singleActiveConsumer;
    /** The ready messages' body bytes, counted while there is a byte limit. */
    private long readyBytes;
    /** The latest time a {@link QuorumCommand.Tick} told (epoch milliseconds): what expiry is judged by. */
    private long clock;
    private final HashMap<Long, Entry> messages = new HashMap<>();
    private final ArrayDeque<Long> returned = new ArrayDeque<>();
    private final ArrayDeque<Long> fresh = new ArrayDeque<>();
    /** New messages of high priority (5 and up): two of them go out for every one of {@link #fresh}. */
    private final ArrayDeque<Long> freshHigh = new ArrayDeque<>();
    /** High priority messages taken in a row since the last normal one (the 2:1 weighting). */
    private int highInARow;
    private final LinkedHashMap<ConsumerKey, ConsumerState> consumers = new LinkedHashMap<>();
    /** Consumers that can take a message, in the order they take the next ones. */
    private final ArrayDeque<ConsumerKey> serviceRing = new ArrayDeque<>();
    /** Some consumer ever had a priority (x-priority): dispatch then looks for the highest that can take. */
    private boolean prioritized;
    private long lastApplied;

    /** A queue with RabbitMQ's default delivery limit and no dead-letter exchange, until a Configure says more. */
    public QuorumQueueState() {
        this(DEFAULT_DELIVERY_LIMIT, false);
    }

    /**
     * @param deliveryLimit returns a message may have before it dies, or {@link #UNLIMITED}
     * @param deadLettering the queue has a dead-letter exchange: dead messages go there, else they are dropped
     */
    public QuorumQueueState(int deliveryLimit, boolean deadLettering) {
        this.deliveryLimit = deliveryLimit;
        this.deadLettering = deadLettering;
    }

    /** Ready messages: those a consumer or basic.get could take now. */
    public long readyCount() {
        return returned.size() + freshHigh.size() + fresh.size();
    }

    /** Messages out with consumers (or basic.get) and not yet settled. */
    public long checkedOutCount() {
        long n = 0;
        for (ConsumerState c : consumers.values()) {
            n += c.held.size();
        }
        return n;
    }

    /** Every message the queue holds: ready, out with consumers, and dead ones not yet dead-lettered. */
    public long totalCount() {
        return messages.size();
    }

    /** Consumers that take deliveries (not cancelled ones still holding messages). */
    public int consumerCount() {
        int n = 0;
        for (ConsumerState c : consumers.values()) {
            n += c.status == Status.ACTIVE ? 1 : 0;
        }
        return n;
    }

    /** How many commands one log entry may hold ({@link QuorumCommand.Batch}). */
    public static final int MAX_BATCH = 1 << 16;

    /** The place of the command at {@code offset} in the entry at log index {@code index}: a message's id. */
    public static long position(long index, int offset) {
        return (index << 16) | offset;
    }

    /** The position of the last command applied (or restored from a snapshot). */
    public long lastApplied() {
        return lastApplied;
    }

    /**
     * Applies the command committed at {@code position} (positions only grow; see {@link #position}) and tells
     * {@code effects} what it asks of the world, in order. An enqueue's message takes the position as its id.
     */
    public void apply(long position, QuorumCommand command, Consumer<QuorumEffect> effects) {
        if (position <= lastApplied) {
            throw new IllegalArgumentException("position " + position + " applied after " + lastApplied);
        }
        if (command instanceof QuorumCommand.Batch) {
            throw new IllegalArgumentException("a batch is applied command by command, each at its own position");
        }
        lastApplied = position;
        if (command instanceof QuorumCommand.Configure c) {
            configure(c);
            trimToLimit(effects); // a lower limit applies at once
        } else if (command instanceof QuorumCommand.Enqueue e) {
            enqueue(position, new Entry(e.message(), e.expiresAt()), e.high(), effects);
        } else if (command instanceof QuorumCommand.Tick t) {
            clock = Math.max(clock, t.now());
        } else if (command instanceof QuorumCommand.Checkout c) {
            checkout(c, effects);
        } else if (command instanceof QuorumCommand.Cancel c) {
            cancel(c.consumer());
        } else if (command instanceof QuorumCommand.Settle s) {
            settle(s.consumer(), s.ids());
        } else if (command instanceof QuorumCommand.Return r) {
            returnAll(r.consumer(), r.ids(), effects);
        } else if (command instanceof QuorumCommand.Discard d) {
            discard(d.consumer(), d.ids(), effects);
        } else if (command instanceof QuorumCommand.Get g) {
            get(g.holder(), g.noAck(), effects);
        } else if (command instanceof QuorumCommand.ChannelDown d) {
            channelsDown(k -> k.sameChannel(d.node(), d.channel()), effects);
        } else if (command instanceof QuorumCommand.NodeDown d) {
            channelsDown(k -> k.node().equals(d.node()), effects);
        } else if (command instanceof QuorumCommand.Purge) {
            effects.accept(new QuorumEffect.Purged(purge()));
        } else if (command instanceof QuorumCommand.DeadLettered d) {
            for (long id : d.ids()) {
                Entry entry = messages.get(id);
                if (entry != null && entry.place == Place.DEAD_LETTERING) {
                    messages.remove(id);
                }
            }
        }
        expireHeads(effects);
        dispatch(effects);
    }

    private void configure(QuorumCommand.Configure c) {
        deliveryLimit = c.deliveryLimit();
        deadLettering = c.deadLettering();
        maxLength = c.maxLength();
        maxLengthBytes = c.maxLengthBytes();
        rejectPublish = c.rejectPublish();
        singleActiveConsumer = c.singleActiveConsumer();
        readyBytes = 0;
        for (ArrayDeque<Long> run : List.of(returned, freshHigh, fresh)) {
            for (Long id : run) {
                countReady(messages.get(id), 1);
            }
        }
    }

    /**
     * A new message joins the ready ones; over a length limit, reject-publish refuses it (the publisher's nack), and
     * drop-head lets the oldest ready ones die instead, as RabbitMQ's quorum queues count: ready messages only.
     */
    private void enqueue(long id, Entry entry, boolean high, Consumer<QuorumEffect> effects) {
        if (rejectPublish && wouldOverflow(entry)) {
            effects.accept(new QuorumEffect.Rejected());
            return;
        }
        messages.put(id, entry);
        (high ? freshHigh : fresh).addLast(id);
        countReady(entry, 1);
        trimToLimit(effects);
    }

    private boolean wouldOverflow(Entry entry) {
        return (maxLength != UNLIMITED && readyCount() >= maxLength)
                || (maxLengthBytes != UNLIMITED && readyBytes + entry.bodySize() > maxLengthBytes);
    }

    private boolean overLimit() {
        return (maxLength != UNLIMITED && readyCount() > maxLength)
                || (maxLengthBytes != UNLIMITED && readyBytes > maxLengthBytes);
    }

    /** drop-head: while over a limit the head (the next message out) dies, reason maxlen. */
    private void trimToLimit(Consumer<QuorumEffect> effects) {
        if (rejectPublish) {
            return;
        }
        while (overLimit()) {
            long id = nextReady();
            die(id, messages.get(id), DeadReason.MAXLEN, effects);
        }
    }

    private void checkout(QuorumCommand.Checkout c, Consumer<QuorumEffect> effects) {
        ConsumerKey key = c.consumer();
        if (c.credit() <= 0) {
            throw new IllegalArgumentException("a consumer needs a credit of at least 1, got " + c.credit());
        }
        ConsumerState existing = consumers.get(key);
        if (existing != null && existing.status == Status.ACTIVE) {
            return; // the same consumer again: a retried command
        }
        for (ConsumerState other : consumers.values()) {
            if (other.status == Status.ACTIVE && (c.exclusive() || other.exclusive)) {
                effects.accept(new QuorumEffect.Rejected()); // in exclusive use
                return;
            }
        }
        ConsumerState state = new ConsumerState(c.credit(), Status.ACTIVE, c.exclusive(), c.priority());
        if (c.priority() != 0) {
            prioritized = true;
        }
        if (existing != null) {
            state.held.addAll(existing.held); // a cancelled one of the same tag still holding messages
        }
        consumers.put(key, state);
        enqueueForService(key, state);
    }

    private void cancel(ConsumerKey key) {
        ConsumerState state = consumers.get(key);
        if (state == null || state.status != Status.ACTIVE) {
            return;
        }
        state.status = Status.CANCELLED;
        forgetIfIdle(key, state);
    }

    private void settle(ConsumerKey key, long[] ids) {
        ConsumerState state = consumers.get(key);
        if (state == null) {
            return;
        }
        for (long id : ids) {
            if (state.held.remove(id)) {
                messages.remove(id);
            }
        }
        afterRelease(key, state);
    }

    private void returnAll(ConsumerKey key, long[] ids, Consumer<QuorumEffect> effects) {
        ConsumerState state = consumers.get(key);
        if (state == null) {
            return;
        }
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (long id : sorted) {
            if (state.held.remove(id)) {
                putBack(id, effects);
            }
        }
        afterRelease(key, state);
    }

    private void discard(ConsumerKey key, long[] ids, Consumer<QuorumEffect> effects) {
        ConsumerState state = consumers.get(key);
        if (state == null) {
            return;
        }
        for (long id : ids) {
            if (state.held.remove(id)) {
                die(id, messages.get(id), DeadReason.REJECTED, effects);
            }
        }
        afterRelease(key, state);
    }

    private void get(ConsumerKey holder, boolean noAck, Consumer<QuorumEffect> effects) {
        Long next = nextReady();
        if (next == null) {
            effects.accept(new QuorumEffect.GetResult(holder, -1, null, false, 0, 0));
            return;
        }
        Entry entry = messages.get(next);
        boolean redelivered = entry.delivered;
        entry.delivered = true;
        if (noAck) {
            messages.remove(next);
        } else {
            entry.place = Place.CHECKED_OUT;
            consumers.computeIfAbsent(holder, k -> new ConsumerState(0, Status.GETS, false, 0)).held.add(next);
        }
        effects.accept(new QuorumEffect.GetResult(holder, next, entry.message, redelivered, entry.deliveryCount,
                readyCount()));
    }

    /** Every consumer of the matching channels goes; what they held returns, counted as a return. */
    private void channelsDown(java.util.function.Predicate<ConsumerKey> matches, Consumer<QuorumEffect> effects) {
        List<Long> back = new ArrayList<>();
        for (Iterator<Map.Entry<ConsumerKey, ConsumerState>> it = consumers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ConsumerKey, ConsumerState> e = it.next();
            if (matches.test(e.getKey())) {
                back.addAll(e.getValue().held);
                it.remove();
            }
        }
        serviceRing.removeIf(matches);
        back.sort(null);
        for (long id : back) {
            putBack(id, effects);
        }
    }

    private long purge() {
        long count = readyCount();
        for (Long id : returned) {
            messages.remove(id);
        }
        for (Long id : fresh) {
            messages.remove(id);
        }
        for (Long id : freshHigh) {
            messages.remove(id);
        }
        returned.clear();
        fresh.clear();
        freshHigh.clear();
        readyBytes = 0;
        return count;
    }

    /** A message comes back from a consumer: ready again ahead of new ones, unless past the delivery limit. */
    private void putBack(long id, Consumer<QuorumEffect> effects) {
        Entry entry = messages.get(id);
        entry.deliveryCount++;
        if (deliveryLimit != UNLIMITED && entry.deliveryCount > deliveryLimit) {
            die(id, entry, DeadReason.DELIVERY_LIMIT, effects);
            return;
        }
        entry.place = Place.READY;
        returned.addLast(id);
        countReady(entry, 1);
    }

    private void die(long id, Entry entry, DeadReason reason, Consumer<QuorumEffect> effects) {
        if (deadLettering) {
            entry.place = Place.DEAD_LETTERING;
            effects.accept(new QuorumEffect.DeadLetter(id, entry.message, reason, entry.deliveryCount));
        } else {
            messages.remove(id);
        }
    }

    private void afterRelease(ConsumerKey key, ConsumerState state) {
        if (!forgetIfIdle(key, state)) {
            enqueueForService(key, state);
        }
    }

    /** A cancelled consumer (or a channel's gets) holding nothing more is forgotten. */
    private boolean forgetIfIdle(ConsumerKey key, ConsumerState state) {
        if (state.status != Status.ACTIVE && state.held.isEmpty()) {
            consumers.remove(key);
            return true;
        }
        return false;
    }

    private void enqueueForService(ConsumerKey key, ConsumerState state) {
        if (!state.queued && state.canTake()) {
            state.queued = true;
            serviceRing.addLast(key);
        }
    }

    private Long nextReady() {
        Long id = returned.pollFirst();
        if (id == null) {
            // high priority first, but one normal after every two of them while both wait (RabbitMQ 4's weighting)
            boolean high = !freshHigh.isEmpty() && (fresh.isEmpty() || highInARow < 2);
            id = high ? freshHigh.pollFirst() : fresh.pollFirst();
            highInARow = high ? highInARow + 1 : 0;
        }
        if (id != null) {
            countReady(messages.get(id), -1);
        }
        return id;
    }

    /** A message joins ({@code +1}) or leaves ({@code -1}) the ready ones: their bytes, counted under a byte limit. */
    private void countReady(Entry entry, int sign) {
        if (maxLengthBytes != UNLIMITED) {
            readyBytes += sign * (long) entry.bodySize();
        }
    }

    /**
     * Hands ready messages to consumers that can take them, round-robin; with a single active consumer only to the
     * one that subscribed first of those still subscribed (the next takes over when it goes).
     */
    private void dispatch(Consumer<QuorumEffect> effects) {
        ConsumerKey active = singleActiveConsumer ? activeConsumer() : null;
        if (active != null) {
            enqueueForService(active, consumers.get(active)); // it may just have taken over
        }
        while (readyCount() > 0 && !serviceRing.isEmpty()) {
            ConsumerKey key = prioritized ? pollHighestPriority() : serviceRing.pollFirst();
            ConsumerState state = consumers.get(key);
            if (state == null) {
                continue;
            }
            state.queued = false;
            if (!state.canTake() || (singleActiveConsumer && !key.equals(active))) {
                continue;
            }
            long id = nextReady();
            Entry entry = messages.get(id);
            boolean redelivered = entry.delivered;
            entry.delivered = true;
            entry.place = Place.CHECKED_OUT;
            state.held.add(id);
            effects.accept(new QuorumEffect.Deliver(key, id, entry.message, redelivered, entry.deliveryCount));
            enqueueForService(key, state);
        }
    }

    /**
     * The first in the service ring of those with the highest priority (x-priority), taken out of it: consumers of
     * a lower priority get messages only while every higher one is full, as RabbitMQ's.
     */
    private ConsumerKey pollHighestPriority() {
        ConsumerKey best = null;
        int bestPriority = Integer.MIN_VALUE;
        for (ConsumerKey key : serviceRing) {
            ConsumerState state = consumers.get(key);
            int priority = state == null ? Integer.MIN_VALUE : state.priority;
            if (best == null || priority > bestPriority) {
                best = key;
                bestPriority = priority;
            }
        }
        serviceRing.removeFirstOccurrence(best);
        return best;
    }

    /**
     * Ready messages at the head of either run whose expiry has come by the last tick die ({@code expired}); as in
     * RabbitMQ, a message expires once it is at the head.
     */
    private void expireHeads(Consumer<QuorumEffect> effects) {
        while (true) {
            ArrayDeque<Long> run = expired(returned) ? returned : expired(freshHigh) ? freshHigh
                    : expired(fresh) ? fresh : null;
            if (run == null) {
                return;
            }
            long id = run.pollFirst();
            Entry entry = messages.get(id);
            countReady(entry, -1);
            die(id, entry, DeadReason.EXPIRED, effects);
        }
    }

    private boolean expired(ArrayDeque<Long> run) {
        Long head = run.peekFirst();
        return head != null && messages.get(head).expiresAt <= clock;
    }

    /** When the next ready message at a head is due to expire (epoch milliseconds), or {@link #NEVER}. */
    public long nextExpiry() {
        return Math.min(headExpiry(returned), Math.min(headExpiry(freshHigh), headExpiry(fresh)));
    }

    private long headExpiry(ArrayDeque<Long> run) {
        Long head = run.peekFirst();
        return head == null ? NEVER : messages.get(head).expiresAt;
    }

    /** The consumer that gets deliveries under single active consumer: the first still subscribed, or null. */
    public ConsumerKey activeConsumer() {
        for (Map.Entry<ConsumerKey, ConsumerState> e : consumers.entrySet()) {
            if (e.getValue().status == Status.ACTIVE) {
                return e.getKey();
            }
        }
        return null;
    }

    // ---- snapshots ----

    /** Writes the whole state; {@link #readSnapshot} makes an equal one. */
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_VERSION);
        out.writeLong(lastApplied);
        out.writeInt(deliveryLimit);
        out.writeBoolean(deadLettering);
        out.writeLong(maxLength);
        out.writeLong(maxLengthBytes);
        out.writeBoolean(rejectPublish);
        out.writeBoolean(singleActiveConsumer);
        out.writeLong(clock);
        // messages in id order, so equal states write equal bytes
        long[] ids = messages.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        out.writeInt(ids.length);
        for (long id : ids) {
            Entry entry = messages.get(id);
            out.writeLong(id);
            out.writeByte(entry.place.ordinal());
            out.writeInt(entry.deliveryCount);
            out.writeBoolean(entry.delivered);
            out.writeLong(entry.expiresAt);
            out.writeInt(entry.message.length);
            out.write(entry.message);
        }
        writeIds(out, returned);
        writeIds(out, fresh);
        writeIds(out, freshHigh);
        out.writeInt(highInARow);
        out.writeInt(consumers.size());
        for (Map.Entry<ConsumerKey, ConsumerState> e : consumers.entrySet()) {
            e.getKey().writeTo(out);
            ConsumerState state = e.getValue();
            out.writeInt(state.credit);
            out.writeBoolean(state.exclusive);
            out.writeInt(state.priority);
            out.writeByte(state.status.ordinal());
            out.writeBoolean(state.queued);
            writeIds(out, state.held);
        }
        out.writeInt(serviceRing.size());
        for (ConsumerKey key : serviceRing) {
            key.writeTo(out);
        }
    }

    /** The state a snapshot holds. */
    public static QuorumQueueState readSnapshot(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != 1 && version != SNAPSHOT_VERSION) {
            throw new IOException("unknown quorum queue snapshot version " + version);
        }
        long lastApplied = in.readLong();
        int deliveryLimit = in.readInt();
        boolean deadLettering = in.readBoolean();
        QuorumCommand.Configure settings = version == 1 ? new QuorumCommand.Configure(deliveryLimit, deadLettering)
                : new QuorumCommand.Configure(deliveryLimit, deadLettering, in.readLong(), in.readLong(), in.readBoolean(),
                        in.readBoolean());
        long clock = version == 1 ? 0 : in.readLong();
        QuorumQueueState state = new QuorumQueueState(deliveryLimit, deadLettering);
        state.lastApplied = lastApplied;
        state.clock = clock;
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long id = in.readLong();
            Place place = Place.values()[in.readUnsignedByte()];
            int deliveryCount = in.readInt();
            boolean delivered = in.readBoolean();
            long expiresAt = version == 1 ? NEVER : in.readLong();
            byte[] message = new byte[in.readInt()];
            in.readFully(message);
            Entry entry = new Entry(message, expiresAt);
            entry.place = place;
            entry.deliveryCount = deliveryCount;
            entry.delivered = delivered;
            state.messages.put(id, entry);
        }
        readIds(in, state.returned);
        readIds(in, state.fresh);
        if (version != 1) {
            readIds(in, state.freshHigh);
            state.highInARow = in.readInt();
        }
        int consumers = in.readInt();
        for (int i = 0; i < consumers; i++) {
            ConsumerKey key = ConsumerKey.readFrom(in);
            int credit = in.readInt();
            boolean exclusive = version != 1 && in.readBoolean();
            int priority = version == 1 ? 0 : in.readInt();
            ConsumerState consumer = new ConsumerState(credit, Status.values()[in.readUnsignedByte()], exclusive, priority);
            state.prioritized |= priority != 0;
            consumer.queued = in.readBoolean();
            readIds(in, consumer.held);
            state.consumers.put(key, consumer);
        }
        int ring = in.readInt();
        for (int i = 0; i < ring; i++) {
            state.serviceRing.addLast(ConsumerKey.readFrom(in));
        }
        state.configure(settings); // counts the ready bytes when there is a byte limit
        return state;
    }

    private static void writeIds(DataOutput out, java.util.Collection<Long> ids) throws IOException {
        out.writeInt(ids.size());
        for (long id : ids) {
            out.writeLong(id);
        }
    }

    private static void readIds(DataInput in, java.util.Collection<Long> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.add(in.readLong());
        }
    }

}
