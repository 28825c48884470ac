package dev.warren.server;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pika (Debian's python3-pika) against a three-node cluster ({@link ClusterHarness}), connecting with a node list
 * as pika users of a RabbitMQ cluster do: a classic queue of node 1 used through node 3 (publishes, acked gets), a
 * quorum queue published to and consumed from there, and, with node 3 killed, pika's list takes it to node 2 and
 * the quorum queue carries on. The script is src/test/python/cluster_node_list.py; node logs in
 * target/pika-cluster-process-it/.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PikaClusterProcessIT {
    @RegisterExtension
    static final ClusterHarness cluster = ClusterHarness.forTests("pika-cluster-process-it");

    @Test
    void pikaWithANodeListUsesEveryQueueThroughAnyNodeAndMovesOnWhenItsNodeDies() throws Exception {
        int first = cluster.factory(0).getPort();
        String second = Integer.toString(cluster.factory(1).getPort());
        String third = Integer.toString(cluster.factory(2).getPort());
        PikaScriptIT.runScript(first, "cluster_node_list.py", second, third, "declare");
        ClusterHarness.awaitResult("the queues reach node 3", 30_000, () -> {
            try (var connection = cluster.factory(2).newConnection()) {
                var channel = connection.createChannel();
                channel.queueDeclarePassive("pika.cluster.classic");
                return channel.queueDeclarePassive("pika.cluster.quorum");
            }
        });
        PikaScriptIT.runScript(first, "cluster_node_list.py", second, third, "use");
        cluster.kill(2);
        PikaScriptIT.runScript(first, "cluster_node_list.py", second, third, "failover");
    }
}
