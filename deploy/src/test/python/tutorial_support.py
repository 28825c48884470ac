"""Shared helpers for the RabbitMQ-tutorial interop scripts run against Warren with pika.

Every script takes the broker's AMQP port as its first argument (or $WARREN_AMQP_PORT, default 5672)
and the host from $WARREN_AMQP_HOST (default 127.0.0.1). Scripts that use named() put
$WARREN_NAME_PREFIX (default empty) before their queue and exchange names, so they can run on a broker
others share (e.g. WARREN_NAME_PREFIX=pyh- against a RabbitMQ for reference). Nothing can hang: connections have socket
timeouts, every wait has a deadline, and an alarm ends the script if a broker reply never comes.
It exits 0 on success and 1 with a message on stderr on failure.
"""
import os
import signal
import sys
import time

import pika

SCRIPT_DEADLINE_SECONDS = 45
WAIT_SECONDS = 10


class TutorialFailure(Exception):
    pass


def _on_alarm(signum, frame):
    raise TutorialFailure(
        "gave up after %d s: a broker reply never arrived" % SCRIPT_DEADLINE_SECONDS)


def run(name, test):
    """Runs test(), a function without arguments, and exits 0 or 1 with a clear message."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(SCRIPT_DEADLINE_SECONDS)
    try:
        test()
    except TutorialFailure as e:
        print("FAIL %s: %s" % (name, e), file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # a pika error is a failure too, reported with its type
        print("FAIL %s: %r" % (name, e), file=sys.stderr)
        sys.exit(1)
    finally:
        signal.alarm(0)
    print("OK %s" % name)


def broker_address():
    """(host, port) of the broker under test, from the first argument and the environment."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("WARREN_AMQP_PORT", "5672"))
    return os.environ.get("WARREN_AMQP_HOST", "127.0.0.1"), port


def named(name):
    """A queue or exchange name with $WARREN_NAME_PREFIX before it."""
    return os.environ.get("WARREN_NAME_PREFIX", "") + name


def connect():
    host, port = broker_address()
    params = pika.ConnectionParameters(
        host=host, port=port, credentials=pika.PlainCredentials("guest", "guest"),
        connection_attempts=1, socket_timeout=5, stack_timeout=10, blocked_connection_timeout=10)
    try:
        return pika.BlockingConnection(params)
    except pika.exceptions.AMQPConnectionError as e:
        raise TutorialFailure("cannot connect to %s port %d as guest: %r" % (host, port, e))


def check(condition, message):
    if not condition:
        raise TutorialFailure(message)


def wait_until(connections, condition, what, seconds=WAIT_SECONDS):
    """Processes I/O on every connection until condition() holds, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TutorialFailure("timed out after %d s waiting for %s" % (seconds, what))
        for connection in connections:
            connection.process_data_events(time_limit=0.05)


class Consumer:
    """A tutorial consumer on its own connection, collecting message bodies (as text) in order."""

    END = "end-of-test"

    def __init__(self, name):
        self.name = name
        self.connection = connect()
        self.channel = self.connection.channel()
        self.bodies = []
        self.queue = None

    def consume(self, queue):
        self.queue = queue
        self.channel.basic_consume(queue=queue, on_message_callback=self._on_message, auto_ack=True)

    def _on_message(self, channel, method, properties, body):
        self.bodies.append(body.decode("utf-8"))

    def messages(self):
        """The bodies received before the end marker."""
        return [b for b in self.bodies if b != self.END]

    def got_end(self):
        return self.END in self.bodies


def publish_end_markers(channel, consumers):
    """Sends each consumer's queue an end marker through the default exchange.

    Published on the same channel after the messages under test, the marker reaches each queue after
    everything routed to it before, so once every consumer has its marker, nothing else is in flight.
    """
    for consumer in consumers:
        channel.basic_publish(exchange="", routing_key=consumer.queue, body=Consumer.END)


def drain(connections, consumers):
    wait_until(connections, lambda: all(c.got_end() for c in consumers),
               "the end marker on " + ", ".join(c.name for c in consumers))


def close_all(connections):
    for connection in connections:
        if connection.is_open:
            connection.close()
