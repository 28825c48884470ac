package dev.warren.core.store;

import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.limits.Limits;
import java.util.List;
import java.util.Map;

/** The stored users (and their limits), permissions and topic permissions. */
public record SecurityDefinitions(List<User> users, List<UserPermission> permissions, List<TopicPermission> topicPermissions,
                                  Map<String, Limits> userLimits) {

    public SecurityDefinitions {
        users = List.copyOf(users);
        permissions = List.copyOf(permissions);
        topicPermissions = List.copyOf(topicPermissions);
        userLimits = Map.copyOf(userLimits);
    }

    /** Users, permissions and topic permissions, without user limits. */
    public SecurityDefinitions(List<User> users, List<UserPermission> permissions, List<TopicPermission> topicPermissions) {
        this(users, permissions, topicPermissions, Map.of());
    }

    /** Users and permissions without topic permissions. */
    public SecurityDefinitions(List<User> users, List<UserPermission> permissions) {
        this(users, permissions, List.of());
    }
}
