package dev.warren.core.auth;

/** The three kinds of access a permission grants on a resource, as RabbitMQ names them. */
public enum Access {
    CONFIGURE, WRITE, READ;

    /** "configure", "write" or "read", as in RabbitMQ's reply texts. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
