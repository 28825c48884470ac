package dev.warren.core.auth;

import dev.warren.core.limits.Limits;
import dev.warren.core.store.SecurityDefinitions;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user database: users, their per-vhost permissions, and the login check. Users named in
 * {@code loopbackUsers} (RabbitMQ's loopback_users, by default just guest) may only log in from a
 * loopback address.
 *
 * <p>Reads are lock-free; changes are serialised on this object and each one ends with a call to the
 * change listener (the broker saves the table durably there) and a new {@link #version()}, so cached
 * access checks notice at once.
 */
public final class Users {
    private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Permission> permissions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicKey, TopicPermission> topicPermissions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Limits> limits = new ConcurrentHashMap<>();
    private final Set<String> loopbackUsers;
    private volatile long version;
    private volatile Runnable changeListener = () -> { };

    private record Key(String user, String vhost) {
    }

    private record TopicKey(String user, String vhost, String exchange) {
    }

    public Users(Set<String> loopbackUsers) {
        this.loopbackUsers = Set.copyOf(loopbackUsers);
    }

    /** The defaults RabbitMQ starts with: guest/guest, an administrator with all permissions on "/", loopback only. */
    public static Users withDefaultUser(String name, String password) {
        return withDefaultUser(name, password, "/", Set.of("guest"));
    }

    /** A first boot's users: one administrator with every permission in the default virtual host. */
    public static Users withDefaultUser(String name, String password, String vhost, Set<String> loopbackUsers) {
        Users users = new Users(loopbackUsers);
        users.add(name, password, Set.of(User.ADMINISTRATOR));
        users.setPermission(name, vhost, Permission.ALL);
        return users;
    }

    /** Called after every change, on the changing thread. */
    public void onChange(Runnable listener) {
        this.changeListener = listener;
    }

    /** Grows with every change to users or permissions. */
    public long version() {
        return version;
    }

    // ---- users ----

    /** Adds a user, or replaces one of that name. */
    public void add(String name, String password, Set<String> tags) {
        put(new User(name, PasswordHash.hash(password), tags));
    }

    /** Adds or replaces a user as it is, hash included (definitions import, restore). */
    public synchronized void put(User user) {
        users.put(user.name(), user);
        changed();
    }

    /** Adds a user unless one of that name exists; false when it does. */
    public synchronized boolean create(String name, String password, Set<String> tags) {
        if (users.containsKey(name)) {
            return false;
        }
        add(name, password, tags);
        return true;
    }

    /** Deletes a user and their permissions; false when there was no such user. */
    public synchronized boolean delete(String name) {
        if (users.remove(name) == null) {
            return false;
        }
        permissions.keySet().removeIf(k -> k.user().equals(name));
        topicPermissions.keySet().removeIf(k -> k.user().equals(name));
        limits.remove(name);
        changed();
        return true;
    }

    public synchronized boolean changePassword(String name, String password) {
        return users.computeIfPresent(name, (n, u) -> u.withPasswordHash(PasswordHash.hash(password))) != null && changed();
    }

    public synchronized boolean setTags(String name, Set<String> tags) {
        return users.computeIfPresent(name, (n, u) -> u.withTags(tags)) != null && changed();
    }

    public Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    /** Every user, by name. */
    public List<User> list() {
        List<User> all = new ArrayList<>(users.values());
        all.sort(Comparator.comparing(User::name));
        return all;
    }

    /** The user, when the password is right and the user may log in from this address. */
    public Optional<User> authenticate(String name, String password, InetAddress from) {
        User user = users.get(name);
        if (user == null || !PasswordHash.matches(user.passwordHash(), password)) {
            return Optional.empty();
        }
        if (loopbackOnly(name) && (from == null || !from.isLoopbackAddress())) {
            return Optional.empty();
        }
        return Optional.of(user);
    }

    /** True when the user may only log in from a loopback address. */
    public boolean loopbackOnly(String name) {
        return loopbackUsers.contains(name);
    }

    // ---- permissions ----

    /** Sets a user's permissions in a virtual host; false when there is no such user. */
    public synchronized boolean setPermission(String user, String vhost, Permission permission) {
        if (!users.containsKey(user)) {
            return false;
        }
        permissions.put(new Key(user, vhost), permission);
        return changed();
    }

    /** Removes a user's permissions in a virtual host; false when there were none. */
    public synchronized boolean clearPermission(String user, String vhost) {
        return permissions.remove(new Key(user, vhost)) != null && changed();
    }

    public Optional<Permission> permission(String user, String vhost) {
        return Optional.ofNullable(permissions.get(new Key(user, vhost)));
    }

    /** Every permission row, ordered by vhost then user. */
    public List<UserPermission> permissions() {
        List<UserPermission> rows = new ArrayList<>();
        permissions.forEach((k, p) -> rows.add(new UserPermission(k.user(), k.vhost(), p)));
        rows.sort(Comparator.comparing(UserPermission::vhost).thenComparing(UserPermission::user));
        return rows;
    }

    /** Forgets every permission in a virtual host that is being deleted. */
    public synchronized void removeVhost(String vhost) {
        boolean removed = permissions.keySet().removeIf(k -> k.vhost().equals(vhost));
        removed |= topicPermissions.keySet().removeIf(k -> k.vhost().equals(vhost));
        if (removed) {
            changed();
        }
    }

    // ---- topic permissions ----

    /** Sets a user's topic permission on an exchange in a virtual host; false when there is no such user. */
    public synchronized boolean setTopicPermission(TopicPermission permission) {
        if (!users.containsKey(permission.user())) {
            return false;
        }
        topicPermissions.put(new TopicKey(permission.user(), permission.vhost(), permission.exchange()), permission);
        return changed();
    }

    /** Removes a user's topic permission on one exchange, or on every exchange when {@code exchange} is null. */
    public synchronized boolean clearTopicPermissions(String user, String vhost, String exchange) {
        boolean removed = topicPermissions.keySet().removeIf(k -> k.user().equals(user) && k.vhost().equals(vhost)
                && (exchange == null || k.exchange().equals(exchange)));
        return removed && changed();
    }

    /** The user's topic permission on the exchange; absent means no restriction, as in RabbitMQ. */
    public Optional<TopicPermission> topicPermission(String user, String vhost, String exchange) {
        return topicPermissions.isEmpty() ? Optional.empty()
                : Optional.ofNullable(topicPermissions.get(new TopicKey(user, vhost, exchange)));
    }

    /** Every topic permission row, ordered by vhost, user, then exchange. */
    public List<TopicPermission> topicPermissions() {
        List<TopicPermission> rows = new ArrayList<>(topicPermissions.values());
        rows.sort(Comparator.comparing(TopicPermission::vhost).thenComparing(TopicPermission::user)
                .thenComparing(TopicPermission::exchange));
        return rows;
    }

    // ---- user limits ----

    /** Sets a user's limits (max-connections, max-channels); false when there is no such user. */
    public synchronized boolean setLimits(String user, Limits userLimits) {
        if (!users.containsKey(user)) {
            return false;
        }
        if (userLimits.isEmpty()) {
            limits.remove(user);
        } else {
            limits.put(user, userLimits);
        }
        return changed();
    }

    /** The user's limits; none when unset. */
    public Limits limits(String user) {
        return limits.isEmpty() ? Limits.NONE : limits.getOrDefault(user, Limits.NONE);
    }

    /** What is stored of users, their limits and every kind of permission. */
    public SecurityDefinitions definitions() {
        return new SecurityDefinitions(list(), permissions(), topicPermissions(), Map.copyOf(limits));
    }

    /** Replaces every user and permission with stored ones (on start). */
    public synchronized void replaceAll(SecurityDefinitions stored) {
        users.clear();
        permissions.clear();
        topicPermissions.clear();
        limits.clear();
        limits.putAll(stored.userLimits());
        for (User u : stored.users()) {
            users.put(u.name(), u);
        }
        for (UserPermission p : stored.permissions()) {
            permissions.put(new Key(p.user(), p.vhost()), p.permission());
        }
        for (TopicPermission t : stored.topicPermissions()) {
            topicPermissions.put(new TopicKey(t.user(), t.vhost(), t.exchange()), t);
        }
        version++;
    }

    // ---- changes another cluster node made ----

    /**
     * Applies a change committed by another cluster node: {@code removed} rows go first (users by name, with
     * their limits; permissions by user and vhost; topic permissions by user, vhost and exchange), then
     * {@code put} rows are added or replace theirs. The change listener is not called (the change is stored
     * already); {@code whileLocked} gets the table as it is then, before another change can start.
     */
    public synchronized void applyReplicated(SecurityDefinitions put, SecurityDefinitions removed,
                                             java.util.function.Consumer<SecurityDefinitions> whileLocked) {
        removed.users().forEach(u -> {
            users.remove(u.name());
            limits.remove(u.name());
        });
        removed.permissions().forEach(p -> permissions.remove(new Key(p.user(), p.vhost())));
        removed.topicPermissions().forEach(t -> topicPermissions.remove(new TopicKey(t.user(), t.vhost(), t.exchange())));
        removed.userLimits().keySet().forEach(limits::remove);
        put.users().forEach(u -> {
            users.put(u.name(), u);
            Limits userLimits = put.userLimits().get(u.name()); // a user's limits travel with the user
            if (userLimits == null || userLimits.isEmpty()) {
                limits.remove(u.name());
            } else {
                limits.put(u.name(), userLimits);
            }
        });
        put.permissions().forEach(p -> permissions.put(new Key(p.user(), p.vhost()), p.permission()));
        put.topicPermissions().forEach(t -> topicPermissions.put(new TopicKey(t.user(), t.vhost(), t.exchange()), t));
        version++;
        whileLocked.accept(definitions());
    }

    /** {@link #removeVhost} for a virtual host another cluster node deleted: without the change listener. */
    public synchronized void removeVhostReplicated(String vhost, java.util.function.Consumer<SecurityDefinitions> whileLocked) {
        permissions.keySet().removeIf(k -> k.vhost().equals(vhost));
        topicPermissions.keySet().removeIf(k -> k.vhost().equals(vhost));
        version++;
        whileLocked.accept(definitions());
    }

    private boolean changed() {
        version++;
        changeListener.run();
        return true;
    }
}
