package dev.warren.core.auth;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A user's topic permission in one virtual host on one topic exchange (RabbitMQ's topic authorisation):
 * regular expressions the routing key must match to publish ({@code write}) and the binding key to bind
 * ({@code read}). {@code {username}} and {@code {vhost}} in a pattern stand for the user's and the virtual
 * host's names; they are fixed for a row, so the patterns are expanded and compiled once. As with
 * {@link Permission}, a pattern matches when found anywhere in the key, and an empty one matches nothing.
 */
public record TopicPermission(String user, String vhost, String exchange, String write, String read,
                              Pattern writePattern, Pattern readPattern) {

    /** Throws {@link IllegalArgumentException} naming the pattern when one is not a valid regular expression. */
    public static TopicPermission of(String user, String vhost, String exchange, String write, String read) {
        return new TopicPermission(user, vhost, exchange, write, read, compile(write, user, vhost), compile(read, user, vhost));
    }

    private static Pattern compile(String regex, String user, String vhost) {
        String expanded = regex.replace("{username}", user).replace("{vhost}", vhost); // as RabbitMQ 3.x: not escaped
        try {
            return Pattern.compile(expanded.isEmpty() ? "^$" : expanded);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + regex + "': " + e.getDescription());
        }
    }

    public boolean allows(Access access, String routingKey) {
        return (access == Access.WRITE ? writePattern : readPattern).matcher(routingKey).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPermission t && t.user.equals(user) && t.vhost.equals(vhost) && t.exchange.equals(exchange)
                && t.write.equals(write) && t.read.equals(read);
    }

    @Override
    public int hashCode() {
        return ((user.hashCode() * 31 + vhost.hashCode()) * 31 + exchange.hashCode()) * 31 + write.hashCode() * 7 + read.hashCode();
    }
}
