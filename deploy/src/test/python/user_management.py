"""The seeds' user-management flow seen from a pika client (the broker side is driven by warrenctl):

  warrenctl add_user alex 123
  warrenctl set_user_tags alex administrator
  warrenctl set_permissions -p / alex ".*" ".*" ".*"

then, in phases:
  user_management.py PORT publish_consume   alex (PlainCredentials("alex", "123")) declares a queue,
                                            publishes with confirms and consumes the messages back
  user_management.py PORT wrong_password    alex with a wrong password is refused: 403 ACCESS_REFUSED
  user_management.py PORT held_open         alex connects, prints "connected" and waits; after
                                            `warrenctl delete_user alex` the broker closes the connection
                                            with 320 CONNECTION_FORCED, which the script checks
"""
import os
import sys
import time

import pika

from tutorial_support import TutorialFailure, check, run

QUEUE = "alex_tasks"
MESSAGES = 5


def parameters(password):
    port = int(sys.argv[1])
    host = os.environ.get("WARREN_AMQP_HOST", "127.0.0.1")
    return pika.ConnectionParameters(
        host=host, port=port, credentials=pika.PlainCredentials("alex", password),
        connection_attempts=1, socket_timeout=5, stack_timeout=10)


def publish_consume():
    connection = pika.BlockingConnection(parameters("123"))
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, durable=True)
    channel.confirm_delivery()
    for n in range(MESSAGES):
        channel.basic_publish(exchange="", routing_key=QUEUE, body="task %d" % n,
                              properties=pika.BasicProperties(delivery_mode=2))
    received = []
    deadline = time.monotonic() + 10
    while len(received) < MESSAGES:
        check(time.monotonic() < deadline, "only %d of %d messages came back" % (len(received), MESSAGES))
        method, _, body = channel.basic_get(queue=QUEUE, auto_ack=False)
        if method is None:
            connection.process_data_events(time_limit=0.05)
            continue
        received.append(body.decode())
        channel.basic_ack(method.delivery_tag)
    check(received == ["task %d" % n for n in range(MESSAGES)], "messages out of order: %r" % received)
    channel.queue_delete(queue=QUEUE)
    connection.close()


def wrong_password():
    try:
        pika.BlockingConnection(parameters("wrong"))
    except pika.exceptions.ProbableAuthenticationError as e:
        check("403" in str(e) or "ACCESS_REFUSED" in str(e), "refused, but not with 403: %r" % e)
        return
    except pika.exceptions.AMQPConnectionError as e:
        check("403" in str(e) or "ACCESS_REFUSED" in str(e), "refused, but not with 403: %r" % e)
        return
    raise TutorialFailure("a wrong password was accepted")


def held_open():
    connection = pika.BlockingConnection(parameters("123"))
    print("connected", flush=True)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.1)
    except pika.exceptions.ConnectionClosedByBroker as e:
        check(e.reply_code == 320, "closed with %d %s, expected 320" % (e.reply_code, e.reply_text))
        print("closed by the broker: %d %s" % (e.reply_code, e.reply_text), flush=True)
        return
    raise TutorialFailure("the connection was still open 30 s later")


PHASES = {"publish_consume": publish_consume, "wrong_password": wrong_password, "held_open": held_open}

if __name__ == "__main__":
    phase = sys.argv[2] if len(sys.argv) > 2 else ""
    if phase not in PHASES:
        print("usage: user_management.py PORT %s" % "|".join(PHASES), file=sys.stderr)
        sys.exit(64)
    run("user management: " + phase, PHASES[phase])
