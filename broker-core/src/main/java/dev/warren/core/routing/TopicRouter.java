package dev.warren.core.routing;

import dev.warren.core.Binding;
import dev.warren.core.message.Message;
import java.util.function.Consumer;

/** Topic exchange: binding keys are patterns of dot-separated words with {@code *} and {@code #}. */
public final class TopicRouter implements ExchangeRouter {
    private final TopicTrie<Binding> trie = new TopicTrie<>();

    @Override
    public void bind(Binding binding) {
        trie.add(binding.routingKey(), binding);
    }

    @Override
    public void unbind(Binding binding) {
        trie.remove(binding.routingKey(), binding);
    }

    @Override
    public void route(Message message, Consumer<Binding> sink) {
        trie.match(message.routingKey(), sink);
    }
}
