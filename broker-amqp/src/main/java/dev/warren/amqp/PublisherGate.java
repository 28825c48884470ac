package dev.warren.amqp;

import dev.warren.amqp.protocol.Methods;
import dev.warren.core.QueueFlow;
import dev.warren.core.store.ResourceAlarm;
import dev.warren.core.store.WriteBacklog;
import io.netty.channel.Channel;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that stops the broker reading a publisher, in one place: flow control towards queues on
 * other event loops and towards queues whose consumers cannot keep up ({@link QueueFlow}), the bytes waiting for
 * the journal (this connection's persistent publishes, with or without confirms; and the store's whole write
 * backlog, which also holds what queues page out when publishers outrun the disk), and the resource alarms (disk, memory), which also tell clients that asked for it (connection.blocked /
 * unblocked). As in RabbitMQ's reader, a publishing connection is blocked while any alarm is raised, told so
 * once with the alarms raised at that moment ("low on memory", "low on disk & memory"), and told it is
 * unblocked once none is. Connection thread only, but for {@link PublisherFlow#remove}, which any thread may call.
 */
final class PublisherGate {
    private static final Logger LOG = LoggerFactory.getLogger(PublisherGate.class);
    /** Messages on their way to queues on other event loops before reading stops, and where it resumes. */
    static final int QUEUE_HIGH_WATER_MARK = 20_000;
    static final int QUEUE_LOW_WATER_MARK = 10_000;
    /** Published bytes not yet written by the journal before reading stops, and where it resumes. */
    static final long JOURNAL_HIGH_WATER_MARK = 64L << 20;
    static final long JOURNAL_LOW_WATER_MARK = 32L << 20;

    /** Sends connection.blocked / unblocked on channel 0. */
    interface Notifier {
        void send(dev.warren.amqp.protocol.Method method);
    }

    private final ReadGate gate;
    private final PublisherFlow toQueues;
    private final PublisherFlow toJournal;
    /** An array, not a list: {@link #publishing} reads it for every message and must not allocate an iterator. */
    private final ResourceAlarm[] alarms;
    private final WriteBacklog storeBacklog;
    private final Notifier notifier;
    private final String peer;
    private final Outbox outbox;
    /** Queues this connection published to while they were behind, each with the wake-up it waits for; lazily made. */
    private Map<QueueFlow, Runnable> waitingOn;
    /** The client understands connection.blocked/unblocked (a client capability). */
    private boolean blockedNotifications;
    /** This connection has published: a resource alarm blocks it. */
    private boolean publishes;
    /** connection.blocked was sent (or would have been) and reading stopped for an alarm. */
    private boolean blockedByAlarm;
    /** Reading stopped because the store is behind (silently: RabbitMQ's "flow" state). */
    private boolean slowedByStore;

    /** @param alarms every alarm that blocks publishers, in the order the blocked reason names them */
    PublisherGate(Channel socket, Outbox outbox, List<ResourceAlarm> alarms, WriteBacklog storeBacklog, Notifier notifier,
                  String peer) {
        this.gate = new ReadGate(socket);
        this.toQueues = new PublisherFlow(gate, ReadGate.Reason.PUBLISHER_FLOW, outbox,
                QUEUE_HIGH_WATER_MARK, QUEUE_LOW_WATER_MARK);
        this.toJournal = new PublisherFlow(gate, ReadGate.Reason.JOURNAL_BACKLOG, outbox,
                JOURNAL_HIGH_WATER_MARK, JOURNAL_LOW_WATER_MARK);
        this.alarms = alarms.toArray(ResourceAlarm[]::new);
        this.storeBacklog = storeBacklog;
        this.notifier = notifier;
        this.peer = peer;
        this.outbox = outbox;
    }

    void blockedNotifications(boolean enabled) {
        blockedNotifications = enabled;
    }

    PublisherFlow toQueues() {
        return toQueues;
    }

    PublisherFlow toJournal() {
        return toJournal;
    }

    /** RabbitMQ's connection state, read on any thread: blocked by an alarm, held back by flow control, or running. */
    String state() {
        if (gate.isPausedFor(ReadGate.Reason.RESOURCE_ALARM)) {
            return "blocked";
        }
        return gate.isPaused() ? "flow" : "running"; // every other reason is flow control
    }

    /** Whether reading is paused for any reason (missed client heartbeats are then not the client's fault). */
    boolean isPaused() {
        return gate.isPaused();
    }

    /** A message is being published on this connection: while an alarm is raised, reading stops after it. */
    void publishing() {
        publishes = true;
        if (!blockedByAlarm && anyRaised()) {
            block();
        }
        if (!slowedByStore && storeBacklog.behind()) {
            slowedByStore = true;
            gate.pause(ReadGate.Reason.STORE_BACKLOG);
        }
    }

    /**
     * A message went to a queue whose consumers cannot keep up ({@link QueueFlow}): reading stops until the queue
     * wakes this connection, after its consumers took some more or it caught up.
     */
    void publishedToBehind(QueueFlow flow) {
        if (waitingOn == null) {
            waitingOn = new IdentityHashMap<>(4);
        } else if (waitingOn.containsKey(flow)) {
            return;
        }
        Runnable wake = () -> outbox.post(() -> woken(flow));
        waitingOn.put(flow, wake);
        gate.pause(ReadGate.Reason.QUEUE_BEHIND);
        flow.await(wake);
    }

    private void woken(QueueFlow flow) {
        if (waitingOn.remove(flow) != null && waitingOn.isEmpty()) {
            gate.resume(ReadGate.Reason.QUEUE_BEHIND);
        }
    }

    /** The connection closed: the queues it waits on need not wake it. */
    void closed() {
        if (waitingOn != null) {
            waitingOn.forEach(QueueFlow::cancel);
            waitingOn.clear();
        }
    }

    /**
     * The store fell behind or caught up (on this connection's loop): a publishing connection is not read
     * meanwhile. Read as it is now, so changes that arrive out of order end right.
     */
    void storeBacklogChanged() {
        boolean behind = storeBacklog.behind();
        if (behind && publishes && !slowedByStore) {
            slowedByStore = true;
            gate.pause(ReadGate.Reason.STORE_BACKLOG);
        } else if (!behind && slowedByStore) {
            slowedByStore = false;
            gate.resume(ReadGate.Reason.STORE_BACKLOG);
        }
    }

    /**
     * An alarm changed (on this connection's loop): block a publishing connection, or unblock it when no
     * alarm is left. The alarms are read as they are now, so changes that arrive out of order end right.
     */
    void alarmChanged() {
        boolean raised = anyRaised();
        if (raised && publishes && !blockedByAlarm) {
            block();
        } else if (!raised && blockedByAlarm) {
            blockedByAlarm = false;
            if (blockedNotifications) {
                notifier.send(Methods.CONNECTION_UNBLOCKED.with());
            }
            gate.resume(ReadGate.Reason.RESOURCE_ALARM);
            LOG.info("Connection from {} unblocked: the resource alarms cleared", peer);
        }
    }

    private boolean anyRaised() {
        for (ResourceAlarm alarm : alarms) {
            if (alarm.raised()) {
                return true;
            }
        }
        return false;
    }

    /** RabbitMQ's connection.blocked reason: "low on " and the raised alarms joined by " & ". */
    private String reason() {
        StringJoiner raised = new StringJoiner(" & ", "low on ", "");
        for (ResourceAlarm alarm : alarms) {
            if (alarm.raised()) {
                raised.add(alarm.resource());
            }
        }
        return raised.toString();
    }

    private void block() {
        blockedByAlarm = true;
        String reason = reason();
        if (blockedNotifications) {
            notifier.send(Methods.CONNECTION_BLOCKED.with(reason));
        }
        gate.pause(ReadGate.Reason.RESOURCE_ALARM);
        LOG.info("Connection from {} blocked: {}", peer, reason);
    }
}
