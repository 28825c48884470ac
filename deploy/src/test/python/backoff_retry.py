"""Exponential back-off with per-message TTL: the consumer republishes a failed job into a wait queue.

Many Python workers retry this way instead of rejecting: they ack the job and publish it again, with
the headers it came with, into a wait queue that has no TTL of its own but dead-letters back to the
work queue; each attempt's `expiration` doubles (200, 400, 800 ms). The broker takes the x-death the
client sent back as the message's history: the (wait queue, expired) entry counts up, keeps the
original-expiration of its first death, and the expiration property is gone from what comes back.
RabbitMQ 3.10 does exactly this.
"""
import pika

from tutorial_support import check, close_all, connect, named, run, wait_until

WORK = named("backoff.work")
WAIT = named("backoff.wait")
ATTEMPTS = 4
FIRST_DELAY_MS = 200


def test():
    connection = connect()
    channel = connection.channel()
    for queue in (WORK, WAIT):
        channel.queue_delete(queue=queue)
    channel.queue_declare(queue=WORK)
    channel.queue_declare(queue=WAIT, arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": WORK})
    channel.confirm_delivery()
    channel.basic_publish(exchange="", routing_key=WORK, body=b"job-1",
                          properties=pika.BasicProperties(message_id="job-1", headers={"tenant": "t1"}))

    seen = []

    def on_message(ch, method, properties, body):
        headers = properties.headers or {}
        deaths = [(d.get("queue"), d.get("reason"), d.get("count"), d.get("exchange"),
                   list(d.get("routing-keys") or []), d.get("original-expiration"))
                  for d in headers.get("x-death") or []]
        seen.append((body.decode(), properties.message_id, headers.get("tenant"), properties.expiration, deaths,
                     headers.get("x-first-death-queue"), headers.get("x-first-death-reason")))
        if len(seen) < ATTEMPTS:
            delay = FIRST_DELAY_MS * 2 ** (len(seen) - 1)
            ch.basic_publish(exchange="", routing_key=WAIT, body=body, properties=pika.BasicProperties(
                message_id=properties.message_id, headers=properties.headers, expiration=str(delay)))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_consume(queue=WORK, on_message_callback=on_message)
    # 200 + 400 + 800 ms of waiting
    wait_until([connection], lambda: len(seen) == ATTEMPTS, "%d attempts of the job" % ATTEMPTS)
    for attempt, (body, message_id, tenant, expiration, deaths, first_queue, first_reason) in enumerate(seen):
        where = "attempt %d" % (attempt + 1)
        check((body, message_id, tenant) == ("job-1", "job-1", "t1"),
              "%s: body, message-id and the application's header were %r" % (where, (body, message_id, tenant)))
        check(expiration is None, "%s: the dead-lettered job still has expiration %r" % (where, expiration))
        expected = [] if attempt == 0 else [(WAIT, "expired", attempt, "", [WAIT], str(FIRST_DELAY_MS))]
        check(deaths == expected, "%s: x-death (queue, reason, count, exchange, routing-keys, original-expiration)"
              " was %r, expected %r" % (where, deaths, expected))
        if attempt > 0:
            check((first_queue, first_reason) == (WAIT, "expired"),
                  "%s: x-first-death queue/reason were %r" % (where, (first_queue, first_reason)))
    for queue in (WORK, WAIT):
        channel.queue_delete(queue=queue)
    close_all([connection])


if __name__ == "__main__":
    run("exponential back-off through a per-message TTL wait queue", test)
