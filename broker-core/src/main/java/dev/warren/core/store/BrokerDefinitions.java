package dev.warren.core.store;

import java.util.Map;
import java.util.Optional;

/**
 * Everything durable about a broker, as RabbitMQ's definitions export holds it: per virtual host its
 * exchanges, queues and bindings, and (when known) the users and permissions.
 */
public record BrokerDefinitions(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
}
