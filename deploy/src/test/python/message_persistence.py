"""Message persistence (消息持久化), as in RabbitMQ tutorial 2: a queue declared durable=True and messages
published with delivery_mode=2 (persistent) survive a broker restart; a non-durable queue and transient
messages (delivery_mode=1) do not.

Run in phases, the broker restarted (on the same data directory) between them:
  message_persistence.py PORT publish   declares the durable queue and a non-durable one, publishes with
                                        confirms TASKS persistent messages to the durable queue, a transient
                                        one after every third, and a persistent one to the non-durable queue
  message_persistence.py PORT consume   the durable queue is still there with exactly the persistent
                                        messages, which a worker gets in publish order, intact and not
                                        flagged redelivered, and acks; the non-durable queue is gone
  message_persistence.py PORT consumed  after a further restart: the durable queue is still there and
                                        empty, the acked messages did not come back
"""
import sys

import pika

from tutorial_support import TutorialFailure, check, close_all, connect, run, wait_until

DURABLE_QUEUE = "durable_task_queue"
NON_DURABLE_QUEUE = "non_durable_task_queue"
TASKS = 30
TRANSIENT_EVERY = 3
PERSISTENT = 2  # pika.spec.PERSISTENT_DELIVERY_MODE (pika 1.2 has no pika.DeliveryMode)
TRANSIENT = 1  # pika.spec.TRANSIENT_DELIVERY_MODE


def task(n):
    return "task %d" % n


def persistent_properties(n):
    return pika.BasicProperties(delivery_mode=PERSISTENT, content_type="text/plain", headers={"task": n})


def queue_message_count(connection, queue):
    """The queue's ready message count from a passive declare, or None when the queue does not exist."""
    channel = connection.channel()
    try:
        count = channel.queue_declare(queue=queue, passive=True).method.message_count
    except pika.exceptions.ChannelClosedByBroker as e:
        expected = "NOT_FOUND - no queue '%s' in vhost '/'" % queue
        check(e.reply_code == 404 and e.reply_text == expected,
              "a passive declare of a missing queue should close the channel with 404 %r, got %r %r"
              % (expected, e.reply_code, e.reply_text))
        return None
    channel.close()
    return count


def publish():
    connection = connect()
    try:
        channel = connection.channel()
        channel.confirm_delivery()  # basic_publish returns once the broker has confirmed the message
        channel.queue_declare(queue=DURABLE_QUEUE, durable=True)
        channel.queue_declare(queue=NON_DURABLE_QUEUE, durable=False)
        transient = 0
        for n in range(1, TASKS + 1):
            channel.basic_publish(exchange="", routing_key=DURABLE_QUEUE, body=task(n),
                                  properties=persistent_properties(n), mandatory=True)
            if n % TRANSIENT_EVERY == 0:
                channel.basic_publish(exchange="", routing_key=DURABLE_QUEUE, body="transient %d" % n,
                                      properties=pika.BasicProperties(delivery_mode=TRANSIENT), mandatory=True)
                transient += 1
        channel.basic_publish(exchange="", routing_key=NON_DURABLE_QUEUE, body="persistent, in a non-durable queue",
                              properties=persistent_properties(0), mandatory=True)

        # Both kinds are really queued now, so their absence after the restart means they were not kept.
        count = queue_message_count(connection, DURABLE_QUEUE)
        check(count == TASKS + transient, "%s should hold %d persistent and %d transient messages before the "
              "restart, it holds %r" % (DURABLE_QUEUE, TASKS, transient, count))
        count = queue_message_count(connection, NON_DURABLE_QUEUE)
        check(count == 1, "%s should hold 1 message before the restart, it holds %r" % (NON_DURABLE_QUEUE, count))
        print("published and confirmed %d persistent and %d transient messages to %s, 1 to %s"
              % (TASKS, transient, DURABLE_QUEUE, NON_DURABLE_QUEUE))
    finally:
        close_all([connection])


def consume():
    connection = connect()
    try:
        # Checked before anything declares the queue again: it must have survived on its own.
        count = queue_message_count(connection, DURABLE_QUEUE)
        check(count is not None, "the durable queue %s did not survive the restart" % DURABLE_QUEUE)
        check(count == TASKS, "%s should hold exactly the %d persistent messages after the restart (the transient "
              "ones gone), it holds %d" % (DURABLE_QUEUE, TASKS, count))

        channel = connection.channel()
        channel.queue_declare(queue=DURABLE_QUEUE, durable=True)  # the worker declares it as the producer did
        channel.basic_qos(prefetch_count=1)
        received = []

        def on_message(ch, method, properties, body):
            received.append((body.decode("utf-8"), method.redelivered, properties.delivery_mode,
                             properties.content_type, properties.headers))
            ch.basic_ack(delivery_tag=method.delivery_tag)

        tag = channel.basic_consume(queue=DURABLE_QUEUE, on_message_callback=on_message)  # manual acks
        try:
            wait_until([connection], lambda: len(received) >= TASKS, "%d messages from %s" % (TASKS, DURABLE_QUEUE))
        except TutorialFailure as e:
            raise TutorialFailure("%s; got %d: %r" % (e, len(received), [r[:2] for r in received]))
        channel.basic_cancel(tag)

        bodies = [r[0] for r in received]
        check(bodies == [task(n) for n in range(1, TASKS + 1)],
              "expected the %d persistent messages in publish order, got %r" % (TASKS, bodies))
        for n, (body, redelivered, delivery_mode, content_type, headers) in enumerate(received, start=1):
            check(not redelivered, "%r was never delivered before the restart, yet came flagged redelivered" % body)
            check(delivery_mode == PERSISTENT, "%r should keep delivery_mode 2, it has %r" % (body, delivery_mode))
            check(content_type == "text/plain" and headers == {"task": n},
                  "%r should keep content_type 'text/plain' and headers {'task': %d}, it has %r and %r"
                  % (body, n, content_type, headers))
        channel.close()  # would requeue anything whose ack had not been processed

        count = queue_message_count(connection, DURABLE_QUEUE)
        check(count == 0, "%s should be empty once its messages are acked, it holds %r" % (DURABLE_QUEUE, count))
        count = queue_message_count(connection, NON_DURABLE_QUEUE)
        check(count is None, "the non-durable queue %s should be gone after the restart, it is there with %r "
              "messages" % (NON_DURABLE_QUEUE, count))
        print("after the restart: %d persistent messages in order, transient ones and %s gone"
              % (TASKS, NON_DURABLE_QUEUE))
    finally:
        close_all([connection])


def consumed():
    connection = connect()
    try:
        count = queue_message_count(connection, DURABLE_QUEUE)
        check(count is not None, "the durable queue %s did not survive the second restart" % DURABLE_QUEUE)
        check(count == 0, "the %d messages acked before the restart should not come back, %s holds %d"
              % (TASKS, DURABLE_QUEUE, count))
        print("after the second restart: %s is there and empty" % DURABLE_QUEUE)
    finally:
        close_all([connection])


PHASES = {"publish": publish, "consume": consume, "consumed": consumed}

if len(sys.argv) != 3 or sys.argv[2] not in PHASES:
    print("usage: message_persistence.py PORT %s" % "|".join(PHASES), file=sys.stderr)
    sys.exit(2)
run("message persistence, phase " + sys.argv[2], PHASES[sys.argv[2]])
