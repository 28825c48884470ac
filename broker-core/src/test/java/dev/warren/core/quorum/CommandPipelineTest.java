package dev.warren.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CommandPipelineTest {
    /** A log that records each entry it is sent and answers when the test says. */
    private final List<List<QuorumCommand>> entries = new ArrayList<>();
    private final List<CompletableFuture<List<QuorumReply>>> answers = new ArrayList<>();
    private final CommandPipeline pipeline = new CommandPipeline(commands -> {
        entries.add(commands);
        CompletableFuture<List<QuorumReply>> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    });

    private void commit(int entry) {
        List<QuorumReply> replies = new ArrayList<>();
        for (int i = 0; i < entries.get(entry).size(); i++) {
            replies.add(new QuorumReply(QuorumQueueState.position(entry + 1, i), null));
        }
        answers.get(entry).complete(replies);
    }

    private static QuorumCommand enqueue(int n) {
        return new QuorumCommand.Enqueue(new byte[] {(byte) n});
    }

    @Test
    void commandsWaitingWhileEntriesAreInFlightGoTogetherInTheNextEntryInOrder() throws Exception {
        List<CompletableFuture<QuorumReply>> replies = new ArrayList<>();
        for (int i = 0; i < CommandPipeline.MAX_IN_FLIGHT + 3; i++) {
            replies.add(pipeline.submit(enqueue(i)));
        }
        assertEquals(CommandPipeline.MAX_IN_FLIGHT, entries.size(), "one entry per command until the window is full");
        commit(0);
        assertEquals(CommandPipeline.MAX_IN_FLIGHT + 1, entries.size());
        assertEquals(3, entries.get(CommandPipeline.MAX_IN_FLIGHT).size(), "the three that waited, as one entry");
        for (int i = 1; i <= CommandPipeline.MAX_IN_FLIGHT; i++) {
            commit(i);
        }
        List<Long> positions = new ArrayList<>();
        for (CompletableFuture<QuorumReply> reply : replies) {
            positions.add(reply.get().position());
        }
        List<Long> sorted = new ArrayList<>(positions);
        sorted.sort(null);
        assertEquals(sorted, positions, "replies in the order the commands were submitted");
        assertEquals(QuorumQueueState.position(CommandPipeline.MAX_IN_FLIGHT + 1, 2), positions.get(positions.size() - 1));
    }

    @Test
    void aFailedEntryFailsEachOfItsCommandsAndTheNextEntryStillGoes() {
        for (int i = 0; i < CommandPipeline.MAX_IN_FLIGHT; i++) {
            pipeline.submit(enqueue(i));
        }
        CompletableFuture<QuorumReply> waiting = pipeline.submit(enqueue(99));
        answers.get(0).completeExceptionally(new IllegalStateException("no majority"));
        assertTrue(entries.size() > CommandPipeline.MAX_IN_FLIGHT, "the waiting command was sent");
        commit(CommandPipeline.MAX_IN_FLIGHT);
        assertEquals(QuorumQueueState.position(CommandPipeline.MAX_IN_FLIGHT + 1, 0), waiting.join().position());
    }

    @Test
    void aConsumersAcksInARowGoAsOneSettle() {
        ConsumerKey bob = new ConsumerKey("warren@a", 1, "bob");
        ConsumerKey ann = new ConsumerKey("warren@a", 1, "ann");
        for (int i = 0; i < CommandPipeline.MAX_IN_FLIGHT; i++) {
            pipeline.submit(enqueue(i));
        }
        List<CompletableFuture<QuorumReply>> acks = List.of(
                pipeline.submit(new QuorumCommand.Settle(bob, new long[] {1})),
                pipeline.submit(new QuorumCommand.Settle(bob, new long[] {2, 3})),
                pipeline.submit(new QuorumCommand.Settle(ann, new long[] {4})),
                pipeline.submit(new QuorumCommand.Settle(bob, new long[] {5})));
        commit(0);
        List<QuorumCommand> entry = entries.get(CommandPipeline.MAX_IN_FLIGHT);
        assertEquals(3, entry.size());
        assertEquals("[1, 2, 3]", java.util.Arrays.toString(((QuorumCommand.Settle) entry.get(0)).ids()));
        assertEquals(ann, ((QuorumCommand.Settle) entry.get(1)).consumer());
        assertEquals(bob, ((QuorumCommand.Settle) entry.get(2)).consumer());
        commit(CommandPipeline.MAX_IN_FLIGHT);
        assertEquals(acks.get(0).join().position(), acks.get(1).join().position(), "one command, one reply for both");
        assertEquals(QuorumQueueState.position(CommandPipeline.MAX_IN_FLIGHT + 1, 2), acks.get(3).join().position());
    }

    @Test
    void aLargeBacklogIsSplitByCountAndBytes() throws ExecutionException, InterruptedException {
        for (int i = 0; i < CommandPipeline.MAX_IN_FLIGHT; i++) {
            pipeline.submit(enqueue(i));
        }
        for (int i = 0; i < CommandPipeline.MAX_COMMANDS + 5; i++) {
            pipeline.submit(enqueue(i));
        }
        pipeline.submit(new QuorumCommand.Enqueue(new byte[(int) CommandPipeline.MAX_BYTES]));
        pipeline.submit(enqueue(1));
        commit(0);
        assertEquals(CommandPipeline.MAX_COMMANDS, entries.get(CommandPipeline.MAX_IN_FLIGHT).size());
        commit(1);
        assertEquals(6, entries.get(CommandPipeline.MAX_IN_FLIGHT + 1).size(), "5 small ones and the big one");
        commit(2);
        assertEquals(1, entries.get(CommandPipeline.MAX_IN_FLIGHT + 2).size());
    }
}
