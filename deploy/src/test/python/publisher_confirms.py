"""RabbitMQ tutorial 7, "Publisher Confirms", with pika's BlockingChannel.confirm_delivery(): in confirm
mode basic_publish waits for the broker's confirm, so
  - a publish to an existing queue returns normally once the broker acks it;
  - a mandatory publish that no queue takes comes back with basic.return (312 NO_ROUTE) before the ack,
    and pika raises UnroutableError;
  - a publish to an exchange that does not exist makes the broker close the channel with 404 NOT_FOUND,
    and pika raises ChannelClosedByBroker; the connection stays open.
"""
import uuid

import pika

from tutorial_support import check, close_all, connect, run

QUEUE = "confirms_queue"
MISSING_EXCHANGE = "no-such-exchange-" + uuid.uuid4().hex


def test():
    connection = connect()
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare(queue=QUEUE)
        channel.queue_purge(queue=QUEUE)  # the script may run again on the same broker

        # 1. Routed: confirmed (basic_publish returns without raising).
        channel.basic_publish(exchange="", routing_key=QUEUE, body="confirmed", mandatory=True)
        method, _, body = channel.basic_get(queue=QUEUE, auto_ack=True)
        check(method is not None and body == b"confirmed",
              "the confirmed message should be in %s, basic_get gave %r" % (QUEUE, (method, body)))
        print("routed publish confirmed")

        # 2. Mandatory and unroutable: returned, then confirmed; pika raises UnroutableError.
        unroutable_key = "no-queue-" + uuid.uuid4().hex
        try:
            channel.basic_publish(exchange="", routing_key=unroutable_key, body="unroutable", mandatory=True)
        except pika.exceptions.UnroutableError as e:
            check(len(e.messages) == 1, "expected one returned message, got %d" % len(e.messages))
            returned = e.messages[0]
            check(returned.body == b"unroutable", "the returned body should be b'unroutable', got %r" % returned.body)
            check(returned.method.reply_code == 312 and returned.method.reply_text == "NO_ROUTE",
                  "basic.return should carry 312 NO_ROUTE, got %r %r"
                  % (returned.method.reply_code, returned.method.reply_text))
            check(returned.method.exchange == "" and returned.method.routing_key == unroutable_key,
                  "basic.return should name exchange '' and routing key %r, got %r and %r"
                  % (unroutable_key, returned.method.exchange, returned.method.routing_key))
        else:
            check(False, "a mandatory publish with the unroutable routing key %r should raise UnroutableError"
                  % unroutable_key)
        check(channel.is_open, "an unroutable mandatory publish must not close the channel")
        channel.basic_publish(exchange="", routing_key=QUEUE, body="after return")  # still usable, still confirmed
        print("unroutable mandatory publish raised UnroutableError (312 NO_ROUTE)")

        # 3. Missing exchange: channel error 404.
        try:
            channel.basic_publish(exchange=MISSING_EXCHANGE, routing_key=QUEUE, body="lost")
        except pika.exceptions.ChannelClosedByBroker as e:
            check(e.reply_code == 404, "expected reply code 404, got %r %r" % (e.reply_code, e.reply_text))
            expected_text = "NOT_FOUND - no exchange '%s' in vhost '/'" % MISSING_EXCHANGE
            check(e.reply_text == expected_text, "expected reply text %r, got %r" % (expected_text, e.reply_text))
        else:
            check(False, "a publish to the missing exchange %r should close the channel with 404" % MISSING_EXCHANGE)
        check(channel.is_closed, "the channel should be closed after the 404")
        check(connection.is_open, "a channel error must not close the connection")
        print("publish to a missing exchange closed the channel with 404 NOT_FOUND")

        # The connection is still usable.
        other = connection.channel()
        left = other.queue_declare(queue=QUEUE, passive=True).method.message_count
        check(left == 1, "%s should hold the one message published after the return, it holds %d" % (QUEUE, left))
        other.queue_delete(queue=QUEUE)
    finally:
        close_all([connection])


run("publisher confirms", test)
