"""TTL values as RabbitMQ 3.10 takes them: the `expiration` property's grammar and a ten-year limit.

`expiration` is a string of decimal ASCII digits (a leading '+' and leading zeros allowed); anything
else closes the channel with 406 PRECONDITION_FAILED in RabbitMQ's words (no_integer, {leftover_string,..},
{value_negative,..}). The largest TTL is ten years (315,360,000,000 ms), for x-message-ttl, x-expires
and `expiration` alike: one millisecond more is refused with {value_too_large,N}, on queue.declare for
the arguments and on basic.publish for the property. Applications that compute "never" as a huge TTL
meet this limit.
"""
import pika
import pika.exceptions

from tutorial_support import check, close_all, connect, named, run

QUEUE = named("ttl-values")
LIMIT_MS = 315360000000
# expiration -> None when accepted, else the end of the 406 text after "invalid expiration '<value>': "
EXPIRATIONS = [
    ("0", None), ("00", None), ("+5", None), ("250", None),
    ("abc", "no_integer"), ("", "no_integer"), (" 5", "no_integer"), ("\u0663", "no_integer"),  # Arabic-Indic 3
    ("-1", "{value_negative,-1}"), ("1.5", '{leftover_string,".5"}'), ("5 ", '{leftover_string," "}'),
    ("0x10", '{leftover_string,"x10"}'), ("1e3", '{leftover_string,"e3"}'),
]


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
    problems = []  # every difference is reported, not only the first

    def expect(condition, message):
        if not condition:
            problems.append(message)

    connection = connect()
    for argument in ("x-message-ttl", "x-expires"):
        outcome = declare_outcome(connection, {argument: LIMIT_MS})
        expect(outcome == "ok", "%s of %d ms (ten years) was refused: %s" % (argument, LIMIT_MS, outcome))
        outcome = declare_outcome(connection, {argument: LIMIT_MS + 1})
        expected = ("406 PRECONDITION_FAILED - invalid arg '%s' for queue '%s' in vhost '/': {value_too_large,%d}"
                    % (argument, QUEUE, LIMIT_MS + 1))
        expect(outcome == expected, "%s of %d ms: %s; expected %s" % (argument, LIMIT_MS + 1, outcome, expected))

    channel = connection.channel()
    channel.queue_delete(queue=QUEUE)
    channel.queue_declare(queue=QUEUE)
    for expiration, error in EXPIRATIONS:
        outcome = publish_outcome(connection, expiration)
        expected = "ok" if error is None else (
            "406 PRECONDITION_FAILED - invalid expiration '%s': %s" % (expiration, error))
        expect(outcome == expected, "expiration %r: %s; expected %s" % (expiration, outcome, expected))
    channel.queue_purge(queue=QUEUE)
    outcome = publish_outcome(connection, str(LIMIT_MS))
    expect(outcome == "ok", "expiration %d was refused: %s" % (LIMIT_MS, outcome))
    outcome = publish_outcome(connection, str(LIMIT_MS + 1))
    expected = "406 PRECONDITION_FAILED - invalid expiration '%d': {value_too_large,%d}" % (LIMIT_MS + 1, LIMIT_MS + 1)
    expect(outcome == expected, "expiration %d: %s; expected %s" % (LIMIT_MS + 1, outcome, expected))
    count = channel.queue_declare(queue=QUEUE, passive=True).method.message_count
    expect(count == 1, "the queue holds %d messages, expected only the one within the limit" % count)
    channel.queue_delete(queue=QUEUE)
    close_all([connection])
    check(not problems, "%d difference(s) from RabbitMQ:\n  %s" % (len(problems), "\n  ".join(problems)))


if __name__ == "__main__":
    run("TTL values: the expiration grammar and the ten-year limit", test)
