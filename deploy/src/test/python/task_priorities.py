"""Celery-style task priorities through kombu (Debian's python3-kombu), as Celery sends them.

Tasks are published with priorities into a queue declared with x-max-priority 10 while no worker runs;
a worker started afterwards gets them highest priority first, and in publish order within a priority.
"""
from tutorial_support import broker_address, check, named, run

import kombu

PRIORITIES = [3, 0, 9, 3, 10, 5, 0, 9]


def test():
    host, port = broker_address()
    url = "amqp://guest:guest@%s:%d//" % (host, port)
    exchange = kombu.Exchange(named("celery.tasks"), type="direct", durable=False)
    queue = kombu.Queue(named("celery.prio"), exchange, routing_key="celery.prio", durable=False,
                        queue_arguments={"x-max-priority": 10})
    with kombu.Connection(url, connect_timeout=5, transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        queue(channel).delete()
        producer = kombu.Producer(channel, exchange=exchange, routing_key="celery.prio")
        for i, priority in enumerate(PRIORITIES):
            producer.publish({"task": "add", "id": i}, priority=priority, declare=[queue], serializer="json")

        received = []

        def on_task(body, message):
            received.append(body["id"])
            message.ack()

        with kombu.Consumer(connection.channel(), queues=[queue], callbacks=[on_task], prefetch_count=1):
            while len(received) < len(PRIORITIES):
                connection.drain_events(timeout=10)
        expected = sorted(range(len(PRIORITIES)), key=lambda i: (-PRIORITIES[i], i))
        check(received == expected, "tasks came in order %r (priorities %r), expected %r"
              % (received, [PRIORITIES[i] for i in received], expected))
        queue(connection.channel()).delete()
        exchange(connection.channel()).delete()


if __name__ == "__main__":
    run("task priorities through kombu", test)
