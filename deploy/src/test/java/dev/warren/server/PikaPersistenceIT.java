package dev.warren.server;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message persistence (消息持久化) with pika, as in RabbitMQ tutorial 2: src/test/python/message_persistence.py
 * publishes to an in-process Warren, which is then closed, and consumes from a new Warren started on the
 * same data directory. A durable queue and its persistent messages survive the restart, in order; transient
 * messages and non-durable queues do not; acked messages do not come back after a further restart.
 * pika must be installed for /usr/bin/python3 (Debian: apt-get install python3-pika; .ci/run does it).
 */
class PikaPersistenceIT {
    private static final String SCRIPT = "message_persistence.py";

    @TempDir
    Path dataDir;

    private WarrenServer start() throws Exception {
        return WarrenServer.start(ServerConfig.defaults().withAmqpPort(0).withMgmtPort(0).withDataDir(dataDir));
    }

    /** Starts a Warren on the data directory, runs one phase of the script against it, closes it. */
    private void runPhase(String phase) throws Exception {
        try (WarrenServer server = start()) {
            PikaScriptIT.runScript(server.amqpPort(), SCRIPT, phase);
        }
    }

    @Test
    @Timeout(120) // above two script timeouts, so a hung script's output still reaches the report
    void persistentMessagesInADurableQueueSurviveARestartInOrderButTransientMessagesAndNonDurableQueuesDoNot()
            throws Exception {
        runPhase("publish");
        runPhase("consume");
    }

    @Test
    @Timeout(180) // above three script timeouts
    void messagesAckedBeforeARestartDoNotComeBackAfterTheNext() throws Exception {
        runPhase("publish");
        runPhase("consume");
        runPhase("consumed");
    }
}
