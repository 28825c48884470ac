package dev.warren.core;

import dev.warren.core.DeadLetters.Reason;
import dev.warren.core.message.Message;
import dev.warren.core.stats.Counter;
import dev.warren.core.stats.OwnedCounters;
import dev.warren.core.store.MemoryBudget;
import dev.warren.core.store.MessageStore;
import dev.warren.core.store.StoreFailedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A queue's state and dispatch, changed only on the queue's owner thread ({@link MessageQueue#executor()}):
 * the ready messages, the consumers, the count of deliveries awaiting ack, and the message lifecycle the
 * queue's arguments ask for.
 *
 * <p>Dispatch: ready messages go round-robin to the consumers that can take one now ({@link Consumer#ready()}),
 * the highest consumer priority first ({@link ConsumerRing}).
 * It runs after every change that can let a message go out: an enqueue, a requeue, a new consumer, a batch
 * read back from the store, or a consumer's credit coming back ({@link #resumeDispatch()}).
 *
 * <p>Order: ready messages are in {@link Lane}s — one, or one per priority of a priority queue, served
 * highest first. A lane is first in first out; requeued entries go back to their original places.
 *
 * <p>Memory: while the broker's {@link MemoryBudget} allows, ready messages live on the heap. Past it, new
 * messages are paged out ({@link PagedBacklog}) and read back in batches as a lane runs low. A durable
 * queue also pages out stored messages beyond {@link #STORED_KEPT_IN_MEMORY} per lane, budget or not.
 *
 * <p>Lifecycle, without a timer per message: an entry carries its expiry (queue TTL or expiration property,
 * the lower, counted from the message's arrival, so it holds across requeues and restarts). Expired
 * messages leave from the heads of the lanes: when dispatch or basic.get meets them, and when the one timer
 * set for the earliest head fires. Paged entries keep their expiry beside their location, so they expire
 * unread unless they are to be dead-lettered. Length limits trim the head (or refuse the publish); the
 * delivery limit counts returns; dead messages go to the dead-letter exchange ({@link DeadLetters}); an
 * unused queue with {@code x-expires} deletes itself.
 *
 * <p>Everything arrives here as tasks on the owner thread — publishes, acks, requeues and consumer changes
 * — batched by the connections that send them; the counts the rest of the broker reads are published in
 * volatile fields after each change.
 */
public final class QueueProcess {
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    /**
     * Ready messages that are already in the store kept in memory per lane, budget or not: a long durable
     * queue costs a long per message, not the message, and reading ahead keeps consumers fed.
     */
    static final int STORED_KEPT_IN_MEMORY = 2048;

    /** The answer to a basic.get, on the owner thread: the entry (null when the queue is empty) and what is left. */
    @FunctionalInterface
    public interface GetCallback {
        void got(QueueEntry entry, int remaining);
    }

    private final MessageQueue queue;
    private final MessageStore store;
    private final MemoryBudget memory;
    private final int storeId;
    /** What the queue's arguments and policies ask for now; a policy change replaces it ({@link #reconfigure}). */
    private QueueArguments args;
    /** Index = priority; one lane for a plain queue. */
    private final Lane[] lanes;
    /**
     * A priority queue's recovered entries, and what arrives while they are read: their priorities are
     * known only once read, so everything here is read and sorted into the lanes before any delivery.
     */
    private final PagedBacklog unsorted;
    private DeadLetters deadLetters;
    /** Ready bytes are counted: the queue is (or was once) limited in bytes. */
    private boolean countsBytes;
    private final ConsumerRing consumers;
    /** basic.gets that wait for paged messages to be read back. */
    private final ArrayDeque<WaitingGet> waitingGets = new ArrayDeque<>();
    /** The queue's message counters: owned by this thread, read by management. */
    private final OwnedCounters counters;
    private long nextSequence;
    private boolean hadConsumers;
    private long deliveredThrough = -1;
    private int unacknowledged;
    /** Body bytes of the ready messages, kept when the queue is limited in bytes. */
    private long readyBytes;
    /** The sequence of the message being enqueued: it may go to a consumer ready now whatever its TTL (0 included). */
    private long arriving = -1;
    private ScheduledFuture<?> expiryTimer;
    private long expiryTimerAt = QueueEntry.NEVER;
    private ScheduledFuture<?> idleTimer;
    private long lastUsed = System.currentTimeMillis();
    /** Publishers wait here while consumers cannot keep up ({@link QueueFlow}). */
    private final QueueFlow flow;
    /** Deliveries since the last {@link #updateCounts}, for the flow's credit. */
    private int deliveredSinceUpdate;

    // published for other threads after each change
    private volatile QueueLifecycle lifecycle = QueueLifecycle.RUNNING;
    private volatile int messageCount;
    private volatile int consumerCount;
    /** The tag of the single active consumer, or null. */
    private volatile String activeConsumerTag;
    private volatile int unacknowledgedCount;
    /** Bytes (by the memory budget's weight) of the ready messages held on the heap. */
    private volatile long memoryHeld;
    private volatile long expiredCount;
    private volatile long deadLetteredCount;
    private volatile long droppedCount;

    QueueProcess(MessageQueue queue, MessageStore store, MemoryBudget memory) {
        this.queue = queue;
        this.store = store;
        this.memory = memory;
        this.storeId = queue.storeId();
        this.counters = queue.counters();
        this.flow = new QueueFlow(this::runLater);
        this.args = queue.settings();
        this.countsBytes = args.maxLengthBytes() != QueueArguments.NONE;
        this.consumers = new ConsumerRing(args.singleActiveConsumer());
        this.lanes = new Lane[args.maxPriority() + 1];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(new PagedBacklog(store, storeId, queue.executor(), queue.describe(), countsBytes,
                    new BacklogListener(i)));
        }
        this.unsorted = lanes.length > 1
                ? new PagedBacklog(store, storeId, queue.executor(), queue.describe(), countsBytes, new BacklogListener(-1))
                : null;
        this.deadLetters = args.deadLetters() ? new DeadLetters(queue, store, args) : null;
    }

    private record WaitingGet(GetCallback answer, boolean ackRequired) {
    }

    /** Messages read back from one lane's backlog (or, for -1, from the unsorted backlog) arrive here. */
    private final class BacklogListener implements PagedBacklog.Listener {
        private final int lane;

        BacklogListener(int lane) {
            this.lane = lane;
        }

        @Override
        public void loaded(Message message, boolean redelivered, boolean sizeWasUnknown) {
            if (countsBytes && sizeWasUnknown) {
                readyBytes += message.bodySize();
            }
            if (lane < 0) {
                place(laneOf(message), message, redelivered);
            } else {
                addReady(lanes[lane], newEntry(message, redelivered));
            }
        }

        @Override
        public void batchLoaded() {
            if (lane < 0 && !unsorted.isEmpty()) {
                unsorted.loadIfLow(0, false); // keep sorting until none is left, consumers or not
            }
            afterLoad();
        }

        @Override
        public void loadFailed() {
            for (WaitingGet waiting; (waiting = waitingGets.poll()) != null; ) {
                counters.increment(Counter.GET_EMPTY);
                waiting.answer().got(null, messageCount); // the store failed: nothing to give now
            }
        }
    }

    /** Runs a task on the owner thread after a delay; at once when that thread is stopping (nothing will run it there). */
    private void runLater(long millis, Runnable task) {
        try {
            queue.executor().schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            task.run();
        }
    }

    // ---- read from any thread ----

    QueueFlow flow() {
        return flow;
    }

    QueueLifecycle lifecycle() {
        return lifecycle;
    }

    int messageCount() {
        return messageCount;
    }

    int consumerCount() {
        return consumerCount;
    }

    String activeConsumerTag() {
        return activeConsumerTag;
    }

    int unacknowledgedCount() {
        return unacknowledgedCount;
    }

    long memoryHeld() {
        return memoryHeld;
    }

    long expiredCount() {
        return expiredCount;
    }

    long deadLetteredCount() {
        return deadLetteredCount;
    }

    long droppedCount() {
        return droppedCount;
    }

    /** The highest store location this queue has delivered, or -1; read once the owner thread is stopped. */
    long deliveredThrough() {
        return deliveredThrough;
    }

    // ---- policies ----

    /**
     * The queue's policies changed what it must do: applies the new settings to what it holds now. A new
     * TTL is worked out again for every ready message from its arrival (so a shortened one expires what is
     * now past it), a new limit trims, a new expiry re-arms the idle timer, a new dead-letter exchange takes
     * the next dead message.
     */
    public void reconfigure(QueueArguments next) {
        if (!lifecycle.running()) {
            return;
        }
        QueueArguments previous = args;
        args = next;
        if (next.maxLengthBytes() != QueueArguments.NONE && !countsBytes) {
            startCountingBytes();
        }
        if (!java.util.Objects.equals(previous.deadLetterExchange(), next.deadLetterExchange())
                || !java.util.Objects.equals(previous.deadLetterRoutingKey(), next.deadLetterRoutingKey())) {
            deadLetters = next.deadLetters() ? new DeadLetters(queue, store, next) : null;
        }
        if (previous.messageTtl() != next.messageTtl()) {
            for (Lane lane : lanes) {
                lane.ready.replaceAll(e -> new QueueEntry(e.message(), e.sequence(), e.redelivered(),
                        expiryOf(e.message()), e.returns()));
                lane.backlog.forgetExpiries();
            }
        }
        if (previous.expires() != next.expires()) {
            cancelIdleTimer();
            armIdleTimer();
        }
        if (args.hasLengthLimit()) {
            trimToLimit();
        }
        afterExpiringChange();
        updateCounts();
    }

    private void startCountingBytes() {
        countsBytes = true;
        readyBytes = 0;
        for (Lane lane : lanes) {
            lane.ready.forEach(e -> readyBytes += e.message().bodySize());
            lane.backlog.keepSizes();
        }
        if (unsorted != null) {
            unsorted.keepSizes();
        }
    }

    // ---- messages in ----

    /**
     * Takes over one reference to the message. Returns false when the queue refused it (full, with
     * {@code x-overflow} reject-publish): a confirming publisher gets a nack.
     */
    public boolean enqueue(Message message) {
        if (!lifecycle.running()) {
            message.release();
            return true;
        }
        if (args.overflow() != QueueArguments.Overflow.DROP_HEAD && wouldOverflow(message)) {
            refuse(message);
            return false;
        }
        counters.increment(Counter.PUBLISH);
        if (countsBytes) {
            readyBytes += message.bodySize();
        }
        if (unsorted != null && !unsorted.isEmpty()) {
            pageOut(unsorted, message, false, QueueEntry.NEVER); // behind the recovered messages still to sort
        } else {
            arriving = nextSequence;
            place(laneOf(message), message, false);
        }
        dispatch();
        arriving = -1;
        if (args.hasLengthLimit()) {
            trimToLimit();
        }
        afterExpiringChange();
        return true;
    }

    /** Puts the messages the store recovered for this queue back, behind anything already there. */
    public void restore(long[] entries) {
        long expiry = args.hasTtl() ? PagedBacklog.UNKNOWN : PagedBacklog.NEVER;
        if (unsorted != null) {
            unsorted.restore(entries, expiry);
            unsorted.loadIfLow(0, false);
        } else {
            lanes[0].backlog.restore(entries, expiry);
            lanes[0].backlog.loadIfLow(lanes[0].ready.size(), false);
        }
        afterExpiringChange();
        updateCounts();
    }

    /** A new message, or one sorted out of the unsorted backlog, joins its lane. */
    private void place(Lane lane, Message message, boolean redelivered) {
        QueueEntry entry = newEntry(message, redelivered);
        if (lane.backlog.isEmpty() && !shouldPageOut(lane, message)) {
            addReady(lane, entry);
            return;
        }
        if (!pageOut(lane.backlog, message, redelivered, entry.expiresAt())) {
            addReady(lane, entry); // cannot spill: keep it on the heap rather than lose it (the disk alarm is up)
            return;
        }
        lane.backlog.loadIfLow(lane.ready.size(), false);
    }

    private boolean pageOut(PagedBacklog backlog, Message message, boolean redelivered, long expiresAt) {
        try {
            backlog.pageOut(message, isStoredHere(message), redelivered, expiresAt);
            return true;
        } catch (StoreFailedException e) {
            return false;
        }
    }

    private QueueEntry newEntry(Message message, boolean redelivered) {
        return new QueueEntry(message, nextSequence++, redelivered, expiryOf(message), 0);
    }

    /** When the message expires in this queue: the lower of the queue's TTL and its own, from its arrival. */
    private long expiryOf(Message message) {
        long ttl = args.messageTtl();
        long own;
        try {
            own = message.expiration();
        } catch (AmqpException e) {
            own = Message.NO_EXPIRATION; // refused at publish; only an old stored message can get here
        }
        if (own != Message.NO_EXPIRATION && (ttl == QueueArguments.NONE || own < ttl)) {
            ttl = own;
        }
        return ttl == QueueArguments.NONE ? QueueEntry.NEVER : message.arrivedAt() + ttl;
    }

    private Lane laneOf(Message message) {
        return lanes.length == 1 ? lanes[0] : lanes[Math.min(message.priority(), lanes.length - 1)];
    }

    /**
     * Puts delivered entries back, in their original order, ahead of newer messages, flagged redelivered.
     * An entry past the delivery limit is dead-lettered (or dropped) instead.
     */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        unacknowledged -= entries.size();
        if (!lifecycle.running()) {
            entries.forEach(e -> e.message().release());
            updateCounts();
            return;
        }
        List<QueueEntry> back = new ArrayList<>(entries.size());
        for (QueueEntry e : entries) {
            int returns = e.returns() + 1;
            if (args.deliveryLimit() != QueueArguments.NONE && returns > args.deliveryLimit()) {
                remove(e, Reason.DELIVERY_LIMIT);
                continue;
            }
            QueueEntry again = new QueueEntry(e.message(), e.sequence(), true, e.expiresAt(), returns);
            hold(again);
            if (countsBytes) {
                readyBytes += again.message().bodySize();
            }
            back.add(again);
        }
        back.sort(BY_SEQUENCE);
        if (lanes.length == 1) {
            lanes[0].ready.putBack(back);
        } else {
            for (int p = 0; p < lanes.length; p++) {
                List<QueueEntry> mine = new ArrayList<>();
                for (QueueEntry e : back) {
                    if (laneOf(e.message()) == lanes[p]) {
                        mine.add(e);
                    }
                }
                lanes[p].ready.putBack(mine);
            }
        }
        dispatch();
        if (args.hasLengthLimit()) {
            trimToLimit();
        }
        afterExpiringChange();
    }

    /** Deliveries acked (counted as acks): forgets them in the store and lets go. */
    public void settle(List<QueueEntry> entries) {
        counters.add(Counter.ACK, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            unacknowledged--;
            forget(entries.get(i).message());
        }
        unacknowledgedCount = Math.max(0, unacknowledged);
    }

    /** One delivery acked (counted as an ack). */
    public void settle(QueueEntry entry) {
        counters.increment(Counter.ACK);
        deliveredNoAck(entry);
    }

    /** A no-ack delivery was written: the queue is done with it (no ack to count). */
    public void deliveredNoAck(QueueEntry entry) {
        unacknowledged--;
        forget(entry.message());
        unacknowledgedCount = Math.max(0, unacknowledged);
    }

    /** Deliveries rejected without requeue: dead-lettered ({@code rejected}) when the queue says so, else dropped. */
    public void discard(List<QueueEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            QueueEntry entry = entries.get(i);
            unacknowledged--;
            if (deadLetters != null && lifecycle.running()) {
                deadLetter(entry.message(), Reason.REJECTED);
            } else {
                forget(entry.message());
            }
        }
        unacknowledgedCount = Math.max(0, unacknowledged);
    }

    /** The queue is done with a message: acked in the store when it is stored for this queue, and released. */
    private void forget(Message message) {
        if (lifecycle.running() && isStoredHere(message)) {
            store.ack(storeId, message.location());
        }
        message.release();
    }

    /** A ready (or returned) entry leaves for a reason other than delivery: dead-lettered, or dropped. */
    private void remove(QueueEntry entry, Reason reason) {
        if (reason == Reason.EXPIRED) {
            expiredCount++;
        }
        if (deadLetters == null || !deadLetter(entry.message(), reason)) {
            if (reason != Reason.EXPIRED) {
                droppedCount++;
            }
            if (deadLetters == null) {
                forget(entry.message());
            }
        }
    }

    /** Dead-letters a message the queue is done with and lets go of it; returns whether a queue took it. */
    private boolean deadLetter(Message message, Reason reason) {
        DeadLetters.Outcome outcome = deadLetters.publish(message, reason, isStoredHere(message));
        if (outcome.reachedQueues()) {
            deadLetteredCount++;
            queue.vhost().stats().deadLettered.increment();
        }
        if (outcome == DeadLetters.Outcome.MOVED) {
            message.release(); // the store settled it with the copy
        } else {
            forget(message);
        }
        return outcome.reachedQueues();
    }

    // ---- consumers and dispatch ----

    public void addConsumer(Consumer consumer) {
        if (!lifecycle.running()) {
            throw AmqpException.of(ReplyCode.NOT_FOUND, "no queue '%s' in vhost '%s'", queue.name(), queue.vhost().name());
        }
        if ((!consumers.isEmpty() && (consumer.exclusive() || consumers.first().exclusive()))
                || (consumer.exclusive() && args.singleActiveConsumer())) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s in exclusive use", queue.describe());
        }
        consumers.add(consumer);
        hadConsumers = true;
        cancelIdleTimer();
        for (Lane lane : lanes) {
            lane.backlog.loadIfLow(lane.ready.size(), lane.ready.isEmpty()); // a new consumer retries a failed read
        }
        dispatch();
    }

    /** Removes a consumer; an auto-delete queue goes away with its last consumer. */
    public void removeConsumer(Consumer consumer) {
        if (!consumers.remove(consumer)) {
            return;
        }
        if (queue.autoDelete() && hadConsumers && consumers.isEmpty() && lifecycle.running()) {
            delete();
        } else if (consumers.isEmpty()) {
            used();
        }
        updateCounts();
    }

    /** Runs dispatch again: a consumer may take messages again (credit back, socket writable again). */
    public void resumeDispatch() {
        dispatch();
    }

    /** Gives ready messages to consumers that can take them, round-robin; expired heads leave on the way. */
    private void dispatch() {
        long now = 0;
        while (!consumers.isEmpty()) {
            Lane lane = headLane(false);
            QueueEntry head = lane == null ? null : lane.ready.peek();
            if (head == null) {
                break;
            }
            if (head.expires() && head.sequence() != arriving) {
                now = now == 0 ? System.currentTimeMillis() : now;
                if (head.expiresAt() <= now) {
                    takeReady(lane);
                    remove(head, Reason.EXPIRED);
                    continue;
                }
            }
            Consumer consumer = consumers.nextReady();
            if (consumer == null) {
                break;
            }
            consumer.deliver(queue, delivering(takeReady(lane), false, consumer.ackRequired()));
            deliveredSinceUpdate++;
        }
        loadLowLanes();
        updateCounts();
    }

    /**
     * The lane whose head goes out next: the highest priority with messages. Null when there is none, or
     * when that head is paged out (a read is started; {@code demand} retries one that failed) or recovered
     * messages are still being sorted. The returned lane's head is in memory.
     */
    private Lane headLane(boolean demand) {
        if (unsorted != null && !unsorted.isEmpty()) {
            unsorted.loadIfLow(0, demand);
            return null;
        }
        for (int p = lanes.length - 1; p >= 0; p--) {
            Lane lane = lanes[p];
            if (!lane.ready.isEmpty()) {
                return lane;
            }
            if (!lane.backlog.isEmpty()) {
                lane.backlog.loadIfLow(0, demand);
                return null;
            }
        }
        return null;
    }

    private QueueEntry takeReady(Lane lane) {
        QueueEntry entry = lane.ready.poll();
        unhold(entry);
        if (countsBytes) {
            readyBytes -= entry.message().bodySize();
        }
        return entry;
    }

    private void loadLowLanes() {
        for (Lane lane : lanes) {
            lane.backlog.loadIfLow(lane.ready.size(), false);
        }
    }

    /** A batch came back from the store. */
    private void afterLoad() {
        answerWaitingGets();
        dispatch();
        if (args.hasLengthLimit()) {
            trimToLimit();
        }
        afterExpiringChange();
    }

    // ---- expiry ----

    /**
     * After a change that may put an expiring entry at a head: expires what is due now (a TTL of 0 with
     * no consumer to take it) and sets the timer for the next head to expire.
     */
    private void afterExpiringChange() {
        long next = earliestHeadExpiry();
        if (next == QueueEntry.NEVER) {
            return;
        }
        long now = System.currentTimeMillis();
        if (next <= now) {
            expireDue();
        } else {
            armExpiryTimer(next, now);
        }
    }

    /** Removes the expired entries at the heads of the lanes, then sets the timer for the next one. */
    private void expireDue() {
        if (!lifecycle.running()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (int p = lanes.length - 1; p >= 0; p--) { // the highest priority first, as RabbitMQ expires them
            Lane lane = lanes[p];
            while (true) {
                QueueEntry head = lane.ready.peek();
                if (head != null) {
                    if (head.expiresAt() > now) {
                        break;
                    }
                    takeReady(lane);
                    remove(head, Reason.EXPIRED);
                    continue;
                }
                long paged = lane.backlog.headExpiry();
                if (paged == PagedBacklog.UNKNOWN || (paged <= now && deadLetters != null)) {
                    lane.backlog.loadIfLow(0, false); // read it to know, or to dead-letter it; back in afterLoad
                    break;
                }
                if (paged > now || !lane.backlog.canDropHead()) {
                    break;
                }
                long size = lane.backlog.dropHead(); // expired, and nothing to do with it but forget it
                expiredCount++;
                if (countsBytes && size > 0) {
                    readyBytes -= size;
                }
            }
        }
        updateCounts();
        long next = earliestHeadExpiry();
        if (next != QueueEntry.NEVER) {
            armExpiryTimer(Math.max(next, now + 1), now);
        }
    }

    private long earliestHeadExpiry() {
        long earliest = QueueEntry.NEVER;
        for (Lane lane : lanes) {
            QueueEntry head = lane.ready.peek();
            long expiry = head != null ? head.expiresAt() : lane.backlog.headExpiry();
            if (expiry == PagedBacklog.UNKNOWN) {
                expiry = 0; // must be read to know: now
            }
            earliest = Math.min(earliest, expiry);
        }
        return earliest;
    }

    private void armExpiryTimer(long at, long now) {
        if (expiryTimer != null) {
            if (expiryTimerAt <= at) {
                return;
            }
            expiryTimer.cancel(false);
        }
        expiryTimerAt = at;
        expiryTimer = queue.executor().schedule(() -> {
            expiryTimer = null;
            expiryTimerAt = QueueEntry.NEVER;
            expireDue();
        }, Math.max(1, at - now), TimeUnit.MILLISECONDS);
    }

    // ---- length limits ----

    /** For reject-publish: taking the message would put the queue over a limit. */
    private boolean wouldOverflow(Message message) {
        return (args.maxLength() != QueueArguments.NONE && readyCount() >= args.maxLength())
                || (args.maxLengthBytes() != QueueArguments.NONE && readyBytes + message.bodySize() > args.maxLengthBytes());
    }

    private boolean overLimit() {
        return (args.maxLength() != QueueArguments.NONE && readyCount() > args.maxLength())
                || (args.maxLengthBytes() != QueueArguments.NONE && readyBytes > args.maxLengthBytes());
    }

    /** A full reject-publish queue refuses a message (dead-lettering it with reject-publish-dlx). */
    private void refuse(Message message) {
        if (args.overflow() == QueueArguments.Overflow.REJECT_PUBLISH_DLX && deadLetters != null) {
            if (!deadLetter(message, Reason.MAXLEN)) {
                droppedCount++;
            }
            return;
        }
        droppedCount++;
        forget(message);
    }

    /** drop-head: while over the limit, the head leaves (dead-lettered with {@code maxlen}, or dropped). */
    private void trimToLimit() {
        if (args.overflow() != QueueArguments.Overflow.DROP_HEAD) {
            return;
        }
        while (overLimit()) {
            Lane lane = headLane(false);
            if (lane != null) {
                remove(takeReady(lane), Reason.MAXLEN);
                continue;
            }
            Lane paged = highestPagedLane();
            if (paged == null || deadLetters != null || !paged.backlog.canDropHead()) {
                break; // the head is being read (to be dead-lettered, or sorted); trimmed once it is here
            }
            long size = paged.backlog.dropHead();
            droppedCount++;
            if (countsBytes && size > 0) {
                readyBytes -= size;
            }
        }
        updateCounts();
    }

    private Lane highestPagedLane() {
        if (unsorted != null && !unsorted.isEmpty()) {
            return null;
        }
        for (int p = lanes.length - 1; p >= 0; p--) {
            if (!lanes[p].isEmpty()) {
                return lanes[p].ready.isEmpty() ? lanes[p] : null;
            }
        }
        return null;
    }

    // ---- basic.get, purge, delete, stop ----

    /**
     * Takes the next ready message for basic.get ({@code ackRequired}: not no-ack). When the next messages are
     * paged out, they are read back first and the answer comes once they are here; it always comes, on this thread.
     */
    public void get(boolean ackRequired, GetCallback answer) {
        getMessage(ackRequired, answer);
    }

    /** A basic.get that requires an ack (management's get, which then acks or requeues what it took). */
    public void get(GetCallback answer) {
        getMessage(true, answer);
    }

    private void getMessage(boolean ackRequired, GetCallback answer) {
        if (!lifecycle.running()) {
            answer.got(null, 0);
            return;
        }
        used();
        if (!answerGet(answer, ackRequired, true)) {
            waitingGets.add(new WaitingGet(answer, ackRequired));
        }
    }

    /** Answers a get from memory; false when the next message must be read back first (a read is started). */
    private boolean answerGet(GetCallback answer, boolean ackRequired, boolean demand) {
        long now = System.currentTimeMillis();
        while (true) {
            Lane lane = headLane(demand);
            if (lane == null) {
                if (readyCount() > 0 && lifecycle.running()) {
                    return false;
                }
                updateCounts();
                counters.increment(Counter.GET_EMPTY);
                answer.got(null, messageCount);
                return true;
            }
            QueueEntry head = takeReady(lane);
            if (head.expires() && head.expiresAt() <= now) {
                remove(head, Reason.EXPIRED);
                continue;
            }
            QueueEntry delivered = delivering(head, true, ackRequired);
            loadLowLanes();
            updateCounts();
            answer.got(delivered, messageCount);
            return true;
        }
    }

    private void answerWaitingGets() {
        int waiting = waitingGets.size();
        for (int i = 0; i < waiting; i++) {
            WaitingGet next = waitingGets.poll();
            if (!answerGet(next.answer(), next.ackRequired(), false)) {
                waitingGets.addFirst(next);
                break;
            }
        }
    }

    /** Drops every ready message, in memory or paged out; returns how many. */
    public int purge() {
        int count = messageCount;
        dropAll(true);
        return count;
    }

    /**
     * Deletes the queue: checks the conditions, cancels its consumers, drops its messages and removes it
     * from its virtual host. Returns how many messages it held.
     */
    public int delete(boolean ifUnused, boolean ifEmpty) {
        if (!lifecycle.running()) {
            return 0;
        }
        if (ifUnused && !consumers.isEmpty()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", queue.describe());
        }
        if (ifEmpty && messageCount > 0) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", queue.describe());
        }
        return delete();
    }

    private int delete() {
        int count = messageCount;
        lifecycle = QueueLifecycle.DELETED;
        cancelTimers();
        if (storeId >= 0) {
            store.deleteQueue(storeId); // forgets every stored entry at once; nothing to ack one by one
        }
        dropAll(false);
        List<Consumer> cancelled = consumers.snapshot();
        cancelled.forEach(consumers::remove);
        updateCounts();
        cancelled.forEach(c -> c.cancelledByQueue(queue));
        queue.vhost().queueDeleted(queue);
        return count;
    }

    /**
     * The broker is stopping: lets go of the messages held in memory. What the store holds stays there for
     * the next start; nothing is acked.
     */
    public void stop() {
        if (lifecycle.running()) {
            lifecycle = QueueLifecycle.STOPPED;
        }
        cancelTimers();
        dropAll(false);
        flow.release();
    }

    private void dropAll(boolean ackStored) {
        for (Lane lane : lanes) {
            for (QueueEntry entry; (entry = lane.ready.poll()) != null; ) {
                unhold(entry);
                Message message = entry.message();
                if (ackStored && isStoredHere(message)) {
                    store.ack(storeId, message.location());
                }
                message.release();
            }
            lane.backlog.dropAll(ackStored);
        }
        if (unsorted != null) {
            unsorted.dropAll(ackStored);
        }
        readyBytes = 0;
        answerWaitingGets();
        updateCounts();
    }

    // ---- x-expires ----

    /** The queue was used (a get, a redeclare, its last consumer left): its idle time starts again. */
    void used() {
        lastUsed = System.currentTimeMillis();
        armIdleTimer();
    }

    private void armIdleTimer() {
        if (args.expires() == QueueArguments.NONE || !lifecycle.running() || !consumers.isEmpty() || idleTimer != null) {
            return;
        }
        long due = lastUsed + args.expires() - System.currentTimeMillis();
        idleTimer = queue.executor().schedule(this::idleTimerFired, Math.max(1, due), TimeUnit.MILLISECONDS);
    }

    private void idleTimerFired() {
        idleTimer = null;
        if (!lifecycle.running() || !consumers.isEmpty()) {
            return;
        }
        if (System.currentTimeMillis() - lastUsed >= args.expires()) {
            delete();
        } else {
            armIdleTimer();
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void cancelTimers() {
        cancelIdleTimer();
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
            expiryTimerAt = QueueEntry.NEVER;
        }
    }

    /** The queue starts: an x-expires queue's clock starts now (for a durable one, again at every start). */
    void started() {
        armIdleTimer();
    }

    // ---- memory and paging ----

    /** Whether the message is in the store as an entry of this (durable) queue. */
    private boolean isStoredHere(Message message) {
        return storeId >= 0 && message.location() >= 0;
    }

    private void addReady(Lane lane, QueueEntry entry) {
        hold(entry);
        lane.ready.addLast(entry);
    }

    /**
     * The entry goes out to a client (a consumer, or basic.get when {@code toGet}): counted, and remembered so a
     * clean stop can say what was delivered.
     */
    private QueueEntry delivering(QueueEntry entry, boolean toGet, boolean ackRequired) {
        unacknowledged++;
        counters.increment(toGet ? (ackRequired ? Counter.GET : Counter.GET_NO_ACK)
                : (ackRequired ? Counter.DELIVER : Counter.DELIVER_NO_ACK));
        if (entry.redelivered()) {
            counters.increment(Counter.REDELIVER);
        }
        if (args.deliveryLimit() != QueueArguments.NONE && (toGet || entry.returns() > 0)) {
            // as quorum queues do: a redelivery says how many times the message came back before, and
            // basic.get says it every time (0 the first); a consumer's first delivery goes out untouched
            entry = new QueueEntry(DeliveryCount.stamp(entry.message(), entry.returns()), entry.sequence(),
                    entry.redelivered(), entry.expiresAt(), entry.returns());
        }
        if (isStoredHere(entry.message()) && entry.message().location() > deliveredThrough) {
            deliveredThrough = entry.message().location();
        }
        return entry;
    }

    private void hold(QueueEntry entry) {
        long weight = entry.weight();
        memory.take(weight);
        memoryHeld += weight;
    }

    private void unhold(QueueEntry entry) {
        long weight = entry.weight();
        memory.give(weight);
        memoryHeld -= weight;
    }

    private boolean shouldPageOut(Lane lane, Message message) {
        if (!store.enabled()) {
            return false;
        }
        return memory.exhausted() || (isStoredHere(message) && lane.ready.size() >= STORED_KEPT_IN_MEMORY);
    }

    private long readyCount() {
        long count = unsorted == null ? 0 : unsorted.size();
        for (Lane lane : lanes) {
            count += lane.size();
        }
        return count;
    }

    private void updateCounts() {
        messageCount = (int) Math.min(readyCount(), Integer.MAX_VALUE);
        consumerCount = consumers.size();
        Consumer active = consumers.active();
        activeConsumerTag = active == null ? null : active.tag();
        unacknowledgedCount = Math.max(0, unacknowledged);
        flow.update(readyCount(), deliveredSinceUpdate, consumers);
        deliveredSinceUpdate = 0;
    }
}
