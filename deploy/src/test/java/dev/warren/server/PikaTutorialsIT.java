package dev.warren.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RabbitMQ tutorials, written with pika as the tutorials are, against an in-process Warren. */
@Timeout(120)
class PikaTutorialsIT extends PikaScriptIT {

    @Test
    void helloWorldDeliversTheMessageSentToQueueHello() throws Exception {
        runScript("hello_world.py");
    }

    @Test
    void publishSubscribeCopiesAMessageToEveryQueueBoundToTheFanoutExchange() throws Exception {
        runScript("publish_subscribe.py");
    }

    @Test
    void routingDeliversOnlyTheSeveritiesEachQueueIsBoundTo() throws Exception {
        runScript("routing.py");
    }

    @Test
    void topicsRouteEachKeyToTheQueuesWhosePatternsMatchIt() throws Exception {
        runScript("topics.py");
    }
}
