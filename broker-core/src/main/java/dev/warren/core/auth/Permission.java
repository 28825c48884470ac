package dev.warren.core.auth;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A user's permissions in one virtual host: three regular expressions matched against resource names.
 * As in RabbitMQ, a pattern matches when it is found anywhere in the name (anchor it with ^ and $ to
 * match whole names), and an empty pattern matches nothing.
 */
public final class Permission {
    private final String configure;
    private final String write;
    private final String read;
    private final Pattern configurePattern;
    private final Pattern writePattern;
    private final Pattern readPattern;

    /** Throws {@link IllegalArgumentException} naming the pattern when one is not a valid regular expression. */
    public Permission(String configure, String write, String read) {
        this.configure = configure;
        this.write = write;
        this.read = read;
        this.configurePattern = compile(configure);
        this.writePattern = compile(write);
        this.readPattern = compile(read);
    }

    public static final Permission ALL = new Permission(".*", ".*", ".*");

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex.isEmpty() ? "^$" : regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + regex + "': " + e.getDescription());
        }
    }

    public String configure() {
        return configure;
    }

    public String write() {
        return write;
    }

    public String read() {
        return read;
    }

    public boolean allows(Access access, String resourceName) {
        Pattern pattern = switch (access) {
            case CONFIGURE -> configurePattern;
            case WRITE -> writePattern;
            case READ -> readPattern;
        };
        return pattern.matcher(resourceName).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permission p && p.configure.equals(configure) && p.write.equals(write) && p.read.equals(read);
    }

    @Override
    public int hashCode() {
        return configure.hashCode() * 31 * 31 + write.hashCode() * 31 + read.hashCode();
    }

    @Override
    public String toString() {
        return "Permission[configure=" + configure + ", write=" + write + ", read=" + read + "]";
    }
}
