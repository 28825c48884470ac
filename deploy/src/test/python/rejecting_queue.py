"""A full queue that refuses new messages: x-max-length with x-overflow reject-publish(-dlx), through pika.

With publisher confirms, pika's BlockingChannel.basic_publish raises NackError when the broker refuses a
message, which is how Python applications see a full queue. With reject-publish the refused message is
gone and the queue keeps its oldest messages; with reject-publish-dlx it is also dead-lettered, reason
maxlen. Once a consumer takes a message, the next publish is accepted again.
"""
import pika
import pika.exceptions

from tutorial_support import check, close_all, connect, named, run, wait_until

DEAD = named("rejecting.dead")
LIMIT = 2


def publish(channel, queue, body):
    """True when the broker confirmed the message, False when it nacked it."""
    try:
        channel.basic_publish(exchange="", routing_key=queue, body=body.encode(),
                              properties=pika.BasicProperties(message_id=body))
        return True
    except pika.exceptions.NackError:
        return False


def drain(channel, queue):
    bodies = []
    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            return bodies
        bodies.append((body.decode(), properties))


def message_count(channel, queue):
    return channel.queue_declare(queue=queue, passive=True).method.message_count


def scenario(connection, channel, overflow):
    queue = named("rejecting." + overflow)
    channel.queue_delete(queue=queue)
    channel.queue_declare(queue=queue, arguments={
        "x-max-length": LIMIT, "x-overflow": overflow,
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": DEAD})
    accepted = [publish(channel, queue, "%s-%d" % (overflow, i)) for i in range(LIMIT + 2)]
    check(accepted == [True] * LIMIT + [False, False],
          "%s: confirms (True) and nacks (False) for %d publishes into a queue of %d were %r"
          % (overflow, LIMIT + 2, LIMIT, accepted))
    check(message_count(channel, queue) == LIMIT, "%s: the full queue holds %d messages, expected %d"
          % (overflow, message_count(channel, queue), LIMIT))

    # room for one more after a consumer takes the head
    method, _, body = channel.basic_get(queue=queue, auto_ack=True)
    check(method is not None and body.decode() == "%s-0" % overflow,
          "%s: the head was %r, expected %s-0" % (overflow, body, overflow))
    check(publish(channel, queue, "%s-late" % overflow), "%s: a publish after a get was nacked" % overflow)
    kept = [b for b, _ in drain(channel, queue)]
    check(kept == ["%s-1" % overflow, "%s-late" % overflow], "%s: the queue kept %r" % (overflow, kept))

    if overflow == "reject-publish-dlx":
        refused = ["%s-%d" % (overflow, i) for i in (LIMIT, LIMIT + 1)]
        # reject-publish ran first into the same dead-letter queue: anything it had dead-lettered (late)
        # would come before these
        wait_until([connection], lambda: message_count(channel, DEAD) >= len(refused),
                   "the refused messages in the dead-letter queue")
        dead = drain(channel, DEAD)
        check([b for b, _ in dead] == refused, "%s: dead-lettered %r, expected %r"
              % (overflow, [b for b, _ in dead], refused))
        for body, properties in dead:
            deaths = [(d.get("queue"), d.get("reason"), d.get("count"), d.get("exchange"),
                       list(d.get("routing-keys") or []))
                      for d in (properties.headers or {}).get("x-death") or []]
            check(deaths == [(queue, "maxlen", 1, "", [queue])], "x-death of %s was %r" % (body, deaths))
            check(properties.message_id == body, "the dead %s lost its message-id: %r" % (body, properties.message_id))
    else:
        # refused, not dead-lettered (the reject-publish-dlx run after this one checks nothing arrived late)
        check(message_count(channel, DEAD) == 0, "%s: %d refused messages were dead-lettered"
              % (overflow, message_count(channel, DEAD)))
    channel.queue_delete(queue=queue)


def test():
    connection = connect()
    channel = connection.channel()
    channel.queue_delete(queue=DEAD)
    channel.queue_declare(queue=DEAD)
    channel.confirm_delivery()
    for overflow in ("reject-publish", "reject-publish-dlx"):
        scenario(connection, channel, overflow)
    channel.queue_delete(queue=DEAD)
    close_all([connection])


if __name__ == "__main__":
    run("a full queue refusing publishes (reject-publish, reject-publish-dlx)", test)
