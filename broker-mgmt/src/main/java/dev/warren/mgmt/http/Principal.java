package dev.warren.mgmt.http;

import dev.warren.core.auth.User;
import java.util.Set;

/**
 * Who is calling: a user who logged in with basic auth, or warrenctl with the local secret.
 *
 * @param local true for warrenctl's bearer secret: an administrator that, like rabbitmqctl, is not subject
 *              to AMQP permissions
 */
public record Principal(String name, Set<String> tags, boolean local) {
    /** The user name warrenctl's requests are reported under. */
    public static final String LOCAL_NAME = "warrenctl";

    public Principal {
        tags = Set.copyOf(tags);
    }

    public static Principal of(User user) {
        return new Principal(user.name(), user.tags(), false);
    }

    public static Principal warrenctl() {
        return new Principal(LOCAL_NAME, Set.of(User.ADMINISTRATOR), true);
    }

    public boolean isAdministrator() {
        return tags.contains(User.ADMINISTRATOR);
    }

    /** Monitoring and administrator users see every vhost, connection and channel. */
    public boolean isMonitor() {
        return isAdministrator() || tags.contains(User.MONITORING);
    }

    /** Any of the tags that open the management API. */
    public boolean isManagementUser() {
        return isMonitor() || tags.contains(User.MANAGEMENT) || tags.contains(User.POLICYMAKER);
    }

    /** Whether the principal meets a route's requirement. */
    public boolean meets(Requirement requirement) {
        return switch (requirement) {
            case NONE -> true;
            case MANAGEMENT -> isManagementUser();
            case POLICYMAKER -> isAdministrator() || tags.contains(User.POLICYMAKER);
            case MONITORING -> isMonitor();
            case ADMINISTRATOR -> isAdministrator();
        };
    }
}
