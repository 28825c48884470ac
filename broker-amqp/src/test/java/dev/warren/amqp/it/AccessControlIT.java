package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.Users;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RabbitMQ's access-control table, row by row: which permission (configure, write, read) each AMQP
 * operation needs on which resource, each allowed and refused. The administrator (guest) sets up what a
 * test needs; the user "restricted" gets the patterns of the test.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessControlIT extends SharedBrokerIT {
    private static final String USER = "restricted";

    @BeforeEach
    void addUser() {
        Users users = broker.broker().users();
        users.add(USER, "pw", Set.of());
        users.clearPermission(USER, "/");
    }

    /** A channel of the restricted user, who may configure, write and read what the patterns match. */
    private Channel restricted(String configure, String write, String read) throws Exception {
        broker.broker().users().setPermission(USER, "/", new Permission(configure, write, read));
        ConnectionFactory factory = broker.factory();
        factory.setUsername(USER);
        factory.setPassword("pw");
        return track(factory.newConnection()).createChannel();
    }

    private static String refused(String access, String kind, String name) {
        return access + " access to " + kind + " '" + name + "' in vhost '/' refused for user '" + USER + "'";
    }

    // ---- exchange.declare / exchange.delete: configure on the exchange ----

    @Test
    void declaringAnExchangeNeedsConfigureOnIt() throws Exception {
        Channel ch = restricted("^acl-x-", "", "");
        ch.exchangeDeclare("acl-x-ok", BuiltinExchangeType.DIRECT);
        assertChannelClosed(shutdownOf(() -> ch.exchangeDeclare("acl-other", BuiltinExchangeType.DIRECT)),
                403, refused("configure", "exchange", "acl-other"));
    }

    @Test
    void passiveDeclaresNeedNoPermission() throws Exception {
        channel().queueDeclare("acl-passive-q", false, false, false, null);
        Channel ch = restricted("", "", "");
        ch.exchangeDeclarePassive("amq.direct");
        ch.queueDeclarePassive("acl-passive-q");
    }

    @Test
    void deletingAnExchangeNeedsConfigureOnIt() throws Exception {
        Channel admin = channel();
        admin.exchangeDeclare("acl-del-x", BuiltinExchangeType.FANOUT);
        admin.exchangeDeclare("acl-keep-x", BuiltinExchangeType.FANOUT);
        Channel ch = restricted("^acl-del-", "", "");
        ch.exchangeDelete("acl-del-x");
        assertChannelClosed(shutdownOf(() -> ch.exchangeDelete("acl-keep-x")), 403, refused("configure", "exchange", "acl-keep-x"));
        admin.exchangeDeclarePassive("acl-keep-x");
    }

    @Test
    void anAlternateExchangeNeedsWriteOnItAndReadOnTheDeclaredExchange() throws Exception {
        Map<String, Object> withAlternate = Map.of("alternate-exchange", "acl-ae");
        Channel ch = restricted(".*", "^acl-ae$", "^acl-with-ae$");
        ch.exchangeDeclare("acl-with-ae", BuiltinExchangeType.DIRECT, false, false, withAlternate);
        assertChannelClosed(shutdownOf(() -> ch.exchangeDeclare("acl-with-ae-2", BuiltinExchangeType.DIRECT, false, false,
                withAlternate)), 403, refused("read", "exchange", "acl-with-ae-2"));
        Channel other = restricted(".*", "", ".*");
        assertChannelClosed(shutdownOf(() -> other.exchangeDeclare("acl-with-ae-3", BuiltinExchangeType.DIRECT, false, false,
                withAlternate)), 403, refused("write", "exchange", "acl-ae"));
    }

    // ---- queue.declare / queue.delete: configure on the queue ----

    @Test
    void declaringAQueueNeedsConfigureOnIt() throws Exception {
        Channel ch = restricted("^acl-q-", "", "");
        ch.queueDeclare("acl-q-ok", false, false, true, null);
        assertChannelClosed(shutdownOf(() -> ch.queueDeclare("acl-nope", false, false, true, null)),
                403, refused("configure", "queue", "acl-nope"));
    }

    @Test
    void aServerNamedQueueIsCheckedUnderItsGeneratedName() throws Exception {
        Channel allowed = restricted("^amq\\.gen-", "", "");
        assertTrue(allowed.queueDeclare().getQueue().startsWith("amq.gen-"));
        Channel ch = restricted("^acl-", "", "");
        assertChannelClosed(shutdownOf(ch::queueDeclare), 403, "configure access to queue 'amq.gen-");
    }

    @Test
    void aDeadLetterExchangeNeedsWriteOnItAndReadOnTheQueue() throws Exception {
        Map<String, Object> deadLettering = Map.of("x-dead-letter-exchange", "acl-dlx");
        Channel ch = restricted(".*", "^acl-dlx$", "^acl-dl-q$");
        ch.queueDeclare("acl-dl-q", false, false, true, deadLettering);
        assertChannelClosed(shutdownOf(() -> ch.queueDeclare("acl-dl-q2", false, false, true, deadLettering)),
                403, refused("read", "queue", "acl-dl-q2"));
    }

    @Test
    void deletingAQueueNeedsConfigureOnIt() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-del-q", false, false, false, null);
        admin.queueDeclare("acl-keep-q", false, false, false, null);
        Channel ch = restricted("^acl-del-", "", "");
        ch.queueDelete("acl-del-q");
        assertChannelClosed(shutdownOf(() -> ch.queueDelete("acl-keep-q")), 403, refused("configure", "queue", "acl-keep-q"));
        assertEquals(0, messageCount(admin, "acl-keep-q"));
    }

    // ---- queue.purge, basic.get, basic.consume: read on the queue ----

    @Test
    void purgingAQueueNeedsReadOnIt() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-purge", false, false, false, null);
        publish(admin, "acl-purge", "a");
        Channel denied = restricted(".*", ".*", "^other$");
        assertChannelClosed(shutdownOf(() -> denied.queuePurge("acl-purge")), 403, refused("read", "queue", "acl-purge"));
        assertEquals(1, messageCount(admin, "acl-purge"));
        Channel ch = restricted("", "", "^acl-purge$");
        assertEquals(1, ch.queuePurge("acl-purge").getMessageCount());
    }

    @Test
    void getNeedsReadOnTheQueue() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-get", false, false, false, null);
        publish(admin, "acl-get", "m");
        Channel denied = restricted(".*", ".*", "");
        assertChannelClosed(shutdownOf(() -> denied.basicGet("acl-get", true)), 403, refused("read", "queue", "acl-get"));
        Channel ch = restricted("", "", "^acl-get$");
        GetResponse got = ch.basicGet("acl-get", true);
        assertEquals("m", text(got.getBody()));
    }

    @Test
    void consumingNeedsReadOnTheQueue() throws Exception {
        channel().queueDeclare("acl-consume", false, false, false, null);
        Channel denied = restricted(".*", ".*", "^x$");
        assertChannelClosed(shutdownOf(() -> denied.basicConsume("acl-consume", true, (tag, d) -> { }, tag -> { })),
                403, refused("read", "queue", "acl-consume"));
        Channel ch = restricted("", "", "^acl-consume$");
        ch.basicConsume("acl-consume", true, (tag, d) -> { }, tag -> { });
    }

    // ---- basic.publish: write on the exchange ----

    @Test
    void publishingNeedsWriteOnTheExchange() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-pub", false, false, false, null);
        admin.queueBind("acl-pub", "amq.direct", "acl-pub");
        Channel ch = restricted("", "^amq\\.direct$", "");
        ch.basicPublish("amq.direct", "acl-pub", null, bytes("allowed"));
        assertChannelClosed(closedAfter(ch, () -> ch.basicPublish("amq.fanout", "", null, bytes("refused"))),
                403, refused("write", "exchange", "amq.fanout"));
        BrokerFixture.await("the allowed message", WAIT_MILLIS, () -> messageCount(admin, "acl-pub") == 1);
    }

    @Test
    void publishingToTheDefaultExchangeIsWriteOnAmqDefault() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-default", false, false, false, null);
        Channel denied = restricted("", "^amq\\.direct$", "");
        assertChannelClosed(closedAfter(denied, () -> denied.basicPublish("", "acl-default", null, bytes("x"))),
                403, refused("write", "exchange", "amq.default"));
        Channel ch = restricted("", "^amq\\.default$", "");
        ch.basicPublish("", "acl-default", null, bytes("ok"));
        BrokerFixture.await("the message", WAIT_MILLIS, () -> messageCount(admin, "acl-default") == 1);
    }

    @Test
    void revokingWriteTakesEffectOnTheNextPublish() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-revoke", false, false, false, null);
        Channel ch = restricted("", ".*", "");
        ch.basicPublish("", "acl-revoke", null, bytes("before"));
        BrokerFixture.await("the first message", WAIT_MILLIS, () -> messageCount(admin, "acl-revoke") == 1);
        broker.broker().users().setPermission(USER, "/", new Permission("", "", ""));
        assertChannelClosed(closedAfter(ch, () -> ch.basicPublish("", "acl-revoke", null, bytes("after"))),
                403, refused("write", "exchange", "amq.default"));
        assertEquals(1, messageCount(admin, "acl-revoke"));
    }

    // ---- queue.bind / queue.unbind: write on the queue, read on the exchange ----

    @Test
    void bindingAQueueNeedsWriteOnTheQueueAndReadOnTheExchange() throws Exception {
        channel().queueDeclare("acl-bind-q", false, false, false, null);
        Channel noWrite = restricted("", "", ".*");
        assertChannelClosed(shutdownOf(() -> noWrite.queueBind("acl-bind-q", "amq.topic", "#")),
                403, refused("write", "queue", "acl-bind-q"));
        Channel noRead = restricted("", ".*", "^acl-");
        assertChannelClosed(shutdownOf(() -> noRead.queueBind("acl-bind-q", "amq.topic", "#")),
                403, refused("read", "exchange", "amq.topic"));
        Channel ch = restricted("", "^acl-bind-q$", "^amq\\.topic$");
        ch.queueBind("acl-bind-q", "amq.topic", "#");
    }

    @Test
    void unbindingAQueueNeedsWriteOnTheQueueAndReadOnTheExchange() throws Exception {
        Channel admin = channel();
        admin.queueDeclare("acl-unbind-q", false, false, false, null);
        admin.queueBind("acl-unbind-q", "amq.topic", "k");
        Channel noWrite = restricted("", "", ".*");
        assertChannelClosed(shutdownOf(() -> noWrite.queueUnbind("acl-unbind-q", "amq.topic", "k")),
                403, refused("write", "queue", "acl-unbind-q"));
        Channel noRead = restricted("", ".*", "");
        assertChannelClosed(shutdownOf(() -> noRead.queueUnbind("acl-unbind-q", "amq.topic", "k")),
                403, refused("read", "exchange", "amq.topic"));
        restricted("", "^acl-unbind-q$", "^amq\\.topic$").queueUnbind("acl-unbind-q", "amq.topic", "k");
    }

    // ---- exchange.bind / exchange.unbind: write on the destination, read on the source ----

    @Test
    void bindingExchangesNeedsWriteOnTheDestinationAndReadOnTheSource() throws Exception {
        channel().exchangeDeclare("acl-dest", BuiltinExchangeType.FANOUT);
        Channel noWrite = restricted("", "", ".*");
        assertChannelClosed(shutdownOf(() -> noWrite.exchangeBind("acl-dest", "amq.fanout", "")),
                403, refused("write", "exchange", "acl-dest"));
        Channel noRead = restricted("", ".*", "^acl-");
        assertChannelClosed(shutdownOf(() -> noRead.exchangeBind("acl-dest", "amq.fanout", "")),
                403, refused("read", "exchange", "amq.fanout"));
        Channel ch = restricted("", "^acl-dest$", "^amq\\.fanout$");
        ch.exchangeBind("acl-dest", "amq.fanout", "");
        Channel noReadToUnbind = restricted("", ".*", "");
        assertChannelClosed(shutdownOf(() -> noReadToUnbind.exchangeUnbind("acl-dest", "amq.fanout", "")),
                403, refused("read", "exchange", "amq.fanout"));
        Channel noWriteToUnbind = restricted("", "", ".*");
        assertChannelClosed(shutdownOf(() -> noWriteToUnbind.exchangeUnbind("acl-dest", "amq.fanout", "")),
                403, refused("write", "exchange", "acl-dest"));
        restricted("", "^acl-dest$", "^amq\\.fanout$").exchangeUnbind("acl-dest", "amq.fanout", "");
    }

    // ---- connection.open: any permission in the virtual host ----

    @Test
    void openingAVirtualHostWithoutPermissionsThereIsRefusedWith530() throws Exception {
        broker.broker().createVirtualHost("acl-elsewhere");
        broker.broker().users().setPermission(USER, "/", Permission.ALL);
        ConnectionFactory factory = broker.factory();
        factory.setUsername(USER);
        factory.setPassword("pw");
        factory.setVirtualHost("acl-elsewhere");
        assertConnectionClosed(shutdownOf(factory::newConnection), 530,
                "access to vhost 'acl-elsewhere' refused for user '" + USER + "'");
    }

    @Test
    void anEmptyPatternMatchesNothing() throws Exception {
        Channel ch = restricted("", "", "");
        assertChannelClosed(shutdownOf(() -> ch.queueDeclare("", false, true, true, null)), 403, "configure access to queue");
    }

    @Test
    void queuesOfOneVirtualHostAreInvisibleFromAnother() throws Exception {
        broker.broker().createVirtualHost("acl-iso");
        broker.broker().users().setPermission("guest", "acl-iso", Permission.ALL);
        channel().queueDeclare("acl-iso-q", false, false, false, null);
        ConnectionFactory factory = broker.factory();
        factory.setVirtualHost("acl-iso");
        Connection other = track(factory.newConnection());
        Channel ch = other.createChannel();
        assertChannelClosed(shutdownOf(() -> ch.queueDeclarePassive("acl-iso-q")), 404, "no queue 'acl-iso-q' in vhost 'acl-iso'");
        Channel again = other.createChannel();
        again.queueDeclare("acl-iso-q", false, false, false, null);
        publish(again, "acl-iso-q", "only here");
        BrokerFixture.await("the message in acl-iso", WAIT_MILLIS, () -> messageCount(again, "acl-iso-q") == 1);
        assertEquals(0, messageCount(channel(), "acl-iso-q"));
    }
}
