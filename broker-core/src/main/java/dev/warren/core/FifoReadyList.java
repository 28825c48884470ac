package dev.warren.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Ready messages in memory, first in first out, with requeued entries back in their original places (by
 * sequence). A queue has one; a priority queue one per priority. Owner thread only.
 */
final class FifoReadyList {
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    private final ArrayDeque<QueueEntry> entries = new ArrayDeque<>();

    public void addLast(QueueEntry entry) {
        entries.addLast(entry);
    }

    public void putBack(List<QueueEntry> back) {
        if (back.isEmpty()) {
            return;
        }
        QueueEntry head = entries.peekFirst();
        if (head == null || back.get(back.size() - 1).sequence() < head.sequence()) {
            // the usual case: everything coming back is older than what is ready
            for (int i = back.size() - 1; i >= 0; i--) {
                entries.addFirst(back.get(i));
            }
            return;
        }
        List<QueueEntry> merged = new ArrayList<>(back.size() + entries.size());
        merged.addAll(back);
        merged.addAll(entries);
        merged.sort(BY_SEQUENCE);
        entries.clear();
        entries.addAll(merged);
    }

    /** Replaces each entry by what {@code change} makes of it, in place and in order. */
    public void replaceAll(UnaryOperator<QueueEntry> change) {
        for (int i = entries.size(); i > 0; i--) {
            entries.addLast(change.apply(entries.pollFirst()));
        }
    }

    public void forEach(Consumer<QueueEntry> action) {
        entries.forEach(action);
    }

    public QueueEntry peek() {
        return entries.peekFirst();
    }

    public QueueEntry poll() {
        return entries.pollFirst();
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
