package dev.warren.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.function.Consumer;

/**
 * Where one message goes: the queues it reaches, each once, and the exchanges it passed through (each
 * once, so exchange-to-exchange cycles end). One instance is reused for every publish of a channel, so
 * routing allocates nothing in the steady state: plain lists read by index, and a hash set only when a
 * message fans out to many queues. The routers feed it as their binding sink. One thread at a time.
 */
public final class Destinations implements Consumer<Binding> {
    /** Below this many queues a linear scan finds duplicates faster than hashing. */
    private static final int SCAN_LIMIT = 16;

    private final ArrayList<MessageQueue> queues = new ArrayList<>();
    private final HashSet<MessageQueue> manyQueues = new HashSet<>();
    private final ArrayList<Exchange> exchanges = new ArrayList<>();
    /** CC and BCC keys of the message being routed (reused). */
    private final ArrayList<String> extraKeys = new ArrayList<>();
    /** Whether the exchange being routed through matched any binding. */
    private boolean matched;

    public int size() {
        return queues.size();
    }

    public boolean isEmpty() {
        return queues.isEmpty();
    }

    public MessageQueue queue(int index) {
        return queues.get(index);
    }

    /** Forgets the last message's destinations (and lets go of the references to them). */
    public void clear() {
        queues.clear();
        manyQueues.clear();
        exchanges.clear();
    }

    /** Routing with another key starts: every exchange may be passed again. */
    void clearExchanges() {
        exchanges.clear();
    }

    ArrayList<String> extraKeys() {
        return extraKeys;
    }

    void addQueue(MessageQueue queue) {
        int size = queues.size();
        if (size < SCAN_LIMIT) {
            for (int i = 0; i < size; i++) {
                if (queues.get(i) == queue) {
                    return;
                }
            }
        } else {
            if (size == SCAN_LIMIT) {
                manyQueues.addAll(queues);
            }
            if (!manyQueues.add(queue)) {
                return;
            }
        }
        queues.add(queue);
    }

    /** Adds an exchange to route through, unless the message passed it already; returns whether it is new. */
    boolean addExchange(Exchange exchange) {
        for (int i = 0; i < exchanges.size(); i++) {
            if (exchanges.get(i) == exchange) {
                return false;
            }
        }
        exchanges.add(exchange);
        return true;
    }

    int exchangeCount() {
        return exchanges.size();
    }

    Exchange exchange(int index) {
        return exchanges.get(index);
    }

    /** Routing through one exchange starts: it has matched nothing yet. */
    void startExchange() {
        matched = false;
    }

    /** Whether the exchange just routed through matched a binding (even to a destination already reached). */
    boolean matched() {
        return matched;
    }

    /** A binding the message matched. */
    @Override
    public void accept(Binding binding) {
        matched = true;
        if (binding.destination() instanceof MessageQueue queue) {
            addQueue(queue);
        } else {
            addExchange((Exchange) binding.destination());
        }
    }
}
