package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ShutdownIT {

    @Test
    void clientsAreToldConnectionForcedWhenTheBrokerStops() throws Exception {
        BrokerFixture broker = BrokerFixture.start();
        Connection connection = broker.connect();
        connection.createChannel().queueDeclare("left-behind", false, false, false, null);
        connection.createChannel().basicPublish("", "left-behind", null, new byte[] {1, 2, 3});
        BlockingQueue<ShutdownSignalException> closed = new ArrayBlockingQueue<>(1);
        connection.addShutdownListener(closed::add);

        broker.close();

        ShutdownSignalException signal = closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(signal, "the client was not told the connection closed");
        assertFalse(signal.isInitiatedByApplication());
        AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
        assertEquals(320, close.getReplyCode());
        assertEquals("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", close.getReplyText());
    }
}
