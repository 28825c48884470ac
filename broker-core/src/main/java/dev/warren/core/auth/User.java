package dev.warren.core.auth;

import java.util.Set;

/** A user: name, salted password hash (RabbitMQ's SHA-256 format), and tags such as administrator. */
public record User(String name, String passwordHash, Set<String> tags) {
    public User {
        tags = Set.copyOf(tags);
    }
}
