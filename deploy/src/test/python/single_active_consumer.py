"""Single active consumer failover, as applications keep order with it: two workers consume from a queue
declared with x-single-active-consumer; only the first receives; when its connection closes (with two
messages unacked), the second takes over and gets those two first, redelivered, then the rest, in order.
"""
from tutorial_support import check, close_all, connect, named, run, wait_until

QUEUE = named("sac.orders")


class Worker:
    def __init__(self):
        self.connection = connect()
        self.channel = self.connection.channel()
        self.channel.basic_qos(prefetch_count=10)
        self.received = []  # (body, redelivered)
        self.channel.basic_consume(queue=QUEUE, on_message_callback=self._on_message)

    def _on_message(self, channel, method, properties, body):
        self.received.append((body.decode(), method.redelivered))
        if not body.decode().endswith("-hold"):
            channel.basic_ack(delivery_tag=method.delivery_tag)


def test():
    setup = connect()
    channel = setup.channel()
    channel.queue_delete(queue=QUEUE)
    channel.queue_declare(queue=QUEUE, arguments={"x-single-active-consumer": True})
    channel.confirm_delivery()
    first, second = Worker(), Worker()
    for body in ["o1", "o2-hold", "o3-hold"]:
        channel.basic_publish(exchange="", routing_key=QUEUE, body=body.encode())
    connections = [first.connection, second.connection]
    wait_until(connections, lambda: len(first.received) == 3, "the active worker to get the first three")
    check(second.received == [], "the standby worker got %r while the first was active" % second.received)

    close_all([first.connection])
    for body in ["o4", "o5"]:
        channel.basic_publish(exchange="", routing_key=QUEUE, body=body.encode())
    wait_until([second.connection], lambda: len(second.received) == 4, "the standby worker to take over")
    expected = [("o2-hold", True), ("o3-hold", True), ("o4", False), ("o5", False)]
    check(second.received == expected, "after failover the second worker got %r, expected %r" % (second.received, expected))
    channel.queue_delete(queue=QUEUE)
    close_all([second.connection, setup])


if __name__ == "__main__":
    run("single active consumer failover", test)
