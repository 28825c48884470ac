"""pika against a three-node Warren cluster, connecting with a node list as pika users of a RabbitMQ cluster do
(BlockingConnection([params, ...]) tries each node in turn). Arguments: the ports of nodes 1, 2 and 3, then a
phase:
  declare   through node 1: a durable classic queue (its home is node 1) and a quorum queue;
  use       through the list [node 3, node 2]: 30 confirmed publishes to each queue; the classic queue's messages
            taken back with basic_get and acked one by one (pika's default: not auto-ack), forwarded to node 1;
            the quorum queue's consumed with basic_consume and manual acks; both queues end empty;
  failover  the same list while node 3 is down: pika connects to node 2 and carries on with the quorum queue.
"""
import sys

import pika

from tutorial_support import TutorialFailure, check, run, wait_until

CLASSIC = "pika.cluster.classic"
QUORUM = "pika.cluster.quorum"


def params(port):
    return pika.ConnectionParameters(
        host="127.0.0.1", port=port, credentials=pika.PlainCredentials("guest", "guest"),
        connection_attempts=1, socket_timeout=5, stack_timeout=10, blocked_connection_timeout=10)


def connect(ports):
    try:
        return pika.BlockingConnection([params(p) for p in ports])
    except pika.exceptions.AMQPConnectionError as e:
        raise TutorialFailure("cannot connect to any of ports %r: %r" % (ports, e))


def declare(ports):
    connection = connect([ports[0]])
    try:
        channel = connection.channel()
        channel.queue_declare(queue=CLASSIC, durable=True)
        channel.queue_declare(queue=QUORUM, durable=True, arguments={"x-queue-type": "quorum"})
        print("declared %s and %s through node 1" % (CLASSIC, QUORUM))
    finally:
        connection.close()


def consume_all(connection, channel, queue, count):
    bodies = []

    def on_message(ch, method, properties, body):
        bodies.append(body.decode("utf-8"))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_qos(prefetch_count=10)
    tag = channel.basic_consume(queue=queue, on_message_callback=on_message)
    wait_until([connection], lambda: len(bodies) >= count, "%d messages from %s" % (count, queue), seconds=30)
    channel.basic_cancel(tag)
    return bodies


def use(ports, prefix, classic=True):
    connection = connect([ports[2], ports[1]])
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        queues = [CLASSIC, QUORUM] if classic else [QUORUM]
        for queue in queues:
            for i in range(30):
                channel.basic_publish(exchange="", routing_key=queue, body="%s-%d" % (prefix, i),
                                      properties=pika.BasicProperties(delivery_mode=2))
        print("30 confirmed publishes to each of %r" % queues)
        expected = ["%s-%d" % (prefix, i) for i in range(30)]
        if classic:
            got = []
            for _ in range(30):
                method, _, body = channel.basic_get(queue=CLASSIC)
                check(method is not None, "basic_get from %s came back empty after %d" % (CLASSIC, len(got)))
                got.append(body.decode("utf-8"))
                channel.basic_ack(delivery_tag=method.delivery_tag)
            check(got == expected, "basic_get from %s gave %r" % (CLASSIC, got))
            method, _, _ = channel.basic_get(queue=CLASSIC)
            check(method is None, "%s should be empty after 30 acked gets" % CLASSIC)
            print("the classic queue's messages got and acked through another node")
        got = consume_all(connection, channel, QUORUM, 30)
        check(got == expected, "consumed from %s: %r" % (QUORUM, got))
        ok = channel.queue_declare(queue=QUORUM, passive=True)
        check(ok.method.message_count == 0, "%s should be empty, declare-ok says %d" % (QUORUM, ok.method.message_count))
        print("the quorum queue's messages consumed and acked")
    finally:
        if connection.is_open:
            connection.close()


def test():
    ports = [int(p) for p in sys.argv[1:4]]
    phase = sys.argv[4]
    if phase == "declare":
        declare(ports)
    elif phase == "use":
        use(ports, "use")
    elif phase == "failover":
        use(ports, "failover", classic=False)
    else:
        raise TutorialFailure("unknown phase %r" % phase)


if __name__ == "__main__":
    run("cluster_node_list " + " ".join(sys.argv[4:5]), test)
