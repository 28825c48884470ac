package dev.warren.core.auth;

/** One row of the permission table: what {@code user} may do in {@code vhost}. */
public record UserPermission(String user, String vhost, Permission permission) {
}
