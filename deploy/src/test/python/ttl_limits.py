"""The largest TTLs RabbitMQ takes: ten years (315,360,000,000 ms), for x-message-ttl, x-expires and the
`expiration` property alike.

A value up to the limit is accepted; one millisecond more is refused with 406 PRECONDITION_FAILED and
RabbitMQ 3.10's words ({value_too_large,N}): on queue.declare for the arguments, on basic.publish (the
channel closes) for the property. Applications that compute "never" as a huge TTL meet this limit.
"""
import pika
import pika.exceptions

from tutorial_support import check, close_all, connect, named, run

QUEUE = named("ttl-limits")
LIMIT_MS = 315360000000


def declare_outcome(connection, arguments):
    """'ok', or the reply code and text the channel was closed with."""
    channel = connection.channel()
    try:
        channel.queue_declare(queue=QUEUE, arguments=arguments)
        channel.queue_delete(queue=QUEUE)
        channel.close()
        return "ok"
    except pika.exceptions.ChannelClosedByBroker as e:
        return "%d %s" % (e.reply_code, e.reply_text)


def publish_outcome(connection, expiration):
    channel = connection.channel()
    channel.confirm_delivery()
    try:
        channel.basic_publish(exchange="", routing_key=QUEUE, body=b"x",
                              properties=pika.BasicProperties(expiration=expiration))
        channel.close()
        return "ok"
    except pika.exceptions.ChannelClosedByBroker as e:
        return "%d %s" % (e.reply_code, e.reply_text)


def test():
    connection = connect()
    for argument in ("x-message-ttl", "x-expires"):
        outcome = declare_outcome(connection, {argument: LIMIT_MS})
        check(outcome == "ok", "%s of %d ms (ten years) was refused: %s" % (argument, LIMIT_MS, outcome))
        outcome = declare_outcome(connection, {argument: LIMIT_MS + 1})
        expected = ("406 PRECONDITION_FAILED - invalid arg '%s' for queue '%s' in vhost '/': {value_too_large,%d}"
                    % (argument, QUEUE, LIMIT_MS + 1))
        check(outcome == expected, "%s of %d ms: %s; expected %s" % (argument, LIMIT_MS + 1, outcome, expected))

    channel = connection.channel()
    channel.queue_delete(queue=QUEUE)
    channel.queue_declare(queue=QUEUE)
    outcome = publish_outcome(connection, str(LIMIT_MS))
    check(outcome == "ok", "expiration %d was refused: %s" % (LIMIT_MS, outcome))
    outcome = publish_outcome(connection, str(LIMIT_MS + 1))
    expected = "406 PRECONDITION_FAILED - invalid expiration '%d': {value_too_large,%d}" % (LIMIT_MS + 1, LIMIT_MS + 1)
    check(outcome == expected, "expiration %d: %s; expected %s" % (LIMIT_MS + 1, outcome, expected))
    count = channel.queue_declare(queue=QUEUE, passive=True).method.message_count
    check(count == 1, "the queue holds %d messages, expected only the one within the limit" % count)
    channel.queue_delete(queue=QUEUE)
    close_all([connection])


if __name__ == "__main__":
    run("TTL limits (ten years)", test)
