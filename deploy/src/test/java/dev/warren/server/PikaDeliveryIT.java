package dev.warren.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the RabbitMQ tutorials about delivery, written with Python's pika as the tutorials are, against an
 * in-process Warren: "Work Queues" (fair dispatch with prefetch 1, redelivery after a worker dies), "RPC"
 * (reply_to and correlation_id) and "Publisher Confirms" (confirms, unroutable returns, channel errors); and a
 * publisher paced by a consumer that does not read (flow control by queue depth).
 * The scripts live in src/test/python and exit 0 when the broker behaved as RabbitMQ does.
 * pika must be installed for /usr/bin/python3 (Debian: apt-get install python3-pika; .ci/run does it).
 */
@Timeout(60)
class PikaDeliveryIT extends PikaScriptIT {

    @Test
    void workQueuesDispatchFairlyWithPrefetchOneAndRedeliverTheTaskOfAWorkerThatDied() throws Exception {
        runScript("work_queues.py");
    }

    @Test
    void rpcRepliesReachTheCallbackQueueWithTheRequestsCorrelationId() throws Exception {
        runScript("rpc.py");
    }

    @Test
    void publisherConfirmsAckRoutedMessagesReturnUnroutableOnesAndCloseTheChannelOnAMissingExchange()
            throws Exception {
        runScript("publisher_confirms.py");
    }

    @Test
    void aPikaPublisherIsHeldBackWhileItsQueuesConsumerDoesNotReadAndLosesNothing() throws Exception {
        runScriptWithManagement("paced_by_slow_consumer.py");
    }
}
