package dev.warren.core.store;

import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import java.util.List;

/** The stored users, permissions and topic permissions. */
public record SecurityDefinitions(List<User> users, List<UserPermission> permissions, List<TopicPermission> topicPermissions) {

    public SecurityDefinitions {
        users = List.copyOf(users);
        permissions = List.copyOf(permissions);
        topicPermissions = List.copyOf(topicPermissions);
    }

    /** Users and permissions without topic permissions. */
    public SecurityDefinitions(List<User> users, List<UserPermission> permissions) {
        this(users, permissions, List.of());
    }
}
