package dev.warren.core.auth;

import java.net.InetAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user database and the login check. Users named in {@code loopbackUsers} (RabbitMQ's
 * loopback_users, by default just guest) may only log in from a loopback address.
 */
public final class Users {
    private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
    private final Set<String> loopbackUsers;

    public Users(Set<String> loopbackUsers) {
        this.loopbackUsers = Set.copyOf(loopbackUsers);
    }

    /** The defaults RabbitMQ starts with: guest/guest, an administrator, loopback only. */
    public static Users withDefaultUser(String name, String password) {
        Users users = new Users(Set.of("guest"));
        users.add(name, password, Set.of("administrator"));
        return users;
    }

    public void add(String name, String password, Set<String> tags) {
        users.put(name, new User(name, PasswordHash.hash(password), tags));
    }

    public Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    /** The user, when the password is right and the user may log in from this address. */
    public Optional<User> authenticate(String name, String password, InetAddress from) {
        User user = users.get(name);
        if (user == null || !PasswordHash.matches(user.passwordHash(), password)) {
            return Optional.empty();
        }
        if (loopbackUsers.contains(name) && (from == null || !from.isLoopbackAddress())) {
            return Optional.empty();
        }
        return Optional.of(user);
    }
}
