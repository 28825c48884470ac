package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A channel error whose reply text is longer than a short string allows still closes only the channel. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplyTextIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aReplyTextOfMoreThan255BytesOfUtf8ClosesOnlyTheChannelWithTheTextCutOnACharacter() throws Exception {
        String name = "é".repeat(120); // 240 bytes: a legal queue name; the reply text naming it is 277 bytes
        try (Connection connection = broker.connect()) {
            Channel channel = connection.createChannel();
            IOException error = assertThrows(IOException.class, () -> channel.queueDeclarePassive(name));
            AMQP.Channel.Close close = (AMQP.Channel.Close) ((com.rabbitmq.client.ShutdownSignalException) error.getCause()).getReason();
            assertEquals(404, close.getReplyCode());
            String text = close.getReplyText();
            assertTrue(text.startsWith("NOT_FOUND - no queue 'éé"), text);
            assertTrue(text.endsWith("é..."), text);
            assertTrue(text.getBytes(StandardCharsets.UTF_8).length <= 255);

            assertTrue(connection.isOpen(), "a channel error, not a connection error");
            Channel another = connection.createChannel();
            assertEquals(0, another.queueDeclare("still-works", false, false, true, null).getMessageCount());
        }
    }
}
