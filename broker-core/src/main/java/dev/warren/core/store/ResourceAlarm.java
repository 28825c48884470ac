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

    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }
}
