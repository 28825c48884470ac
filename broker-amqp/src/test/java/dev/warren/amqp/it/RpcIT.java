package dev.warren.amqp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.RpcClient;
import com.rabbitmq.client.RpcClientParams;
import com.rabbitmq.client.StringRpcServer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The request/reply (RPC) pattern over reply_to and correlation_id, by hand and with the Java client's RpcClient. */
@Timeout(60)
class RpcIT extends SharedBrokerIT {

    @Test
    void serverRepliesToTheReplyToQueueWithTheRequestsCorrelationId() throws Exception {
        String rpcQueue = "rpc_queue";
        Channel server = connect().createChannel();
        server.queueDeclare(rpcQueue, false, false, false, null);
        server.basicQos(1);
        server.basicConsume(rpcQueue, false, (tag, request) -> {
            AMQP.BasicProperties props = request.getProperties();
            AMQP.BasicProperties replyProps = new AMQP.BasicProperties.Builder()
                    .correlationId(props.getCorrelationId()).build();
            server.basicPublish("", props.getReplyTo(), replyProps, bytes("reply to " + text(request.getBody())));
            server.basicAck(request.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });

        Connection clientConnection = connect();
        Channel client = clientConnection.createChannel();
        AMQP.Queue.DeclareOk replyQueue = client.queueDeclare();
        String replyTo = replyQueue.getQueue();
        assertTrue(replyTo.startsWith("amq.gen-"), "server-named queue: " + replyTo);
        BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
        client.basicConsume(replyTo, true, (tag, reply) -> replies.add(reply), tag -> { });

        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            String correlationId = "corr-" + i;
            expected.put(correlationId, "reply to request " + i);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .replyTo(replyTo).correlationId(correlationId).build();
            client.basicPublish("", rpcQueue, props, bytes("request " + i));
        }
        Map<String, String> got = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            Delivery reply = replies.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(reply, "reply " + i + " missing; got " + got);
            got.put(reply.getProperties().getCorrelationId(), text(reply.getBody()));
        }
        assertEquals(expected, got, "each reply carries its request's correlation id");
        assertEquals(0, server.queueDeclarePassive(rpcQueue).getMessageCount());
    }

    @Test
    void replyQueueIsExclusiveToTheClientAndGoesAwayWithItSoALateMandatoryReplyIsReturned() throws Exception {
        Channel server = connect().createChannel();
        String rpcQueue = server.queueDeclare("rpc_queue_late", false, false, false, null).getQueue();
        BlockingQueue<Delivery> requests = new LinkedBlockingQueue<>();
        server.basicConsume(rpcQueue, false, (tag, request) -> requests.add(request), tag -> { });
        BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
        server.addReturnListener(returns::add);

        Connection clientConnection = connect();
        Channel client = clientConnection.createChannel();
        String replyTo = client.queueDeclare().getQueue();
        client.basicPublish("", rpcQueue,
                new AMQP.BasicProperties.Builder().replyTo(replyTo).correlationId("gone-1").build(), bytes("request"));
        Delivery request = requests.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(request, "no request");
        assertEquals(replyTo, request.getProperties().getReplyTo());

        clientConnection.close();
        Connection serverConnection = server.getConnection();
        BrokerFixture.await("the reply queue to be deleted with its connection", WAIT_MILLIS,
                () -> !queueExists(serverConnection, replyTo));
        server.basicPublish("", replyTo, true,
                new AMQP.BasicProperties.Builder().correlationId("gone-1").build(), bytes("too late"));
        server.basicAck(request.getEnvelope().getDeliveryTag(), false);
        Return returned = returns.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(returned, "the unroutable reply is returned to the server");
        assertEquals(312, returned.getReplyCode());
        assertEquals(replyTo, returned.getRoutingKey());
        assertEquals("gone-1", returned.getProperties().getCorrelationId());
    }

    @Test
    void javaClientRpcClientCallsAnRpcServerLoopThroughAnExclusiveReplyQueue() throws Exception {
        Channel serverChannel = connect().createChannel();
        serverChannel.queueDeclare("rpc_queue_client", false, false, false, null);
        try (RunningServer ignored = RunningServer.start(serverChannel, "rpc_queue_client")) {
            Channel clientChannel = connect().createChannel();
            String replyTo = clientChannel.queueDeclare().getQueue();
            RpcClient rpc = new RpcClient(new RpcClientParams().channel(clientChannel).exchange("")
                    .routingKey("rpc_queue_client").replyTo(replyTo).timeout((int) WAIT_MILLIS));
            for (int i = 0; i < 5; i++) {
                assertEquals("echo:call " + i, rpc.stringCall("call " + i));
            }
            rpc.close();
        }
    }

    // ---- helpers ----

    /** A StringRpcServer whose mainloop runs on its own thread until closed. */
    private record RunningServer(StringRpcServer server, Thread thread, AtomicReference<Throwable> failure)
            implements AutoCloseable {
        static RunningServer start(Channel channel, String queue) throws IOException {
            StringRpcServer server = new StringRpcServer(channel, queue) {
                @Override
                public String handleStringCall(String request) {
                    return "echo:" + request;
                }
            };
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    server.mainloop();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "rpc-server-" + queue);
            thread.setDaemon(true);
            thread.start();
            return new RunningServer(server, thread, failure);
        }

        @Override
        public void close() throws Exception {
            server.terminateMainloop();
            server.getChannel().getConnection().abort(2_000); // wakes the mainloop with a shutdown signal
            thread.join(WAIT_MILLIS);
            assertFalse(thread.isAlive(), "the RPC server loop did not stop");
        }
    }

    private static boolean queueExists(Connection connection, String queue) {
        try {
            Channel probe = connection.createChannel();
            probe.queueDeclarePassive(queue);
            probe.close();
            return true;
        } catch (IOException e) {
            AMQP.Channel.Close close = RawAssertions.channelClose(e);
            if (close.getReplyCode() == 404) {
                return false;
            }
            assertEquals(405, close.getReplyCode(), "another connection's exclusive queue is locked: " + close.getReplyText());
            return true;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

}
