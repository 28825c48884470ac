package dev.warren.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Parsers for setting values, shared by the command line, the environment and the config file. Each
 * takes a {@code where} ("flag --amqp-port", "config file x.conf line 3: heartbeat") to build its error.
 */
final class ConfigValues {
    /** A listener address: host may be empty, meaning every interface. */
    record Listener(String host, int port) {
    }

    private ConfigValues() {
    }

    static int port(String raw, String where) throws ConfigException {
        return intIn(raw, 0, 65535, where, "a TCP port number between 0 and 65535");
    }

    static int heartbeat(String raw, String where) throws ConfigException {
        return intIn(raw, 0, 65535, where, "seconds between 0 and 65535 (0 disables heartbeats)");
    }

    static int frameMax(String raw, String where) throws ConfigException {
        return intIn(raw, 4096, Integer.MAX_VALUE, where, "bytes between 4096 and 2147483647");
    }

    static int channelMax(String raw, String where) throws ConfigException {
        return intIn(raw, 1, 65535, where, "a number between 1 and 65535");
    }

    static int intIn(String raw, int min, int max, String where, String allowed) throws ConfigException {
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is allowed
        }
        throw invalid(raw, where, allowed);
    }

    /**
     * A port ({@code 5672}), or host and port as RabbitMQ writes them: {@code 127.0.0.1:5672},
     * {@code [::1]:5672} or {@code ::1:5672} (the port is after the last colon).
     */
    static Listener listener(String raw, String where) throws ConfigException {
        String allowed = "a port (5672) or host:port (127.0.0.1:5672, [::1]:5672)";
        String value = raw.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            return new Listener("", intIn(value, 0, 65535, where, allowed));
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.contains("[") || host.contains("]") || host.contains(" ")) {
            throw invalid(raw, where, allowed);
        }
        return new Listener(host, intIn(value.substring(colon + 1), 0, 65535, where, allowed));
    }

    static String nonEmpty(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (value.isEmpty()) {
            throw invalid(raw, where, "a non-empty string");
        }
        return value;
    }

    /** A file or directory path; a leading {@code ~/} means the user's home, as a shell would expand it. */
    static Path path(String raw, String where) throws ConfigException {
        String value = nonEmpty(raw, where);
        try {
            if (value.equals("~") || value.startsWith("~/")) {
                return Path.of(System.getProperty("user.home"), value.substring(1)).toAbsolutePath().normalize();
            }
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid(raw, where, "a file or directory path");
        }
    }

    static ConfigException invalid(String raw, String where, String allowed) {
        return new ConfigException(where + ": invalid value '" + raw + "', expected " + allowed);
    }
}
