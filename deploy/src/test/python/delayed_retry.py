"""The delayed-retry pattern built on dead-lettering, as applications do it on RabbitMQ.

A work queue dead-letters what its consumer rejects to a wait queue; the wait queue's TTL dead-letters
it back to the work queue. The consumer rejects a job twice and accepts it on its third delivery,
reading the attempt number from the x-death header each time, as such consumers do. Each delivery's
whole x-death (entries newest first, their counts, exchanges and routing keys) must be RabbitMQ 3.10's.
"""
import pika

from tutorial_support import check, close_all, connect, named, run, wait_until

WORK = named("retry.work")
WAIT = named("retry.wait")
RETRY_DELAY_MS = 300


def summary(deaths):
    """x-death as (queue, reason, count, exchange, routing-keys), in the broker's order (newest first)."""
    return [(d.get("queue"), d.get("reason"), d.get("count"), d.get("exchange"), list(d.get("routing-keys") or []))
            for d in deaths or []]


def count_of(deaths, queue, reason):
    for death in deaths or []:
        if death.get("queue") == queue and death.get("reason") == reason:
            return death.get("count")
    return 0


def test():
    connection = connect()
    channel = connection.channel()
    for queue in (WORK, WAIT):
        channel.queue_delete(queue=queue)
    channel.queue_declare(queue=WORK, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": WAIT})
    channel.queue_declare(queue=WAIT, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": WORK, "x-message-ttl": RETRY_DELAY_MS})
    channel.confirm_delivery()
    channel.basic_publish(exchange="", routing_key=WORK, body=b"job-1",
                          properties=pika.BasicProperties(message_id="job-1"))

    attempts = []
    histories = []

    def on_message(ch, method, properties, body):
        deaths = (properties.headers or {}).get("x-death")
        rejected = count_of(deaths, WORK, "rejected")
        waited = count_of(deaths, WAIT, "expired")
        attempts.append((body.decode(), properties.message_id, rejected, waited))
        histories.append(summary(deaths))
        check(not method.redelivered, "a dead-lettered job came back flagged redelivered (attempt %d)" % len(attempts))
        if rejected < 2:
            ch.basic_reject(delivery_tag=method.delivery_tag, requeue=False)
        else:
            ch.basic_ack(delivery_tag=method.delivery_tag)
            first = properties.headers
            check(first.get("x-first-death-queue") == WORK and first.get("x-first-death-reason") == "rejected",
                  "x-first-death-* should name the first rejection, got %r" % first)

    channel.basic_consume(queue=WORK, on_message_callback=on_message)
    wait_until([connection], lambda: len(attempts) == 3, "three attempts of the job")
    expected = [("job-1", "job-1", 0, 0), ("job-1", "job-1", 1, 1), ("job-1", "job-1", 2, 2)]
    check(attempts == expected, "attempts (body, message-id, rejections, waits) were %r, expected %r"
          % (attempts, expected))
    # One entry per (queue, reason), counting up, the newest death first: here always the wait queue's
    # expiry. The entry keeps the exchange and routing keys the message had when it died there.
    for attempt, history in enumerate(histories):
        expected_history = [] if attempt == 0 else [
            (WAIT, "expired", attempt, "", [WAIT]), (WORK, "rejected", attempt, "", [WORK])]
        check(history == expected_history, "x-death on attempt %d was %r, expected %r"
              % (attempt + 1, history, expected_history))
    # nothing comes back after the ack
    connection.process_data_events(time_limit=RETRY_DELAY_MS / 1000.0 * 2)
    check(len(attempts) == 3, "the accepted job came back: %r" % attempts)
    for queue in (WORK, WAIT):
        channel.queue_delete(queue=queue)
    close_all([connection])


if __name__ == "__main__":
    run("delayed retry through a dead-letter wait queue", test)
