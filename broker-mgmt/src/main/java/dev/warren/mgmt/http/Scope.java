package dev.warren.mgmt.http;

import dev.warren.core.Broker;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.auth.ResourceAccess;
import dev.warren.core.connection.ClientConnection;
import dev.warren.core.connection.ConnectionInfo;
import dev.warren.mgmt.rates.RateHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * What a principal may see and touch, by RabbitMQ's rules: monitoring and administrator users see every
 * virtual host, connection and channel; other management users see the virtual hosts they have a permission
 * in and only their own connections. Changes to queues, exchanges and bindings are also checked against the
 * acting user's AMQP permissions, as RabbitMQ checks them (warrenctl's local secret is exempt, as
 * rabbitmqctl is).
 */
final class Scope {
    private final Broker broker;
    private final RateHistory rates;

    Scope(Broker broker, RateHistory rates) {
        this.broker = broker;
        this.rates = rates;
    }

    Broker broker() {
        return broker;
    }

    /** The sampled rates and lengths, for the {@code *_details} fields of the answers. */
    RateHistory rates() {
        return rates;
    }

    /** The rate fields for this request's ranges (a 400 when they are not valid). */
    RateFields rateFields(ApiRequest request) {
        return RateFields.of(request, rates);
    }

    boolean canSee(Principal who, String vhost) {
        return who.isMonitor() || ResourceAccess.mayOpen(broker.users(), who.name(), vhost);
    }

    /** The virtual hosts the principal can see, by name. */
    List<VirtualHost> visibleVhosts(Principal who) {
        List<VirtualHost> visible = new ArrayList<>();
        for (VirtualHost v : broker.vhosts()) {
            if (canSee(who, v.name())) {
                visible.add(v);
            }
        }
        return visible;
    }

    /** The named virtual host if the principal can see it: 404 when there is none, 403 when hidden. */
    VirtualHost vhost(Principal who, String name) {
        VirtualHost vhost = broker.vhost(name);
        if (vhost == null) {
            throw ApiException.notFound();
        }
        if (!canSee(who, name)) {
            throw ApiException.forbidden("User not authorised to access virtual host");
        }
        return vhost;
    }

    /** The name of an existing user; 404 when there is none. */
    String user(String name) {
        if (broker.users().user(name).isEmpty()) {
            throw ApiException.notFound();
        }
        return name;
    }

    /** The visible virtual host named by the request's {@code {vhost}}, or every visible one when there is none. */
    List<VirtualHost> vhostsOf(ApiRequest request) {
        if (request.pathParams().containsKey("vhost")) {
            return List.of(vhost(request.principal(), request.param("vhost")));
        }
        return visibleVhosts(request.principal());
    }

    MessageQueue queue(ApiRequest request) {
        return existing(vhost(request.principal(), request.param("vhost")).queue(request.param("name")));
    }

    /** The queue the request names, this node's or another cluster node's classic queue; 404 when neither. */
    MessageQueue queueAnywhere(ApiRequest request) {
        return existing(vhost(request.principal(), request.param("vhost")).queueAnywhere(request.param("name")));
    }

    private static MessageQueue existing(MessageQueue queue) {
        if (queue == null || queue.isDeleted()) {
            throw ApiException.notFound();
        }
        return queue;
    }

    boolean canSee(Principal who, ConnectionInfo connection) {
        return who.isMonitor() || connection.user().equals(who.name());
    }

    /** Open connections the principal may see (own ones, or all for monitors), optionally of one vhost. */
    List<ClientConnection> connections(Principal who, String vhost) {
        List<ClientConnection> visible = new ArrayList<>();
        for (ClientConnection c : broker.connections().list()) {
            ConnectionInfo info = c.info();
            if (canSee(who, info) && (vhost == null || info.vhost().equals(vhost))) {
                visible.add(c);
            }
        }
        return visible;
    }

    /** The acting user's AMQP permission checks in a virtual host. */
    Permissions permissions(Principal who, String vhost) {
        return who.local() ? Permissions.UNCHECKED : new Permissions(new ResourceAccess(broker.users(), who.name(), vhost));
    }

    /** AMQP permission checks, or none for warrenctl. Each check throws 403 ACCESS_REFUSED as AMQP does. */
    static final class Permissions {
        static final Permissions UNCHECKED = new Permissions(null);
        private final ResourceAccess access;

        private Permissions(ResourceAccess access) {
            this.access = access;
        }

        void configureQueue(String name) {
            if (access != null) {
                access.configureQueue(name);
            }
        }

        void configureExchange(String name) {
            if (access != null) {
                access.configureExchange(name);
            }
        }

        void readQueue(String name) {
            if (access != null) {
                access.readQueue(name);
            }
        }

        void readExchange(String name) {
            if (access != null) {
                access.readExchange(name);
            }
        }

        void writeQueue(String name) {
            if (access != null) {
                access.writeQueue(name);
            }
        }

        void writeExchange(String name) {
            if (access != null) {
                access.writeExchange(name);
            }
        }
    }
}
