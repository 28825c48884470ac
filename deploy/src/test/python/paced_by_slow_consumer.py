"""Flow control by queue depth as pika clients see it.

  paced_by_slow_consumer.py AMQP_PORT MANAGEMENT_PORT

A blocking-connection consumer subscribes (auto-ack) and then does not process events for a while, so its
socket is not read, as when an application is busy between calls into pika. A publisher on its own connection
(in a thread) publishes 40,000 messages of 1 KiB as fast as pika goes. The broker stops reading the publisher
while the queue is behind its consumer: the management API shows the publisher's connection in state "flow",
the publisher has not finished, and the queue holds a bounded number of messages instead of everything. Then
the consumer processes events again: every message arrives, the publisher finishes, and its connection runs
again.
"""
import base64
import json
import sys
import threading
import time
import urllib.request

import pika

from tutorial_support import TutorialFailure, broker_address, check, close_all, named, run

QUEUE = named("paced.q")
PUBLISHER_NAME = named("paced-publisher")
MESSAGES = 40_000
BODY = b"x" * 1024
# the flow's high mark (2,000) plus what was read before the publisher stopped and what the consumer's socket
# gave back: generously bounded, far below the 40,000 an unpaced publisher would have put there
MOST_READY_WHILE_STUCK = 20_000


def management_port():
    return int(sys.argv[2])


def api(path):
    request = urllib.request.Request("http://127.0.0.1:%d/api/%s" % (management_port(), path))
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read().decode())


def publisher_state():
    for connection in api("connections"):
        properties = connection.get("client_properties") or {}
        if properties.get("connection_name") == PUBLISHER_NAME:
            return connection.get("state")
    return None


def wait_for(condition, what, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TutorialFailure("timed out after %d s waiting for %s" % (seconds, what))
        time.sleep(0.05)


def connect(name=None):
    host, port = broker_address()
    properties = {"connection_name": name} if name else None
    return pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=port, credentials=pika.PlainCredentials("guest", "guest"), client_properties=properties,
        connection_attempts=1, socket_timeout=5, stack_timeout=10, blocked_connection_timeout=30))


def test():
    consumer = connect()
    consumer_channel = consumer.channel()
    consumer_channel.queue_delete(queue=QUEUE)
    consumer_channel.queue_declare(queue=QUEUE)
    received = [0]

    def on_message(channel, method, properties, body):
        received[0] += 1

    consumer_channel.basic_consume(queue=QUEUE, on_message_callback=on_message, auto_ack=True)
    consumer.process_data_events(time_limit=0.1)  # consume-ok; from here on nothing reads its socket

    published = threading.Event()
    failures = []

    def publish():
        try:
            publisher = connect(PUBLISHER_NAME)
            channel = publisher.channel()
            for _ in range(MESSAGES):
                channel.basic_publish(exchange="", routing_key=QUEUE, body=BODY)
            published.set()
            publisher.close()
        except Exception as e:  # reported by the main thread
            failures.append(repr(e))
            published.set()

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()

    wait_for(lambda: publisher_state() == "flow" or published.is_set(), "the publisher to be held back", 20)
    check(not failures, "the publisher failed: %s" % failures)
    check(not published.is_set(), "the publisher finished all %d messages while the consumer read nothing" % MESSAGES)
    ready = api("queues/%%2F/%s" % QUEUE).get("messages_ready", 0)
    check(ready <= MOST_READY_WHILE_STUCK, "%d messages ready while the consumer read nothing" % ready)
    print("held back with %d messages ready" % ready)

    deadline = time.monotonic() + 30
    while received[0] < MESSAGES:
        if time.monotonic() > deadline:
            raise TutorialFailure("only %d of %d messages arrived" % (received[0], MESSAGES))
        consumer.process_data_events(time_limit=0.1)
    check(published.wait(10), "the publisher did not finish")
    check(not failures, "the publisher failed: %s" % failures)
    wait_for(lambda: publisher_state() in ("running", None), "the publisher's connection to run again", 10)
    consumer_channel.queue_delete(queue=QUEUE)
    close_all([consumer])


if __name__ == "__main__":
    run("publisher paced by a slow pika consumer", test)
