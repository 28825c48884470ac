package dev.warren.core.store;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An alarm such as RabbitMQ's disk alarm: while it is raised, publishing connections are blocked.
 * Listeners hear every change, on the thread that made it.
 */
public final class ResourceAlarm {
    private final String resource;
    private final CopyOnWriteArrayList<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean raised;
    /** The last reading of what the alarm watches and its limit (free disk bytes), or -1 before the first. */
    private volatile long level = -1;
    private volatile long limit = -1;

    /** @param resource what runs short, as connection.blocked reports it ("disk", "memory") */
    public ResourceAlarm(String resource) {
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }

    public boolean raised() {
        return raised;
    }

    public void set(boolean raise) {
        if (raised != raise) {
            raised = raise;
            listeners.forEach(l -> l.accept(raise));
        }
    }

    /** Records a reading (for the management UI); the caller still decides whether to raise the alarm. */
    public void measured(long newLevel, long newLimit) {
        limit = newLimit;
        level = newLevel;
    }

    /** The last reading, or -1 when none was made. */
    public long level() {
        return level;
    }

    /** The limit at the last reading, or -1 when none was made. */
    public long limit() {
        return limit;
    }

    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }
}
