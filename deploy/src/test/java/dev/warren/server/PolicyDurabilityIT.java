package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import dev.warren.core.policy.ApplyTo;
import dev.warren.core.policy.Policy;
import dev.warren.core.policy.PolicyLayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies and operator policies are durable: after a restart on the same data directory they are there,
 * and the durable queues and exchanges that come back take them before any client connects.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PolicyDurabilityIT {
    @TempDir
    Path dataDir;
    private WarrenServer server;

    private ServerConfig config() {
        return ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dataDir);
    }

    private Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(server.amqpPort());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        return factory.newConnection();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void publish(Channel ch, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            ch.basicPublish("", "dur.q", MessageProperties.PERSISTENT_TEXT_PLAIN, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
    }

    @Test
    void policiesSurviveARestartAndTheQueuesAndExchangesThatComeBackTakeThem() throws Exception {
        server = WarrenServer.start(config());
        VirtualHost vhost = server.broker().vhost("/");
        vhost.setPolicy(PolicyLayer.POLICY, Policy.of(PolicyLayer.POLICY, "dur-limit", "^dur\\.", ApplyTo.QUEUES, 5,
                Map.of("max-length", 2))).get(10, TimeUnit.SECONDS);
        vhost.setPolicy(PolicyLayer.POLICY, Policy.of(PolicyLayer.POLICY, "dur-ae", "^dur\\.x$", ApplyTo.EXCHANGES, 0,
                Map.of("alternate-exchange", "dur.ae"))).get(10, TimeUnit.SECONDS);
        vhost.setPolicy(PolicyLayer.OPERATOR, Policy.of(PolicyLayer.OPERATOR, "dur-cap", ".*", ApplyTo.ALL, 0,
                Map.of("message-ttl", 3_600_000))).get(10, TimeUnit.SECONDS);
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("dur.q", true, false, false, null);
            ch.exchangeDeclare("dur.x", "direct", true);
            ch.confirmSelect();
            publish(ch, 5);
            assertEquals(2, ch.messageCount("dur.q"));
        }

        server.close();
        server = WarrenServer.start(config());

        VirtualHost restarted = server.broker().vhost("/");
        assertEquals(5, restarted.policies().get(PolicyLayer.POLICY, "dur-limit").priority());
        assertEquals(ApplyTo.EXCHANGES, restarted.policies().get(PolicyLayer.POLICY, "dur-ae").applyTo());
        assertEquals(Map.of("message-ttl", 3_600_000), restarted.policies().get(PolicyLayer.OPERATOR, "dur-cap").definition());
        MessageQueue queue = restarted.queue("dur.q");
        assertEquals("dur-limit", queue.policies().policy().name());
        assertEquals("dur-cap", queue.policies().operatorPolicy().name());
        assertEquals("dur.ae", restarted.exchange("dur.x").alternateExchange());
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            assertEquals(2, ch.messageCount("dur.q"), "the kept messages came back");
            publish(ch, 3);
            assertEquals(2, ch.messageCount("dur.q"), "the restored queue is still limited by the policy");
        }
    }
}
