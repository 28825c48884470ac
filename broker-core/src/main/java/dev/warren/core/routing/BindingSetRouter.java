package dev.warren.core.routing;

import dev.warren.core.Binding;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/** A router that keeps its bindings as a plain set and checks each one per message (fanout, headers). */
abstract class BindingSetRouter implements ExchangeRouter {
    /** Copy-on-write: bindings change rarely, routing reads them on every message without a lock. */
    protected final Set<Binding> bindings = new CopyOnWriteArraySet<>();

    @Override
    public void bind(Binding binding) {
        bindings.add(binding);
    }

    @Override
    public void unbind(Binding binding) {
        bindings.remove(binding);
    }
}
