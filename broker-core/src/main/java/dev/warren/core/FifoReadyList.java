package dev.warren.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A plain queue's ready list: first in, first out, with requeued entries back in their original places. */
final class FifoReadyList implements ReadyList {
    private static final Comparator<QueueEntry> BY_SEQUENCE = Comparator.comparingLong(QueueEntry::sequence);
    private final ArrayDeque<QueueEntry> entries = new ArrayDeque<>();

    @Override
    public void addLast(QueueEntry entry) {
        entries.addLast(entry);
    }

    @Override
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

    @Override
    public QueueEntry poll() {
        return entries.pollFirst();
    }

    @Override
    public int size() {
        return entries.size();
    }
}
