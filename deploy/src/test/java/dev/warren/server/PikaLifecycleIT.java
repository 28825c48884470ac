package dev.warren.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The message lifecycle as Python applications use it, with pika and kombu (Celery's transport) against
 * an in-process Warren; each script passes against RabbitMQ 3.10 too ({@code WARREN_NAME_PREFIX=pyh-
 * /usr/bin/python3 <script> 5672}).
 */
@Timeout(120)
class PikaLifecycleIT extends PikaScriptIT {

    @Test
    void delayedRetryThroughADeadLetterWaitQueueReadsTheAttemptFromXDeath() throws Exception {
        runScript("delayed_retry.py");
    }

    @Test
    void exponentialBackOffRepublishingWithPerMessageTtlCountsUpTheXDeathTheClientSentBack() throws Exception {
        runScript("backoff_retry.py");
    }

    @Test
    void aBoundedQueueKeepsTheNewestMessagesAndDeadLettersTheDroppedHeads() throws Exception {
        runScript("bounded_queue.py");
    }

    @Test
    void aFullQueueNacksPublishesWhichPikaRaisesAsNackErrorAndRejectPublishDlxDeadLettersThem() throws Exception {
        runScript("rejecting_queue.py");
    }

    @Test
    void celeryStyleTaskPrioritiesThroughKombuComeHighestFirst() throws Exception {
        runScript("task_priorities.py");
    }

    @Test
    void expirationStringsAndTtlsUpToTenYearsAreTakenAndRefusedAsRabbitMqDoes() throws Exception {
        runScript("ttl_values.py");
    }
}
