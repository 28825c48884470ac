package dev.warren.core.routing;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The bindings of a topic exchange: a trie whose edges are the dot-separated words of binding patterns,
 * with each pattern's destinations stored at the node where its last word ends. A pattern word {@code *}
 * matches exactly one routing-key word and {@code #} matches zero or more. Matching walks the trie and the
 * routing key together, following at each node the edge for the key's next word, the {@code *} edge and the
 * {@code #} edge; a {@code #} edge is followed once for every number of words it could swallow, and each
 * (node, word position) pair is visited at most once, so patterns such as {@code #.#.#} stay polynomial.
 *
 * <p>Words are split as RabbitMQ splits them: the empty key has no words, and every dot separates two
 * words even when they are empty, so {@code "a."} is {@code ["a", ""]}. A {@code *} matches an empty word
 * but never a missing one.
 *
 * <p>Threading: {@link #add} and {@link #remove} must be called by one thread at a time (the caller holds a
 * lock), but {@link #match} and {@link #isEmpty} may run at the same time from any thread without locking.
 * Children and destinations live in concurrent collections, so a reader never throws and sees each
 * binding either before or after a concurrent change; a node pruned by {@code remove} is merely empty to a
 * reader still standing on it.
 *
 * @param <T> the destination type; destinations are compared with {@code equals}
 */
public final class TopicTrie<T> {
    private static final String ONE_WORD = "*";
    private static final String ANY_WORDS = "#";

    private final Node<T> root = new Node<>();

    /** Binds {@code destination} with {@code pattern}; binding the same pair twice has no further effect. */
    public void add(String pattern, T destination) {
        Node<T> node = root;
        for (String word : words(pattern)) {
            node = node.children.computeIfAbsent(word, w -> new Node<>());
        }
        node.destinations.add(destination);
    }

    /**
     * Unbinds {@code destination} from {@code pattern}, pruning nodes left with neither destinations nor
     * children.
     *
     * @return whether the pair was bound
     */
    public boolean remove(String pattern, T destination) {
        String[] words = words(pattern);
        List<Node<T>> path = new ArrayList<>(words.length + 1);
        Node<T> node = root;
        path.add(node);
        for (String word : words) {
            node = node.children.get(word);
            if (node == null) {
                return false;
            }
            path.add(node);
        }
        if (!node.destinations.remove(destination)) {
            return false;
        }
        for (int i = words.length; i > 0; i--) {
            Node<T> child = path.get(i);
            if (!child.isEmpty()) {
                break;
            }
            path.get(i - 1).children.remove(words[i - 1], child);
        }
        return true;
    }

    /** Calls {@code sink} once for each distinct destination bound with a pattern that matches the key. */
    public void match(String routingKey, Consumer<? super T> sink) {
        new Walk<T>(words(routingKey), sink).visit(root, 0);
    }

    /** Whether no destination is bound. */
    public boolean isEmpty() {
        return root.isEmpty();
    }

    /** Splits on every dot, without a regex; the empty string has no words. */
    static String[] words(String key) {
        if (key.isEmpty()) {
            return new String[0];
        }
        int count = 1;
        for (int i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) {
            count++;
        }
        String[] words = new String[count];
        int start = 0;
        for (int w = 0; w < count - 1; w++) {
            int dot = key.indexOf('.', start);
            words[w] = key.substring(start, dot);
            start = dot + 1;
        }
        words[count - 1] = key.substring(start);
        return words;
    }

    private static final class Node<T> {
        final Map<String, Node<T>> children = new ConcurrentHashMap<>();
        final Set<T> destinations = ConcurrentHashMap.newKeySet();

        boolean isEmpty() {
            return destinations.isEmpty() && children.isEmpty();
        }
    }

    /** The state of one match call; the sets are created only when first needed. */
    private static final class Walk<T> {
        private final String[] words;
        private final Consumer<? super T> sink;
        private Set<T> reported;
        private Map<Node<T>, BitSet> visited;

        Walk(String[] words, Consumer<? super T> sink) {
            this.words = words;
            this.sink = sink;
        }

        /** Matches the words from {@code position} on against the patterns below {@code node}. */
        void visit(Node<T> node, int position) {
            // Without a '#' on the way, a node is reached at one position only, by one path.
            if (visited != null && !firstVisit(node, position)) {
                return;
            }
            if (position == words.length) {
                report(node);
                Node<T> any = node.children.get(ANY_WORDS);
                if (any != null) {
                    enterAnyWords(any, position);
                }
                return;
            }
            String word = words[position];
            // A key word that is itself "*" or "#" finds those edges below; looking it up here too would only
            // walk the same subtree twice.
            if (!word.equals(ONE_WORD) && !word.equals(ANY_WORDS)) {
                Node<T> literal = node.children.get(word);
                if (literal != null) {
                    visit(literal, position + 1);
                }
            }
            Node<T> one = node.children.get(ONE_WORD);
            if (one != null) {
                visit(one, position + 1);
            }
            Node<T> any = node.children.get(ANY_WORDS);
            if (any != null) {
                enterAnyWords(any, position);
            }
        }

        /** A '#' swallows any number of the remaining words, none included. */
        private void enterAnyWords(Node<T> any, int position) {
            if (visited == null) {
                visited = new IdentityHashMap<>();
            }
            for (int p = position; p <= words.length; p++) {
                visit(any, p);
            }
        }

        private boolean firstVisit(Node<T> node, int position) {
            BitSet positions = visited.computeIfAbsent(node, n -> new BitSet(words.length + 1));
            if (positions.get(position)) {
                return false;
            }
            positions.set(position);
            return true;
        }

        private void report(Node<T> node) {
            for (T destination : node.destinations) {
                if (reported == null) {
                    reported = new HashSet<>();
                }
                if (reported.add(destination)) {
                    sink.accept(destination);
                }
            }
        }
    }
}
