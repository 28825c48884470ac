package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.Users;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic permissions (RabbitMQ's topic authorisation): on a topic exchange where a user has one, the routing
 * key of a publish must match its write pattern and the key of a binding from the exchange its read pattern,
 * else 403 in RabbitMQ's words; {username} and {vhost} in the patterns stand for the user and the virtual
 * host; other exchange types, CC keys and exchanges without a row are not restricted. The texts and what is
 * checked were taken from RabbitMQ 3.10.8 (rabbitmqctl set_topic_permissions and the Java client).
 */
@Timeout(60)
class TopicPermissionsIT extends SharedBrokerIT {
    private static final String USER = "topic-user";

    private Users users() {
        return broker.broker().users();
    }

    @BeforeEach
    void grant() {
        users().create(USER, "pw", Set.of());
        users().setPermission(USER, "/", Permission.ALL);
        users().setTopicPermission(TopicPermission.of(USER, "/", "amq.topic", "^{username}\\.", "^public\\."));
        users().setTopicPermission(TopicPermission.of(USER, "/", "amq.direct", "^nothing$", "^nothing$"));
    }

    @AfterEach
    void revoke() {
        users().delete(USER);
    }

    private Channel userChannel() throws Exception {
        ConnectionFactory factory = broker.factory();
        factory.setUsername(USER);
        factory.setPassword("pw");
        return track(factory.newConnection()).createChannel();
    }

    private static String refusal(Channel channel) throws InterruptedException {
        BrokerFixture.await("the channel to close", 5_000, () -> !channel.isOpen());
        AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
        return close.getReplyCode() + " " + close.getReplyText();
    }

    private static String refusalOf(IoAction action) {
        IOException e = assertThrows(IOException.class, action::run);
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
        return close.getReplyCode() + " " + close.getReplyText();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    @Test
    void aPublishWhoseRoutingKeyMatchesTheWritePatternGoesThroughWithTheUsernameExpanded() throws Exception {
        Channel admin = connect().createChannel();
        String queue = admin.queueDeclare().getQueue();
        admin.queueBind(queue, "amq.topic", "topic-user.#");
        Channel channel = userChannel();
        channel.confirmSelect();
        channel.basicPublish("amq.topic", "topic-user.orders", null, "mine".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
        assertEquals("mine", Queues.body(Queues.awaitGet(admin, queue)));
    }

    @Test
    void aPublishWithAnotherRoutingKeyIsRefusedWith403() throws Exception {
        Channel channel = userChannel();
        channel.basicPublish("amq.topic", "someone-else.orders", null, new byte[1]);
        assertEquals("403 ACCESS_REFUSED - access to topic 'someone-else.orders' in exchange 'amq.topic' in vhost '/' "
                + "refused for user 'topic-user'", refusal(channel));
    }

    @Test
    void onlyTopicExchangesAndThePublishedRoutingKeyAreChecked() throws Exception {
        Channel channel = userChannel();
        channel.confirmSelect();
        channel.basicPublish("amq.direct", "anything", null, new byte[1]); // a row on a direct exchange is ignored
        channel.basicPublish("amq.topic", "topic-user.x",
                new AMQP.BasicProperties.Builder().headers(Map.of("CC", List.of("someone-else.y"))).build(), new byte[1]);
        channel.waitForConfirmsOrDie(5_000); // CC keys are not checked, as in RabbitMQ
        channel.exchangeDeclare("unrestricted.topic", "topic", false, true, null);
        channel.basicPublish("unrestricted.topic", "any.key", null, new byte[1]);
        channel.waitForConfirmsOrDie(5_000);
    }

    @Test
    void bindingFromATopicExchangeNeedsTheKeyToMatchTheReadPattern() throws Exception {
        Channel channel = userChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, "amq.topic", "public.news");
        channel.queueUnbind(queue, "amq.topic", "public.news");
        assertEquals("403 ACCESS_REFUSED - access to topic 'private.#' in exchange 'amq.topic' in vhost '/' "
                + "refused for user 'topic-user'", refusalOf(() -> channel.queueBind(queue, "amq.topic", "private.#")));

        Channel unbinding = userChannel();
        assertEquals("403 ACCESS_REFUSED - access to topic 'private.#' in exchange 'amq.topic' in vhost '/' "
                + "refused for user 'topic-user'", refusalOf(() -> unbinding.queueUnbind(queue, "amq.topic", "private.#")));

        Channel exchangeBinding = userChannel();
        exchangeBinding.exchangeDeclare("topic-perm.dest", "fanout", false, true, null);
        assertEquals("403 ACCESS_REFUSED - access to topic 'private.#' in exchange 'amq.topic' in vhost '/' "
                + "refused for user 'topic-user'",
                refusalOf(() -> exchangeBinding.exchangeBind("topic-perm.dest", "amq.topic", "private.#")));
    }

    @Test
    void clearingTheTopicPermissionLiftsTheRestrictionAtOnce() throws Exception {
        Channel channel = userChannel();
        users().clearTopicPermissions(USER, "/", "amq.topic");
        channel.confirmSelect();
        channel.basicPublish("amq.topic", "someone-else.orders", null, new byte[1]);
        channel.waitForConfirmsOrDie(5_000);
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, "amq.topic", "private.#");
    }

    @Test
    void theVhostVariableStandsForTheVirtualHost() throws Exception {
        users().setTopicPermission(TopicPermission.of(USER, "/", "amq.topic", "^vhost-{vhost}-", ".*"));
        Channel channel = userChannel();
        channel.confirmSelect();
        channel.basicPublish("amq.topic", "vhost-/-events", null, new byte[1]);
        channel.waitForConfirmsOrDie(5_000);
        channel.basicPublish("amq.topic", "vhost-other-events", null, new byte[1]);
        assertEquals(403, Integer.parseInt(refusal(channel).substring(0, 3)));
    }
}
