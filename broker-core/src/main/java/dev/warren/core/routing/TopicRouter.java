package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Topic exchange: binding keys are patterns of dot-separated words with {@code *} and {@code #}, matched
 * by a {@link TopicTrie}. Most traffic uses few routing keys, so the bindings a key matched are cached:
 * a cached key routes with one hash lookup and no allocation.
 *
 * <p>The cache is a map replaced whole after every bind and unbind (under the vhost lock), after the trie
 * changed; a route that matched against the old trie can only add its result to the old map, which no
 * one reads any more, so nothing stale is served once bind or unbind returned. It holds at most
 * {@link #CACHED_KEYS} keys; past that, new keys are matched each time.
 */
public final class TopicRouter implements ExchangeRouter {
    static final int CACHED_KEYS = 1024;
    private static final Binding[] NONE = new Binding[0];

    private final TopicTrie<Binding> trie = new TopicTrie<>();
    private volatile ConcurrentHashMap<String, Binding[]> cache = new ConcurrentHashMap<>();

    @Override
    public void bind(Binding binding) {
        trie.add(binding.routingKey(), binding);
        cache = new ConcurrentHashMap<>();
    }

    @Override
    public void unbind(Binding binding) {
        trie.remove(binding.routingKey(), binding);
        cache = new ConcurrentHashMap<>();
    }

    @Override
    public void route(Message message, String key, Consumer<Binding> sink) {
        ConcurrentHashMap<String, Binding[]> cached = cache;
        Binding[] matched = cached.get(key);
        if (matched == null) {
            matched = match(key);
            if (cached.size() < CACHED_KEYS) {
                cached.put(key, matched);
            }
        }
        for (Binding binding : matched) {
            sink.accept(binding);
        }
    }

    private Binding[] match(String key) {
        List<Binding> found = new ArrayList<>();
        trie.match(key, found::add);
        return found.isEmpty() ? NONE : found.toArray(NONE);
    }
}
