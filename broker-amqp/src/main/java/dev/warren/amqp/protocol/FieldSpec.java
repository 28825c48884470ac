package dev.warren.amqp.protocol;

/** One field of a method: its name as the spec spells it and its wire type. */
public record FieldSpec(String name, FieldType type) {
}
