"""A bounded queue: x-max-length with the default overflow (drop-head), the dropped heads dead-lettered.

Twenty messages are published with publisher confirms into a queue that holds five; the queue keeps
the newest five, and the fifteen oldest arrive in the dead-letter queue, in order, with reason maxlen.
"""
from tutorial_support import check, close_all, connect, named, run, wait_until

BOUNDED = named("bounded.q")
DEAD = named("bounded.dead")
LIMIT = 5
PUBLISHED = 20


def bodies_of(channel, queue):
    bodies = []
    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            return bodies
        bodies.append((body.decode(), properties))


def test():
    connection = connect()
    channel = connection.channel()
    for queue in (BOUNDED, DEAD):
        channel.queue_delete(queue=queue)
    channel.queue_declare(queue=DEAD)
    channel.queue_declare(queue=BOUNDED, arguments={
        "x-max-length": LIMIT, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": DEAD})
    channel.confirm_delivery()
    for i in range(PUBLISHED):
        channel.basic_publish(exchange="", routing_key=BOUNDED, body=("m%d" % i).encode())

    def dead_count():
        return channel.queue_declare(queue=DEAD, passive=True).method.message_count

    wait_until([connection], lambda: dead_count() == PUBLISHED - LIMIT, "the dropped heads to be dead-lettered")
    kept = [b for b, _ in bodies_of(channel, BOUNDED)]
    check(kept == ["m%d" % i for i in range(PUBLISHED - LIMIT, PUBLISHED)], "the queue kept %r" % kept)
    dead = bodies_of(channel, DEAD)
    check([b for b, _ in dead] == ["m%d" % i for i in range(PUBLISHED - LIMIT)],
          "dead-lettered %r" % [b for b, _ in dead])
    for body, properties in dead:
        headers = properties.headers or {}
        deaths = [(d.get("queue"), d.get("reason"), d.get("count"), d.get("exchange"), list(d.get("routing-keys") or []))
                  for d in headers.get("x-death") or []]
        check(deaths == [(BOUNDED, "maxlen", 1, "", [BOUNDED])], "x-death of %s was %r" % (body, deaths))
        first = (headers.get("x-first-death-queue"), headers.get("x-first-death-reason"))
        check(first == (BOUNDED, "maxlen"), "x-first-death queue/reason of %s were %r" % (body, first))
    for queue in (BOUNDED, DEAD):
        channel.queue_delete(queue=queue)
    close_all([connection])


if __name__ == "__main__":
    run("bounded queue with drop-head", test)
