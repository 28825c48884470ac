package dev.warren.core;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A queue: ready messages in order and the consumers they are dispatched to, round-robin among those
 * ready to take one.
 *
 * <p>Threading: a queue has one owner thread, its {@link #executor()} (the event loop of the connection
 * that declared it). Every method below that reads or changes state must run there; other threads hand
 * work over with {@code executor().execute(...)}. Only the definition fields and the count snapshots
 * are read from other threads.
 */
public final class MessageQueue implements BindingDestination {
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    private final VirtualHost vhost;
    private final String name;
    private final boolean durable;
    private final boolean exclusive;
    private final boolean autoDelete;
    private final Map<String, Object> arguments;
    private final Object exclusiveOwner;
    private final EventExecutor executor;

    private final ArrayDeque<QueueEntry> ready = new ArrayDeque<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private int nextConsumer;
    private long nextSequence;
    private boolean hadConsumers;
    private volatile boolean deleted;
    private volatile int messageCount;
    private volatile int consumerCount;

    MessageQueue(VirtualHost vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                 Map<String, Object> arguments, Object exclusiveOwner, EventExecutor executor) {
        this.vhost = vhost;
        this.name = name;
        this.durable = durable;
        this.exclusive = exclusive;
        this.autoDelete = autoDelete;
        this.arguments = arguments == null ? Map.of() : Map.copyOf(arguments);
        this.exclusiveOwner = exclusiveOwner;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "queue";
    }

    public VirtualHost vhost() {
        return vhost;
    }

    public boolean durable() {
        return durable;
    }

    public boolean exclusive() {
        return exclusive;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    /** The connection that owns an exclusive queue, or null. */
    public Object exclusiveOwner() {
        return exclusiveOwner;
    }

    /** The one thread that may touch this queue's state. */
    public EventExecutor executor() {
        return executor;
    }

    public boolean isDeleted() {
        return deleted;
    }

    /** Ready messages, as last published by the owner thread; safe to read from any thread. */
    public int messageCount() {
        return messageCount;
    }

    /** Consumers, as last published by the owner thread; safe to read from any thread. */
    public int consumerCount() {
        return consumerCount;
    }

    /** "queue 'name' in vhost '/'", as reply texts name a queue. */
    public String describe() {
        return "queue '" + name + "' in vhost '" + vhost.name() + "'";
    }

    // ---- owner thread only below ----

    /** Takes over one reference to the message. */
    public void enqueue(dev.warren.core.message.Message message) {
        if (deleted) {
            message.release();
            return;
        }
        ready.addLast(new QueueEntry(message, nextSequence++, false));
        dispatch();
    }

    /** Puts previously delivered entries back, in their original order, ahead of newer messages. */
    public void requeue(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (deleted) {
            entries.forEach(e -> e.message().release());
            return;
        }
        List<QueueEntry> back = new ArrayList<>(entries.size());
        entries.forEach(e -> back.add(e.asRedelivered()));
        back.sort(BY_SEQUENCE);
        QueueEntry head = ready.peekFirst();
        if (head == null || back.get(back.size() - 1).sequence() < head.sequence()) {
            // the usual case: everything coming back is older than what is ready
            for (int i = back.size() - 1; i >= 0; i--) {
                ready.addFirst(back.get(i));
            }
        } else {
            back.addAll(ready);
            back.sort(BY_SEQUENCE);
            ready.clear();
            ready.addAll(back);
        }
        dispatch();
    }

    public void addConsumer(Consumer consumer) {
        if (!consumers.isEmpty() && (consumer.exclusive() || consumers.get(0).exclusive())) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s in exclusive use", describe());
        }
        consumers.add(consumer);
        hadConsumers = true;
        consumerCount = consumers.size();
        dispatch();
    }

    /** Removes a consumer; an auto-delete queue goes away with its last consumer. */
    public void removeConsumer(Consumer consumer) {
        int index = consumers.indexOf(consumer);
        if (index < 0) {
            return;
        }
        consumers.remove(index);
        if (index < nextConsumer) {
            nextConsumer--;
        }
        consumerCount = consumers.size();
        if (autoDelete && hadConsumers && consumers.isEmpty()) {
            delete();
        }
    }

    /** Takes the next ready message for basic.get, or null when there is none. */
    public QueueEntry poll() {
        QueueEntry entry = ready.pollFirst();
        messageCount = ready.size();
        return entry;
    }

    /** Drops every ready message; returns how many. */
    public int purge() {
        int count = ready.size();
        releaseReady();
        return count;
    }

    /**
     * Deletes the queue: checks the conditions, cancels its consumers, drops its messages and removes it
     * from its virtual host. Returns how many messages it held.
     */
    public int delete(boolean ifUnused, boolean ifEmpty) {
        if (deleted) {
            return 0;
        }
        if (ifUnused && !consumers.isEmpty()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s in use", describe());
        }
        if (ifEmpty && !ready.isEmpty()) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "%s not empty", describe());
        }
        return delete();
    }

    private int delete() {
        deleted = true;
        int count = ready.size();
        releaseReady();
        List<Consumer> cancelled = new ArrayList<>(consumers);
        consumers.clear();
        consumerCount = 0;
        cancelled.forEach(c -> c.cancelledByQueue(this));
        vhost.queueDeleted(this);
        return count;
    }

    private void releaseReady() {
        for (QueueEntry entry; (entry = ready.pollFirst()) != null; ) {
            entry.message().release();
        }
        messageCount = 0;
    }

    /** Gives ready messages to consumers that can take them, round-robin. */
    private void dispatch() {
        int size = consumers.size();
        while (!ready.isEmpty() && size > 0) {
            Consumer consumer = null;
            for (int tried = 0; tried < size; tried++) {
                Consumer candidate = consumers.get(nextConsumer);
                nextConsumer = (nextConsumer + 1) % size;
                if (candidate.ready()) {
                    consumer = candidate;
                    break;
                }
            }
            if (consumer == null) {
                break;
            }
            consumer.deliver(this, ready.pollFirst());
        }
        messageCount = ready.size();
    }

    /** Runs dispatch again, e.g. when a consumer becomes ready. */
    public void resumeDispatch() {
        dispatch();
    }
}
