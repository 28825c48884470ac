package dev.warren.core;

/**
 * One first-in first-out run of a queue's ready messages: those in memory, then those paged out behind
 * them. A queue has one lane; a priority queue one per priority, the highest served first. New messages
 * join the memory part only while nothing of the lane is paged out, so the order holds. Owner thread only.
 */
final class Lane {
    final FifoReadyList ready = new FifoReadyList();
    final PagedBacklog backlog;

    Lane(PagedBacklog backlog) {
        this.backlog = backlog;
    }

    long size() {
        return ready.size() + backlog.size();
    }

    boolean isEmpty() {
        return ready.isEmpty() && backlog.isEmpty();
    }
}
