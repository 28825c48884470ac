"""RabbitMQ tutorial 3, "Publish/Subscribe": a fanout exchange 'logs' copies each message to every
server-named exclusive queue bound to it."""
from tutorial_support import (Consumer, check, close_all, connect, drain, publish_end_markers, run)


def test():
    producer = connect()
    consumers = [Consumer("subscriber 1"), Consumer("subscriber 2")]
    connections = [producer] + [c.connection for c in consumers]
    try:
        for consumer in consumers:
            consumer.channel.exchange_declare(exchange="logs", exchange_type="fanout")
            result = consumer.channel.queue_declare(queue="", exclusive=True)
            queue = result.method.queue
            check(queue.startswith("amq.gen-"),
                  "%s: a server-named queue should start with 'amq.gen-', got %r" % (consumer.name, queue))
            consumer.channel.queue_bind(exchange="logs", queue=queue)
            consumer.consume(queue)
        check(consumers[0].queue != consumers[1].queue, "both exclusive queues got the name %r" % consumers[0].queue)

        channel = producer.channel()
        channel.exchange_declare(exchange="logs", exchange_type="fanout")
        channel.basic_publish(exchange="logs", routing_key="", body="info: Hello World!")
        publish_end_markers(channel, consumers)
        drain(connections, consumers)

        for consumer in consumers:
            check(consumer.messages() == ["info: Hello World!"],
                  "%s expected ['info: Hello World!'], got %r" % (consumer.name, consumer.messages()))
    finally:
        close_all(connections)


run("publish/subscribe", test)
