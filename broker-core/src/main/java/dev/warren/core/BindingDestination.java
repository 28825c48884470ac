package dev.warren.core;

/** What a binding routes to: a queue, or another exchange (exchange-to-exchange bindings). */
public sealed interface BindingDestination permits MessageQueue, Exchange {
    String name();

    /** "queue" or "exchange", as reply texts name it. */
    String kind();
}
