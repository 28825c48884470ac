"""The memory alarm as a pika client sees it; PikaMemoryAlarmIT raises and clears the alarm with warrenctl
set_vm_memory_high_watermark while this script runs. They talk in lines: the script prints, the test
answers on standard input.

  memory_alarm.py PORT
    1. connects a publisher (blocked_connection_timeout=30) and a consumer, prints "connected" and
       reads a line: the test has lowered the watermark to 1 byte
    2. publishes once: the broker takes that message and blocks the connection; the script prints
       "blocked: <reason>" (RabbitMQ's is "low on memory") once connection.blocked arrives, checks the
       consumer still gets the message, publishes again (the broker does not read it now), and reads a
       line: the test has raised the watermark again
    3. waits for connection.unblocked, prints "unblocked", checks the held-back message arrives, prints
       "delivered"
    4. connects again with blocked_connection_timeout=2, prints "connected" and reads a line (the alarm
       is up again); publishes, and pika closes the blocked connection itself after 2 s with
       ConnectionBlockedTimeout: prints "timed out"
"""
import sys

import pika

from tutorial_support import TutorialFailure, broker_address, check, close_all, named, run, wait_until

QUEUE = named("memory.alarm")


def connect(blocked_timeout):
    host, port = broker_address()
    return pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=port, credentials=pika.PlainCredentials("guest", "guest"),
        connection_attempts=1, socket_timeout=5, stack_timeout=10, blocked_connection_timeout=blocked_timeout))


def await_test():
    """Blocks until the test writes a line (it has changed the watermark)."""
    if not sys.stdin.readline():
        raise TutorialFailure("the test closed standard input")


def test():
    publisher = connect(30)
    events = []
    publisher.add_on_connection_blocked_callback(lambda c, frame: events.append("blocked: " + frame.method.reason))
    publisher.add_on_connection_unblocked_callback(lambda c, frame: events.append("unblocked"))
    channel = publisher.channel()
    channel.queue_declare(queue=QUEUE, auto_delete=True)

    consumer = connect(30)
    received = []
    consumer.channel().basic_consume(queue=QUEUE, auto_ack=True,
                                     on_message_callback=lambda ch, m, p, body: received.append(body.decode()))
    connections = [publisher, consumer]
    print("connected", flush=True)
    await_test()

    channel.basic_publish(exchange="", routing_key=QUEUE, body=b"during")
    wait_until(connections, lambda: events, "connection.blocked")
    print(events[0], flush=True)
    wait_until(connections, lambda: received == ["during"], "the consumer to get the message published as the alarm rose")
    channel.basic_publish(exchange="", routing_key=QUEUE, body=b"held back")
    await_test()

    wait_until(connections, lambda: "unblocked" in events, "connection.unblocked")
    print("unblocked", flush=True)
    wait_until(connections, lambda: received == ["during", "held back"], "the held-back message")
    print("delivered", flush=True)
    close_all(connections)

    short = connect(2)
    short_channel = short.channel()
    print("connected", flush=True)
    await_test()
    short_channel.basic_publish(exchange="", routing_key=QUEUE, body=b"never read")
    try:
        wait_until([short], lambda: False, "pika's blocked connection timeout", seconds=15)
    except pika.exceptions.ConnectionBlockedTimeout:
        check(short.is_closed, "pika raised ConnectionBlockedTimeout but kept the connection open")
        print("timed out", flush=True)
        return
    raise TutorialFailure("the blocked connection did not time out")


if __name__ == "__main__":
    run("memory alarm", test)
