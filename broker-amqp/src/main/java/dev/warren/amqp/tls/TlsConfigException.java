package dev.warren.amqp.tls;

/** A TLS setting that cannot work: names the config key (and file) to fix. */
public final class TlsConfigException extends Exception {
    private final String key;

    public TlsConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public TlsConfigException(String key, String message, Throwable cause) {
        super(key + ": " + message, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
