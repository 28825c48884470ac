package dev.warren.core.store;

import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import java.util.List;

/** The stored users and permissions. */
public record SecurityDefinitions(List<User> users, List<UserPermission> permissions) {
}
