package dev.warren.amqp;

import java.util.LinkedHashMap;
import java.util.Map;

/** The server-properties table of connection.start, with the capabilities Warren really supports. */
public final class ServerProperties {
    /** Warren's own version, as the management API reports it and connection.start's warren_version. */
    public static final String VERSION = "0.1.0";
    /**
     * connection.start's {@code version}: clients parse it as RabbitMQ's to decide what the broker supports,
     * so it names the RabbitMQ release whose client-visible features Warren offers (the product stays
     * "Warren", and warren_version says which Warren it is).
     */
    public static final String COMPATIBLE_RABBITMQ_VERSION = "3.13.7";

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
        capabilities.put("direct_reply_to", true);
        capabilities.put("consumer_priorities", true);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("product", "Warren");
        properties.put("version", COMPATIBLE_RABBITMQ_VERSION);
        properties.put("warren_version", VERSION);
        properties.put("platform", "Java " + Runtime.version().feature());
        properties.put("copyright", "The Warren authors");
        properties.put("information", "An AMQP 0-9-1 broker for RabbitMQ's clients");
        properties.put("capabilities", capabilities);
        return properties;
    }
}
