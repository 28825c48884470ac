package dev.warren.core.policy;

/**
 * The two layers of policies in a virtual host: the ones applications' operators set, and operator
 * policies, which a cluster operator sets above them and which only carry limits (RabbitMQ 3.10's set,
 * plus consumer-timeout, which Warren honours). Where both give a key, the lower value wins.
 */
public enum PolicyLayer {
    POLICY("policy"),
    OPERATOR("operator_policy");

    private final String value;

    PolicyLayer(String value) {
        this.value = value;
    }

    /** The name RabbitMQ gives the layer: its runtime parameter component, and the queue field in the API. */
    public String value() {
        return value;
    }
}
