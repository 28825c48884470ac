package dev.warren.core.auth;

import java.util.Set;

/** A user: name, salted password hash (RabbitMQ's SHA-256 format), and tags such as administrator. */
public record User(String name, String passwordHash, Set<String> tags) {
    public static final String ADMINISTRATOR = "administrator";
    public static final String MONITORING = "monitoring";
    public static final String POLICYMAKER = "policymaker";
    public static final String MANAGEMENT = "management";
    /** May publish messages whose user-id names another user (RabbitMQ's tag of that name). */
    public static final String IMPERSONATOR = "impersonator";

    public User {
        tags = Set.copyOf(tags);
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    public User withPasswordHash(String hash) {
        return new User(name, hash, tags);
    }

    public User withTags(Set<String> newTags) {
        return new User(name, passwordHash, newTags);
    }
}
