package dev.warren.core.policy;

/**
 * A policy refused when it is set: its message is RabbitMQ's validation text for the problem, without the
 * "Validation failed" heading the surfaces (HTTP 400, warrenctl exit 69) put before it.
 */
public final class InvalidPolicyException extends IllegalArgumentException {
    public InvalidPolicyException(String message) {
        super(message);
    }
}
