package dev.warren.core.auth;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;

/**
 * One connection's access checks: RabbitMQ's access-control table applied to a user in a virtual host.
 * A refusal is a 403 ACCESS_REFUSED channel error with RabbitMQ's reply text. The last write check is
 * remembered so that a publisher sending to one exchange does not run a regular expression per message;
 * any change to users or permissions invalidates it, so revoking a permission takes effect at once. Topic
 * permissions (RabbitMQ's topic authorisation) restrict routing and binding keys on topic exchanges.
 * Used from the connection's thread only.
 */
public final class ResourceAccess {
    /** Publishing to the default exchange is checked as writing to this name, as in RabbitMQ. */
    private static final String DEFAULT_EXCHANGE = "amq.default";

    private final Users users;
    private final String user;
    private final String vhost;
    private String lastWritten;
    private long lastWrittenVersion = -1;

    public ResourceAccess(Users users, String user, String vhost) {
        this.users = users;
        this.user = user;
        this.vhost = vhost;
    }

    public String user() {
        return user;
    }

    public void configureExchange(String name) {
        check(Access.CONFIGURE, "exchange", exchangeResource(name));
    }

    public void configureQueue(String name) {
        check(Access.CONFIGURE, "queue", name);
    }

    public void readExchange(String name) {
        check(Access.READ, "exchange", exchangeResource(name));
    }

    public void readQueue(String name) {
        check(Access.READ, "queue", name);
    }

    public void writeQueue(String name) {
        check(Access.WRITE, "queue", name);
    }

    public void writeExchange(String name) {
        long version = users.version();
        if (version == lastWrittenVersion && name.equals(lastWritten)) {
            return;
        }
        check(Access.WRITE, "exchange", exchangeResource(name));
        lastWritten = name;
        lastWrittenVersion = version;
    }

    /** Publishing to a topic exchange: the routing key must match the user's topic permission there, if any. */
    public void writeTopic(String exchange, String routingKey) {
        checkTopic(Access.WRITE, exchange, routingKey);
    }

    /** Binding from a topic exchange: the binding key must match the user's topic permission there, if any. */
    public void readTopic(String exchange, String routingKey) {
        checkTopic(Access.READ, exchange, routingKey);
    }

    private void checkTopic(Access access, String exchange, String routingKey) {
        TopicPermission permission = users.topicPermission(user, vhost, exchange).orElse(null);
        if (permission != null && !permission.allows(access, routingKey)) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "access to topic '%s' in exchange '%s' in vhost '%s' refused for user '%s'",
                    routingKey, exchange, vhost, user);
        }
    }

    private static String exchangeResource(String name) {
        return name.isEmpty() ? DEFAULT_EXCHANGE : name;
    }

    private void check(Access access, String kind, String name) {
        Permission permission = users.permission(user, vhost).orElse(null);
        if (permission == null || !permission.allows(access, name)) {
            throw AmqpException.of(ReplyCode.ACCESS_REFUSED, "%s access to %s '%s' in vhost '%s' refused for user '%s'",
                    access.label(), kind, name, vhost, user);
        }
    }

    /** True when the user may use the virtual host at all: they have a permission row there. */
    public static boolean mayOpen(Users users, String user, String vhost) {
        return users.permission(user, vhost).isPresent();
    }
}
