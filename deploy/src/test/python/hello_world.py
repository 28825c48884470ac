"""RabbitMQ tutorial 1, "Hello World!": a producer sends one message to queue 'hello', a consumer gets it."""
from tutorial_support import check, close_all, connect, run, wait_until


def test():
    producer = connect()
    consumer = connect()
    try:
        channel = producer.channel()
        channel.queue_declare(queue="hello")
        channel.queue_purge(queue="hello")  # the script may run again on the same broker
        channel.basic_publish(exchange="", routing_key="hello", body="Hello World!")

        received = []
        consumer_channel = consumer.channel()
        consumer_channel.queue_declare(queue="hello")
        consumer_channel.basic_consume(
            queue="hello", auto_ack=True,
            on_message_callback=lambda ch, method, properties, body: received.append(body))
        wait_until([consumer], lambda: received, "'Hello World!' on queue hello")
        check(received == [b"Hello World!"], "expected [b'Hello World!'], got %r" % received)

        channel.queue_delete(queue="hello")
    finally:
        close_all([consumer, producer])


run("hello world", test)
