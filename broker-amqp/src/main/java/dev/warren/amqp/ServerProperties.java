package dev.warren.amqp;

import java.util.LinkedHashMap;
import java.util.Map;

/** The server-properties table of connection.start, with the capabilities Warren really supports. */
public final class ServerProperties {
    /** Warren's version, as connection.start and the management API report it. */
    public static final String VERSION = "0.1.0";

    private ServerProperties() {
    }

    static Map<String, Object> table() {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("publisher_confirms", true);
        capabilities.put("exchange_exchange_bindings", true);
        capabilities.put("basic.nack", true);
        capabilities.put("consumer_cancel_notify", true);
        capabilities.put("connection.blocked", true);
        capabilities.put("authentication_failure_close", true);
        capabilities.put("per_consumer_qos", true);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("product", "Warren");
        properties.put("version", VERSION);
        properties.put("platform", "Java " + Runtime.version().feature());
        properties.put("copyright", "The Warren authors");
        properties.put("information", "An AMQP 0-9-1 broker for RabbitMQ's clients");
        properties.put("capabilities", capabilities);
        return properties;
    }
}
