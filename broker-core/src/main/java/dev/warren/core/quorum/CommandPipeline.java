package dev.warren.core.quorum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One node's commands to one quorum queue's log, sent in order and in batches: while {@link #MAX_IN_FLIGHT} entries
 * are on their way, new commands wait and then go together as the next entry (up to {@link #MAX_COMMANDS} commands
 * or about {@link #MAX_BYTES} of messages). A quiet queue sends each command at once; a busy one pays one Raft
 * round (leader append, replication, fsync on each member) per batch instead of per message. Thread-safe: entries
 * leave in the order their commands were submitted (they are handed to the sender under this object's lock, and the
 * Raft client keeps its requests in order).
 */
public final class CommandPipeline {
    static final int MAX_IN_FLIGHT = 4;
    static final int MAX_COMMANDS = 2048;
    static final long MAX_BYTES = 1 << 20;

    private final Function<List<QuorumCommand>, CompletableFuture<List<QuorumReply>>> sender;
    // guarded by this
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    private record Pending(QuorumCommand command, CompletableFuture<QuorumReply> reply) {
    }

    /** @param sender appends commands as one log entry and completes with their replies, in order */
    public CommandPipeline(Function<List<QuorumCommand>, CompletableFuture<List<QuorumReply>>> sender) {
        this.sender = sender;
    }

    /** Sends the command with the next entry; completes with its reply once the entry is committed and applied. */
    public CompletableFuture<QuorumReply> submit(QuorumCommand command) {
        CompletableFuture<QuorumReply> reply = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(new Pending(command, reply));
            if (inFlight < MAX_IN_FLIGHT) {
                sendNext();
            }
        }
        return reply;
    }

    /** Takes the next batch from {@link #waiting} and hands it to the sender (under the lock, so entries keep order). */
    private void sendNext() {
        List<Pending> batch = new ArrayList<>();
        long bytes = 0;
        while (!waiting.isEmpty() && batch.size() < MAX_COMMANDS && (batch.isEmpty() || bytes < MAX_BYTES)) {
            Pending next = waiting.poll();
            batch.add(next);
            bytes += next.command() instanceof QuorumCommand.Enqueue e ? e.message().length : 16;
        }
        inFlight++;
        // a consumer's acks one after another become one settle (a consumer acking each message is the common case)
        List<QuorumCommand> commands = new ArrayList<>(batch.size());
        int[] commandOf = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            QuorumCommand command = batch.get(i).command();
            int last = commands.size() - 1;
            if (last >= 0 && command instanceof QuorumCommand.Settle settle
                    && commands.get(last) instanceof QuorumCommand.Settle before && before.consumer().equals(settle.consumer())) {
                commands.set(last, new QuorumCommand.Settle(settle.consumer(), concat(before.ids(), settle.ids())));
            } else {
                commands.add(command);
            }
            commandOf[i] = commands.size() - 1;
        }
        CompletableFuture<List<QuorumReply>> sent;
        try {
            sent = sender.apply(commands);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((replies, failure) -> finished(batch, commandOf, replies, failure));
    }

    private static long[] concat(long[] a, long[] b) {
        long[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private void finished(List<Pending> batch, int[] commandOf, List<QuorumReply> replies, Throwable failure) {
        for (int i = 0; i < batch.size(); i++) {
            if (failure != null) {
                batch.get(i).reply().completeExceptionally(failure);
            } else {
                batch.get(i).reply().complete(replies.get(commandOf[i]));
            }
        }
        synchronized (this) {
            inFlight--;
            if (!waiting.isEmpty()) {
                sendNext();
            }
        }
    }
}
