package dev.warren.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A binding from a source exchange to a queue or exchange. Two bindings are the same binding when source,
 * destination, routing key and arguments are equal, as in RabbitMQ. Arguments may hold null (AMQP void),
 * which the headers exchange reads as "header present".
 */
public record Binding(Exchange source, BindingDestination destination, String routingKey, Map<String, Object> arguments) {
    public Binding {
        arguments = arguments == null || arguments.isEmpty()
                ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }
}
