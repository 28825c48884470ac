package dev.warren.core.quorum;

import static dev.warren.core.quorum.QuorumStateSnapshots.describe;
import static dev.warren.core.quorum.QuorumStateSnapshots.restore;
import static dev.warren.core.quorum.QuorumStateSnapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.message.Message;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of the commands of length limits, expiry, high priority messages, single active consumer,
 * exclusive and prioritized consumers (mixed with the rest), applied to {@link QuorumQueueState}: a replica restored from a snapshot taken
 * anywhere emits the same effects and ends in the same state, and after each command the limits hold (drop-head
 * keeps at most the limit ready after an enqueue or a new configuration, reject-publish takes an enqueue only
 * with room), no expired message waits at a head after a tick, and under single active consumer every delivery
 * goes to the active one.
 */
class QuorumQueueFeaturesPropertyTest {
    private static final String[] NODES = {"warren@a", "warren@b", "warren@c"};

    record Op(int kind, int a, int b) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 13),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(150);
    }

    @Property(tries = 300)
    void replicasAgreeAndTheLimitsExpiryAndActiveConsumerHold(@ForAll("ops") List<Op> ops) throws IOException {
        QuorumQueueState state = new QuorumQueueState();
        QuorumQueueState replica = null;
        Run run = new Run();
        int snapshotAt = ops.size() / 2;
        long index = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (i == snapshotAt) {
                replica = restore(state);
                assertArrayEquals(snapshot(state), snapshot(replica));
            }
            QuorumCommand command = run.commandFor(ops.get(i));
            if (command == null) {
                continue;
            }
            index++;
            List<QuorumEffect> effects = new ArrayList<>();
            state.apply(index, command, effects::add);
            run.after(command, effects, state);
            if (replica != null) {
                List<QuorumEffect> replicaEffects = new ArrayList<>();
                replica.apply(index, command, replicaEffects::add);
                assertEquals(describe(effects), describe(replicaEffects), "a restored replica emits the same effects");
            }
        }
        if (replica != null) {
            assertArrayEquals(snapshot(state), snapshot(replica));
        }
    }

    /** What the commands so far set up: the configuration, the consumers, what each holds, the clock. */
    private static final class Run {
        QuorumCommand.Configure configuration = new QuorumCommand.Configure(2, false);
        final List<ConsumerKey> consumers = new ArrayList<>();
        final java.util.Map<Long, ConsumerKey> held = new java.util.HashMap<>();
        final List<Long> dead = new ArrayList<>();
        long clock = 1_000;
        int tags;
        int bodies;

        QuorumCommand commandFor(Op op) {
            switch (op.kind()) {
                case 0, 1, 2: {
                    byte[] message = QuorumMessages.encode(new Message("", "q", Unpooled.EMPTY_BUFFER,
                            Unpooled.copiedBuffer("m" + bodies++ + "x".repeat(op.b() % 7), StandardCharsets.US_ASCII), 0));
                    return new QuorumCommand.Enqueue(message, op.a() % 3 == 0 ? clock + op.b() % 50 : QuorumQueueState.NEVER,
                            op.b() % 4 == 1);
                }
                case 3: {
                    ConsumerKey key = new ConsumerKey(NODES[op.a() % 3], op.b() % 3, "ctag-" + tags++);
                    return new QuorumCommand.Checkout(key, 1 + op.b() % 4, op.a() % 11 == 0, op.a() % 3);
                }
                case 4, 5, 6: {
                    List<Long> ids = new ArrayList<>(held.keySet());
                    if (ids.isEmpty()) {
                        return null;
                    }
                    long id = ids.get(op.a() % ids.size());
                    ConsumerKey holder = held.get(id);
                    return op.kind() == 4 ? new QuorumCommand.Settle(holder, new long[] {id})
                            : op.kind() == 5 ? new QuorumCommand.Return(holder, new long[] {id})
                            : new QuorumCommand.Discard(holder, new long[] {id});
                }
                case 7:
                    return consumers.isEmpty() ? null : new QuorumCommand.Cancel(consumers.get(op.a() % consumers.size()));
                case 8:
                    return new QuorumCommand.Get(ConsumerKey.forGets(NODES[op.a() % 3], op.b() % 3), op.b() % 2 == 0);
                case 9:
                    return new QuorumCommand.ChannelDown(NODES[op.a() % 3], op.b() % 3);
                case 10:
                    clock += op.a() % 40;
                    return new QuorumCommand.Tick(clock);
                case 11: {
                    long[] limits = {QuorumQueueState.UNLIMITED, 0, 1, 3, 10};
                    return new QuorumCommand.Configure(op.a() % 4, op.b() % 2 == 0, limits[op.a() % limits.length],
                            op.b() % 3 == 0 ? 5 + op.a() % 30 : QuorumQueueState.UNLIMITED, op.b() % 5 == 0,
                            op.a() % 4 == 0);
                }
                case 12:
                    return dead.isEmpty() ? null : new QuorumCommand.DeadLettered(new long[] {dead.remove(0)});
                default:
                    return op.a() % 5 == 0 ? new QuorumCommand.Purge() : null;
            }
        }

        void after(QuorumCommand command, List<QuorumEffect> effects, QuorumQueueState state) {
            if (command instanceof QuorumCommand.Configure c) {
                configuration = c;
            } else if (command instanceof QuorumCommand.Checkout c
                    && !effects.contains(new QuorumEffect.Rejected())) {
                consumers.add(c.consumer());
            } else if (command instanceof QuorumCommand.Settle || command instanceof QuorumCommand.Return
                    || command instanceof QuorumCommand.Discard) {
                long[] ids = command instanceof QuorumCommand.Settle s ? s.ids()
                        : command instanceof QuorumCommand.Return r ? r.ids() : ((QuorumCommand.Discard) command).ids();
                for (long id : ids) {
                    held.remove(id);
                }
            } else if (command instanceof QuorumCommand.ChannelDown d) {
                held.values().removeIf(k -> k.node().equals(d.node()) && k.channel() == d.channel());
                consumers.removeIf(k -> k.node().equals(d.node()) && k.channel() == d.channel());
            } else if (command instanceof QuorumCommand.Cancel c) {
                consumers.remove(c.consumer());
            }
            for (QuorumEffect effect : effects) {
                if (effect instanceof QuorumEffect.Deliver d) {
                    held.put(d.id(), d.consumer());
                    if (configuration.singleActiveConsumer()) {
                        assertEquals(state.activeConsumer(), d.consumer(), "a delivery to a consumer that is not active");
                    }
                } else if (effect instanceof QuorumEffect.GetResult g && g.message() != null && g.holder() != null
                        && !((QuorumCommand.Get) command).noAck()) {
                    held.put(g.id(), g.holder());
                } else if (effect instanceof QuorumEffect.DeadLetter d) {
                    dead.add(d.id());
                    held.remove(d.id());
                }
            }
            // drop-head trims on an enqueue and a new configuration; reject-publish takes an enqueue only with room
            long max = configuration.maxLength();
            boolean taken = command instanceof QuorumCommand.Enqueue && !effects.contains(new QuorumEffect.Rejected());
            if (max != QuorumQueueState.UNLIMITED && (configuration.rejectPublish() ? taken
                    : command instanceof QuorumCommand.Enqueue || command instanceof QuorumCommand.Configure)) {
                assertTrue(state.readyCount() <= max, "ready " + state.readyCount() + " over the limit " + configuration);
            }
            if (command instanceof QuorumCommand.Tick t) {
                assertTrue(state.nextExpiry() > t.now(), "an expired message still waits at a head");
            }
        }
    }
}
