"""RabbitMQ tutorial 6, "RPC": a server consumes requests from 'rpc_queue', computes fib(n) and publishes
the answer to the request's reply_to queue with the request's correlation_id; the client sends requests
with reply_to set to its server-named exclusive callback queue and waits for the reply whose
correlation_id matches.
"""
import threading
import time
import uuid

import pika

from tutorial_support import (SCRIPT_DEADLINE_SECONDS, WAIT_SECONDS, TutorialFailure, check, close_all, connect,
                              run)

QUEUE = "rpc_queue"
EXPECTED = {0: 0, 1: 1, 2: 1, 10: 55, 20: 6765, 30: 832040}


def fib(n):
    # The tutorial's recursive fib(30) takes over a second in CPython; this computes the same numbers.
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


class RpcServer(threading.Thread):
    """The tutorial's rpc_server.py in a thread, with its own BlockingConnection."""

    def __init__(self):
        super().__init__(name="rpc server", daemon=True)
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error = None
        self.requests = []  # (body, reply_to, correlation_id) in arrival order

    def run(self):
        connection = None
        try:
            connection = connect()
            channel = connection.channel()
            channel.queue_declare(queue=QUEUE)
            channel.queue_purge(queue=QUEUE)  # the script may run again on the same broker
            channel.basic_qos(prefetch_count=1)
            channel.basic_consume(queue=QUEUE, on_message_callback=self._on_request)
            self.ready.set()
            deadline = time.monotonic() + SCRIPT_DEADLINE_SECONDS
            while not self.stop.is_set():
                if time.monotonic() > deadline:
                    raise TutorialFailure("the rpc server was never told to stop")
                connection.process_data_events(time_limit=0.05)
            channel.queue_delete(queue=QUEUE)
        except BaseException as e:  # reported by the main thread
            self.error = e
        finally:
            try:
                if connection is not None and connection.is_open:
                    connection.close()
            except BaseException as e:
                self.error = self.error or e
            self.ready.set()

    def _on_request(self, channel, method, props, body):
        self.requests.append((body, props.reply_to, props.correlation_id))
        n = int(body)
        channel.basic_publish(exchange="", routing_key=props.reply_to,
                              properties=pika.BasicProperties(correlation_id=props.correlation_id),
                              body=str(fib(n)))
        channel.basic_ack(delivery_tag=method.delivery_tag)


class FibonacciRpcClient:
    """The tutorial's rpc_client.py, with a deadline on every wait for a reply."""

    def __init__(self, server):
        self.server = server
        self.connection = connect()
        self.channel = self.connection.channel()
        result = self.channel.queue_declare(queue="", exclusive=True)
        self.callback_queue = result.method.queue
        check(self.callback_queue.startswith("amq.gen-"),
              "the callback queue should get a server-generated 'amq.gen-' name, got %r" % self.callback_queue)
        self.channel.basic_consume(queue=self.callback_queue, on_message_callback=self._on_response, auto_ack=True)
        self.responses = {}  # correlation_id -> [body, ...]

    def _on_response(self, channel, method, props, body):
        self.responses.setdefault(props.correlation_id, []).append(body)

    def send(self, n):
        correlation_id = str(uuid.uuid4())
        self.channel.basic_publish(exchange="", routing_key=QUEUE,
                                   properties=pika.BasicProperties(reply_to=self.callback_queue,
                                                                   correlation_id=correlation_id),
                                   body=str(n))
        return correlation_id

    def wait_for(self, correlation_ids, what):
        deadline = time.monotonic() + WAIT_SECONDS
        while not all(c in self.responses for c in correlation_ids):
            if self.server.error is not None:
                raise TutorialFailure("the rpc server failed: %r" % self.server.error)
            if time.monotonic() > deadline:
                raise TutorialFailure("timed out after %d s waiting for the reply to %s; the server got %r, the client "
                                      "got replies %r" % (WAIT_SECONDS, what, self.server.requests, self.responses))
            self.connection.process_data_events(time_limit=0.1)

    def reply(self, correlation_id, n):
        bodies = self.responses[correlation_id]
        check(len(bodies) == 1, "fib(%d): expected one reply, got %r" % (n, bodies))
        try:
            return int(bodies[0])
        except ValueError:
            raise TutorialFailure("fib(%d): the reply %r is not a number" % (n, bodies[0]))

    def call(self, n):
        correlation_id = self.send(n)
        self.wait_for([correlation_id], "fib(%d)" % n)
        return self.reply(correlation_id, n)


def test():
    server = RpcServer()
    client = None
    try:
        server.start()
        check(server.ready.wait(WAIT_SECONDS), "the rpc server did not start consuming within %d s" % WAIT_SECONDS)
        if server.error is not None:
            raise TutorialFailure("the rpc server failed: %r" % server.error)
        client = FibonacciRpcClient(server)

        # One request at a time, as the tutorial's client does.
        for n, expected in EXPECTED.items():
            answer = client.call(n)
            print(" [.] fib(%d) = %d" % (n, answer))
            check(answer == expected, "fib(%d) should be %d, the rpc server answered %d" % (n, expected, answer))

        # Several requests in flight at once: each reply must be matched by its correlation_id.
        batch = list(range(25, 15, -1))
        correlation_ids = [client.send(n) for n in batch]
        client.wait_for(correlation_ids, "fib(n) for n in %r" % batch)
        for n, correlation_id in zip(batch, correlation_ids):
            answer = client.reply(correlation_id, n)
            check(answer == fib(n), "fib(%d) should be %d, the rpc server answered %d" % (n, fib(n), answer))
        print(" [.] %d concurrent requests each answered under their own correlation_id" % len(batch))

        sent = len(EXPECTED) + len(batch)
        check(len(client.responses) == sent,
              "expected replies to exactly the %d requests sent, got replies under %d correlation ids: %r"
              % (sent, len(client.responses), sorted(client.responses)))
        reply_tos = {reply_to for _, reply_to, _ in server.requests}
        check(reply_tos == {client.callback_queue},
              "every request should carry reply_to=%r, the server saw %r" % (client.callback_queue, reply_tos))
    finally:
        server.stop.set()
        if server.ident is not None:
            server.join(WAIT_SECONDS)
        if client is not None:
            close_all([client.connection])
    if server.error is not None:
        raise TutorialFailure("the rpc server failed: %r" % server.error)
    check(not server.is_alive(), "the rpc server did not close its connection within %d s" % WAIT_SECONDS)


if __name__ == "__main__":
    run("rpc", test)
