package dev.warren.server;

/**
 * A setting the server cannot use: an unknown flag or key, or a bad value. The message is meant for the
 * operator as is: it names where the setting came from (flag, environment variable, or file and line)
 * and what would have been accepted.
 */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
