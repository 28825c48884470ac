package dev.warren.core.quorum;

import static dev.warren.core.quorum.QuorumStateSnapshots.describe;
import static dev.warren.core.quorum.QuorumStateSnapshots.restore;
import static dev.warren.core.quorum.QuorumStateSnapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of everything a quorum queue's log can hold, applied to {@link QuorumQueueState} and to a plain
 * model of where each message is. After every command: each message is in exactly one place, a consumer never
 * holds more than its credit, no ready message waits while an active consumer has room, new messages go out in
 * log order, delivery counts and redelivered flags are what the returns made them, and dead messages come out
 * as dead-letter effects. A snapshot taken anywhere restores a replica that continues identically.
 */
class QuorumQueueStateModelTest {
    private static final String[] NODES = {"warren@a", "warren@b", "warren@c"};

    record Op(int kind, int a, int b) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 14),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 300)
    void replicasHoldEveryMessageInOnePlaceAndAgreeAfterASnapshot(@ForAll("ops") List<Op> ops,
            @ForAll("limits") int deliveryLimit, @ForAll boolean deadLettering) throws IOException {
        Model model = new Model(deliveryLimit, deadLettering);
        QuorumQueueState replica = null;
        List<QuorumEffect> replicaEffects = new ArrayList<>();
        int snapshotAt = ops.size() / 2;
        long index = 1;
        model.apply(index, new QuorumCommand.Configure(deliveryLimit, deadLettering));
        for (int i = 0; i < ops.size(); i++) {
            if (i == snapshotAt) {
                replica = restore(model.state);
                assertArrayEquals(snapshot(model.state), snapshot(replica));
            }
            QuorumCommand command = model.commandFor(ops.get(i));
            if (command == null) {
                continue;
            }
            index += 1 + ops.get(i).b() % 3; // indexes only grow, with gaps (other log entries)
            List<QuorumEffect> effects = model.apply(index, command);
            if (replica != null) {
                replicaEffects.clear();
                replica.apply(index, command, replicaEffects::add);
                assertEquals(describe(effects), describe(replicaEffects), "a restored replica emits the same effects");
            }
            model.check();
        }
        if (replica != null) {
            assertArrayEquals(snapshot(model.state), snapshot(replica));
        }
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.of(QuorumQueueState.UNLIMITED, 0, 1, 2, QuorumQueueState.DEFAULT_DELIVERY_LIMIT);
    }

    /** Where each message is, kept from the effects, checked against the state after every command. */
    private static final class Model {
        final QuorumQueueState state;
        final int deliveryLimit;
        final boolean deadLettering;
        /** Live messages by id: their returns, whether they went out, who holds them (null: ready), dead or not. */
        final TreeMap<Long, Msg> messages = new TreeMap<>();
        final Map<ConsumerKey, Cons> consumers = new LinkedHashMap<>();
        int tags;
        long lastFreshDelivered = -1;

        Model(int deliveryLimit, boolean deadLettering) {
            this.deliveryLimit = deliveryLimit;
            this.deadLettering = deadLettering;
            this.state = new QuorumQueueState(); // configured by the first command
        }

        static final class Msg {
            int returns;
            boolean delivered;
            ConsumerKey holder;
            boolean dead;
            boolean returnedOnce;
        }

        static final class Cons {
            final int credit;
            boolean active = true;

            Cons(int credit) {
                this.credit = credit;
            }
        }

        QuorumCommand commandFor(Op op) {
            switch (op.kind()) {
                case 0, 1, 2:
                    return new QuorumCommand.Enqueue(("m" + op.a()).getBytes(StandardCharsets.US_ASCII));
                case 3: {
                    ConsumerKey key = new ConsumerKey(NODES[op.a() % 3], op.b() % 3, "ctag-" + tags++);
                    return new QuorumCommand.Checkout(key, 1 + op.b() % 5);
                }
                case 4, 5, 6: {
                    ConsumerKey holder = someHolder(op.a());
                    if (holder == null) {
                        return null;
                    }
                    long[] ids = heldBy(holder, 1 + op.b() % 4);
                    return op.kind() == 4 ? new QuorumCommand.Settle(holder, ids)
                            : op.kind() == 5 ? new QuorumCommand.Return(holder, ids) : new QuorumCommand.Discard(holder, ids);
                }
                case 7: {
                    List<ConsumerKey> keys = new ArrayList<>(consumers.keySet());
                    return keys.isEmpty() ? null : new QuorumCommand.Cancel(keys.get(op.a() % keys.size()));
                }
                case 8:
                    return new QuorumCommand.Get(ConsumerKey.forGets(NODES[op.a() % 3], op.b() % 3), op.b() % 2 == 0);
                case 9:
                    return new QuorumCommand.ChannelDown(NODES[op.a() % 3], op.b() % 3);
                case 10:
                    return op.a() % 4 == 0 ? new QuorumCommand.NodeDown(NODES[op.b() % 3]) : null;
                case 11:
                    return op.a() % 5 == 0 ? new QuorumCommand.Purge() : null;
                default: {
                    long[] dead = messages.entrySet().stream().filter(e -> e.getValue().dead)
                            .limit(1 + op.a() % 3).mapToLong(Map.Entry::getKey).toArray();
                    return dead.length == 0 ? null : new QuorumCommand.DeadLettered(dead);
                }
            }
        }

        private ConsumerKey someHolder(int pick) {
            List<ConsumerKey> holders = messages.values().stream().map(m -> m.holder).filter(h -> h != null)
                    .distinct().toList();
            return holders.isEmpty() ? null : holders.get(pick % holders.size());
        }

        private long[] heldBy(ConsumerKey holder, int n) {
            return messages.entrySet().stream().filter(e -> holder.equals(e.getValue().holder)).limit(n)
                    .mapToLong(Map.Entry::getKey).toArray();
        }

        List<QuorumEffect> apply(long index, QuorumCommand command) {
            // what the command does to the model before its effects
            if (command instanceof QuorumCommand.Enqueue) {
                messages.put(index, new Msg());
            } else if (command instanceof QuorumCommand.Checkout c) {
                consumers.putIfAbsent(c.consumer(), new Cons(c.credit()));
                if (!consumers.get(c.consumer()).active) {
                    consumers.put(c.consumer(), new Cons(c.credit()));
                }
            } else if (command instanceof QuorumCommand.Cancel c) {
                consumers.get(c.consumer()).active = false;
            } else if (command instanceof QuorumCommand.Settle s) {
                for (long id : s.ids()) {
                    messages.remove(id);
                }
            } else if (command instanceof QuorumCommand.Return r) {
                returned(r.ids());
            } else if (command instanceof QuorumCommand.Discard d) {
                for (long id : d.ids()) {
                    die(id);
                }
            } else if (command instanceof QuorumCommand.ChannelDown d) {
                down(k -> k.node().equals(d.node()) && k.channel() == d.channel());
            } else if (command instanceof QuorumCommand.NodeDown d) {
                down(k -> k.node().equals(d.node()));
            } else if (command instanceof QuorumCommand.Purge) {
                messages.values().removeIf(m -> m.holder == null && !m.dead);
            } else if (command instanceof QuorumCommand.DeadLettered d) {
                for (long id : d.ids()) {
                    messages.remove(id);
                }
            }
            List<QuorumEffect> effects = new ArrayList<>();
            state.apply(index, command, effects::add);
            for (QuorumEffect effect : effects) {
                if (effect instanceof QuorumEffect.Deliver d) {
                    Msg m = messages.get(d.id());
                    assertNotNull(m, "delivered a message the queue does not have");
                    assertNull(m.holder, "delivered a message someone holds");
                    assertFalse(m.dead, "delivered a dead message");
                    Cons c = consumers.get(d.consumer());
                    assertTrue(c != null && c.active, "delivered to a consumer that is not active");
                    assertEquals(m.delivered, d.redelivered(), "redelivered flag");
                    assertEquals(m.returns, d.deliveryCount(), "delivery count");
                    if (!m.returnedOnce) {
                        assertTrue(d.id() > lastFreshDelivered, "new messages go out in log order");
                        lastFreshDelivered = d.id();
                    }
                    m.delivered = true;
                    m.holder = d.consumer();
                    assertTrue(held(d.consumer()) <= c.credit, "a consumer holds more than its credit");
                } else if (effect instanceof QuorumEffect.GetResult g) {
                    if (g.message() == null) {
                        assertEquals(0, readyCount(), "basic.get found nothing while messages were ready");
                    } else {
                        Msg m = messages.get(g.id());
                        assertNotNull(m);
                        assertNull(m.holder);
                        assertEquals(m.delivered, g.redelivered());
                        if (!m.returnedOnce) {
                            assertTrue(g.id() > lastFreshDelivered, "new messages go out in log order");
                            lastFreshDelivered = g.id();
                        }
                        m.delivered = true;
                        if (((QuorumCommand.Get) command).noAck()) {
                            messages.remove(g.id());
                        } else {
                            m.holder = g.holder();
                        }
                        assertEquals(readyCount(), g.remaining());
                    }
                } else if (effect instanceof QuorumEffect.DeadLetter d) {
                    Msg m = messages.get(d.id());
                    assertTrue(m != null && m.dead, "dead-lettered a message that did not die");
                    assertTrue(deadLettering);
                } else if (effect instanceof QuorumEffect.Purged p) {
                    assertEquals(0, readyCount());
                }
            }
            consumers.entrySet().removeIf(e -> !e.getValue().active && held(e.getKey()) == 0);
            return effects;
        }

        private void returned(long[] ids) {
            for (long id : ids) {
                Msg m = messages.get(id);
                m.holder = null;
                m.returns++;
                m.returnedOnce = true;
                if (deliveryLimit != QuorumQueueState.UNLIMITED && m.returns > deliveryLimit) {
                    die(id);
                }
            }
        }

        private void die(long id) {
            if (deadLettering) {
                Msg m = messages.get(id);
                m.holder = null;
                m.dead = true;
            } else {
                messages.remove(id);
            }
        }

        private void down(java.util.function.Predicate<ConsumerKey> matches) {
            List<Long> back = new ArrayList<>();
            messages.forEach((id, m) -> {
                if (m.holder != null && matches.test(m.holder)) {
                    back.add(id);
                }
            });
            consumers.keySet().removeIf(matches);
            returned(back.stream().mapToLong(Long::longValue).toArray());
        }

        private long held(ConsumerKey key) {
            return messages.values().stream().filter(m -> key.equals(m.holder)).count();
        }

        private long readyCount() {
            return messages.values().stream().filter(m -> m.holder == null && !m.dead).count();
        }

        void check() {
            assertEquals(messages.size(), state.totalCount(), "messages held");
            assertEquals(readyCount(), state.readyCount(), "ready messages");
            assertEquals(messages.values().stream().filter(m -> m.holder != null).count(), state.checkedOutCount(),
                    "messages out with consumers");
            assertEquals(consumers.values().stream().filter(c -> c.active).count(), state.consumerCount(), "consumers");
            if (readyCount() > 0) {
                for (Map.Entry<ConsumerKey, Cons> e : consumers.entrySet()) {
                    if (e.getValue().active && !e.getKey().tag().isEmpty()) {
                        assertTrue(held(e.getKey()) >= e.getValue().credit,
                                "a message waits while consumer " + e.getKey() + " has room");
                    }
                }
            }
        }
    }
}
