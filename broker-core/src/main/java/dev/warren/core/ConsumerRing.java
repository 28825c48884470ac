package dev.warren.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A queue's consumers in the order dispatch offers them messages: round-robin among those that can take one
 * now, and, with consumer priorities ({@code x-priority}), the highest priority first — a lower one gets a
 * message only while every higher one is out of credit, as in RabbitMQ. Consumers are kept sorted by
 * priority, in subscription order within one; with a single priority (the usual case) a pointer goes round,
 * with several the consumer served moves behind the others of its priority.
 *
 * <p>With a single active consumer ({@code x-single-active-consumer}) only the first subscriber gets
 * messages; the next in subscription order takes over when it leaves. Owner thread only.
 */
final class ConsumerRing {
    private final List<Consumer> consumers = new ArrayList<>();
    private final boolean singleActive;
    private int next;
    private boolean mixedPriorities;

    ConsumerRing(boolean singleActive) {
        this.singleActive = singleActive;
    }

    boolean isEmpty() {
        return consumers.isEmpty();
    }

    /** The consumer that receives, with a single active consumer; else null. */
    Consumer active() {
        return singleActive && !consumers.isEmpty() ? consumers.get(0) : null;
    }

    int size() {
        return consumers.size();
    }

    Consumer first() {
        return consumers.get(0);
    }

    List<Consumer> snapshot() {
        return new ArrayList<>(consumers);
    }

    /** Adds a consumer behind those of its priority and above. */
    void add(Consumer consumer) {
        int at = consumers.size();
        while (!singleActive && at > 0 && consumers.get(at - 1).priority() < consumer.priority()) {
            at--;
        }
        consumers.add(at, consumer);
        if (at < next) {
            next++;
        }
        mixedPriorities = consumers.get(0).priority() != consumers.get(consumers.size() - 1).priority();
    }

    /** Removes a consumer; returns false when it was not here. */
    boolean remove(Consumer consumer) {
        int index = consumers.indexOf(consumer);
        if (index < 0) {
            return false;
        }
        consumers.remove(index);
        if (index < next) {
            next--;
        }
        if (next >= consumers.size()) {
            next = 0; // the pointer was on the last consumer, which just left
        }
        mixedPriorities = !consumers.isEmpty()
                && consumers.get(0).priority() != consumers.get(consumers.size() - 1).priority();
        return true;
    }

    /** Whether a consumer is held back by its connection ({@link Consumer#backedUp}). */
    boolean anyBackedUp() {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).backedUp()) {
                return true;
            }
        }
        return false;
    }

    /** The consumer that gets the next message, or null when none can take one now. */
    Consumer nextReady() {
        if (singleActive) {
            return !consumers.isEmpty() && consumers.get(0).ready() ? consumers.get(0) : null;
        }
        return mixedPriorities ? nextByPriority() : nextRoundRobin();
    }

    private Consumer nextRoundRobin() {
        int size = consumers.size();
        for (int tried = 0; tried < size; tried++) {
            Consumer candidate = consumers.get(next);
            next = (next + 1) % size;
            if (candidate.ready()) {
                return candidate;
            }
        }
        return null;
    }

    private Consumer nextByPriority() {
        int size = consumers.size();
        for (int i = 0; i < size; i++) {
            Consumer candidate = consumers.get(i);
            if (candidate.ready()) {
                int end = i + 1;
                while (end < size && consumers.get(end).priority() == candidate.priority()) {
                    end++;
                }
                consumers.remove(i);
                consumers.add(end - 1, candidate); // behind the others of its priority: round-robin among them
                return candidate;
            }
        }
        return null;
    }
}
