package dev.warren.store;

import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.limits.Limits;
import dev.warren.core.store.SecurityDefinitions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Users, permissions and topic permissions keyed as a change names them, as {@link StoredVhost} keys a virtual
 * host: users by name (a user's limits travel with the user), permissions by user and virtual host, topic
 * permissions by user, virtual host and exchange. {@link #diff} finds what a newer table changed, {@link #apply}
 * applies such a change; both are idempotent in the same way as StoredVhost's, so two nodes' changes to different
 * users both survive.
 *
 * <p>Not thread-safe: its owner serialises access.
 */
public final class StoredSecurity {
    private final Map<String, User> users = new LinkedHashMap<>();
    private final Map<String, Limits> limits = new LinkedHashMap<>();
    private final Map<List<String>, UserPermission> permissions = new LinkedHashMap<>();
    private final Map<List<String>, TopicPermission> topicPermissions = new LinkedHashMap<>();

    /** Rows added or replaced ({@code put}, with the limits of each user put) and rows removed (only keys count). */
    public record Change(SecurityDefinitions put, SecurityDefinitions removed) {
        public boolean isEmpty() {
            return put.users().isEmpty() && put.permissions().isEmpty() && put.topicPermissions().isEmpty()
                    && removed.users().isEmpty() && removed.permissions().isEmpty() && removed.topicPermissions().isEmpty();
        }

        /** What undoes this change on the state it was made from: its puts removed, its removals put back. */
        public Change inverse() {
            return new Change(removed, put);
        }
    }

    public static StoredSecurity of(SecurityDefinitions definitions) {
        StoredSecurity security = new StoredSecurity();
        security.apply(security.diff(definitions));
        return security;
    }

    public SecurityDefinitions definitions() {
        return new SecurityDefinitions(List.copyOf(users.values()), List.copyOf(permissions.values()),
                List.copyOf(topicPermissions.values()), Map.copyOf(limits));
    }

    /** What turns this state into {@code newer}. */
    public Change diff(SecurityDefinitions newer) {
        List<User> putUsers = new ArrayList<>();
        Map<String, Limits> putLimits = new LinkedHashMap<>();
        Map<String, User> newerUsers = new LinkedHashMap<>();
        newer.users().forEach(u -> newerUsers.put(u.name(), u));
        for (User u : newer.users()) {
            Limits newLimits = newer.userLimits().getOrDefault(u.name(), Limits.NONE);
            if (!u.equals(users.get(u.name())) || !newLimits.equals(limits.getOrDefault(u.name(), Limits.NONE))) {
                putUsers.add(u);
                if (!newLimits.isEmpty()) {
                    putLimits.put(u.name(), newLimits);
                }
            }
        }
        List<User> removedUsers = users.values().stream().filter(u -> !newerUsers.containsKey(u.name())).toList();
        Map<List<String>, UserPermission> newerPermissions = new LinkedHashMap<>();
        newer.permissions().forEach(p -> newerPermissions.put(key(p), p));
        List<UserPermission> putPermissions = newer.permissions().stream()
                .filter(p -> !p.equals(permissions.get(key(p)))).toList();
        List<UserPermission> removedPermissions = permissions.values().stream()
                .filter(p -> !newerPermissions.containsKey(key(p))).toList();
        Map<List<String>, TopicPermission> newerTopic = new LinkedHashMap<>();
        newer.topicPermissions().forEach(t -> newerTopic.put(key(t), t));
        List<TopicPermission> putTopic = newer.topicPermissions().stream()
                .filter(t -> !Objects.equals(t, topicPermissions.get(key(t)))).toList();
        List<TopicPermission> removedTopic = topicPermissions.values().stream()
                .filter(t -> !newerTopic.containsKey(key(t))).toList();
        Map<String, Limits> removedLimits = new LinkedHashMap<>();
        removedUsers.forEach(u -> {
            if (limits.containsKey(u.name())) {
                removedLimits.put(u.name(), limits.get(u.name()));
            }
        });
        return new Change(new SecurityDefinitions(putUsers, putPermissions, putTopic, putLimits),
                new SecurityDefinitions(removedUsers, removedPermissions, removedTopic, removedLimits));
    }

    public void apply(Change change) {
        change.removed().users().forEach(u -> {
            users.remove(u.name());
            limits.remove(u.name());
        });
        change.removed().permissions().forEach(p -> permissions.remove(key(p)));
        change.removed().topicPermissions().forEach(t -> topicPermissions.remove(key(t)));
        change.put().users().forEach(u -> {
            users.put(u.name(), u);
            Limits userLimits = change.put().userLimits().get(u.name());
            if (userLimits == null || userLimits.isEmpty()) {
                limits.remove(u.name());
            } else {
                limits.put(u.name(), userLimits);
            }
        });
        change.put().permissions().forEach(p -> permissions.put(key(p), p));
        change.put().topicPermissions().forEach(t -> topicPermissions.put(key(t), t));
    }

    private static List<String> key(UserPermission p) {
        return List.of(p.user(), p.vhost());
    }

    private static List<String> key(TopicPermission t) {
        return List.of(t.user(), t.vhost(), t.exchange());
    }
}
