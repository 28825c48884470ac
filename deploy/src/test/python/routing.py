"""RabbitMQ tutorial 4, "Routing": a direct exchange 'direct_logs' delivers each message only to the
queues bound with its severity."""
from tutorial_support import (Consumer, check, close_all, connect, drain, publish_end_markers, run)

BINDINGS = {
    "errors only": ["error"],
    "everything but debug": ["info", "warning", "error"],
}
PUBLISHED = ["info", "warning", "error", "debug"]


def test():
    producer = connect()
    consumers = [Consumer(name) for name in BINDINGS]
    connections = [producer] + [c.connection for c in consumers]
    try:
        for consumer in consumers:
            consumer.channel.exchange_declare(exchange="direct_logs", exchange_type="direct")
            queue = consumer.channel.queue_declare(queue="", exclusive=True).method.queue
            for severity in BINDINGS[consumer.name]:
                consumer.channel.queue_bind(exchange="direct_logs", queue=queue, routing_key=severity)
            consumer.consume(queue)

        channel = producer.channel()
        channel.exchange_declare(exchange="direct_logs", exchange_type="direct")
        for severity in PUBLISHED:
            channel.basic_publish(exchange="direct_logs", routing_key=severity, body=severity)
        publish_end_markers(channel, consumers)
        drain(connections, consumers)

        for consumer in consumers:
            expected = [s for s in PUBLISHED if s in BINDINGS[consumer.name]]
            check(consumer.messages() == expected,
                  "%s (bound to %s) expected %r, got %r"
                  % (consumer.name, BINDINGS[consumer.name], expected, consumer.messages()))
    finally:
        close_all(connections)


run("routing", test)
