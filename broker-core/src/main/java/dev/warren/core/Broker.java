package dev.warren.core;

import dev.warren.core.auth.Users;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The broker's model: virtual hosts and users. Created once at startup; safe to use from any thread. */
public final class Broker {
    public static final String DEFAULT_VHOST = "/";

    private final ConcurrentHashMap<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final Users users;

    public Broker(Users users) {
        this.users = users;
        addVirtualHost(DEFAULT_VHOST);
    }

    public Users users() {
        return users;
    }

    /** The virtual host, or null when there is none of that name. */
    public VirtualHost vhost(String name) {
        return vhosts.get(name);
    }

    public Collection<VirtualHost> vhosts() {
        return List.copyOf(vhosts.values());
    }

    public VirtualHost addVirtualHost(String name) {
        return vhosts.computeIfAbsent(name, VirtualHost::new);
    }
}
