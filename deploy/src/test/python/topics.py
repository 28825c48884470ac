"""RabbitMQ tutorial 5, "Topics": a topic exchange 'topic_logs' routes on dot-separated words, with
'*' matching exactly one word and '#' zero or more. Q1 is bound to *.orange.*, Q2 to *.*.rabbit and
lazy.#; the routing keys and where they must go are the tutorial's own examples."""
from tutorial_support import (Consumer, check, close_all, connect, drain, publish_end_markers, run)

BINDINGS = {
    "Q1": ["*.orange.*"],
    "Q2": ["*.*.rabbit", "lazy.#"],
}
# routing key -> the queues that must receive it, once each
EXPECTED = {
    "quick.orange.rabbit": ["Q1", "Q2"],
    "lazy.orange.elephant": ["Q1", "Q2"],
    "quick.orange.fox": ["Q1"],
    "lazy.brown.fox": ["Q2"],
    "lazy.pink.rabbit": ["Q2"],  # matches both of Q2's bindings, delivered once
    "quick.brown.fox": [],
    "orange": [],
    "quick.orange.male.rabbit": [],
    "lazy.orange.male.rabbit": ["Q2"],
}


def test():
    producer = connect()
    consumers = [Consumer(name) for name in BINDINGS]
    connections = [producer] + [c.connection for c in consumers]
    try:
        for consumer in consumers:
            consumer.channel.exchange_declare(exchange="topic_logs", exchange_type="topic")
            queue = consumer.channel.queue_declare(queue="", exclusive=True).method.queue
            for pattern in BINDINGS[consumer.name]:
                consumer.channel.queue_bind(exchange="topic_logs", queue=queue, routing_key=pattern)
            consumer.consume(queue)

        channel = producer.channel()
        channel.exchange_declare(exchange="topic_logs", exchange_type="topic")
        for key in EXPECTED:
            channel.basic_publish(exchange="topic_logs", routing_key=key, body=key)
        publish_end_markers(channel, consumers)
        drain(connections, consumers)

        for consumer in consumers:
            expected = [key for key, queues in EXPECTED.items() if consumer.name in queues]
            check(consumer.messages() == expected,
                  "%s (bound to %s) expected %r, got %r"
                  % (consumer.name, BINDINGS[consumer.name], expected, consumer.messages()))
    finally:
        close_all(connections)


run("topics", test)
