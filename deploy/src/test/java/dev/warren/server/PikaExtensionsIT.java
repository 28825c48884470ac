package dev.warren.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RabbitMQ's protocol extensions as pika applications use them, against an in-process Warren. */
@Timeout(120)
class PikaExtensionsIT extends PikaScriptIT {

    @Test
    void theRpcTutorialWithDirectReplyToGetsEveryReplyWithoutACallbackQueue() throws Exception {
        runScript("rpc_direct_reply_to.py");
    }

    @Test
    void singleActiveConsumerFailsOverToTheNextWorkerWithTheUnackedMessagesFirst() throws Exception {
        runScript("single_active_consumer.py");
    }

    @Test
    void updateSecretOnABlockingConnectionKeepsItWorkingAndAWrongSecretClosesIt() throws Exception {
        runScript("update_secret.py");
    }
}
