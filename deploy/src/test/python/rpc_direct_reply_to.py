"""The RPC tutorial's client rewritten with direct reply-to: instead of declaring a callback queue it
consumes (auto-ack) from the pseudo-queue 'amq.rabbitmq.reply-to' and sends its requests with that
reply_to; the broker hands the server a reply name that leads straight back to this channel.
"""
from rpc import EXPECTED, FibonacciRpcClient, RpcServer, fib
from tutorial_support import WAIT_SECONDS, TutorialFailure, check, close_all, connect, run

REPLY_TO = "amq.rabbitmq.reply-to"


class DirectReplyToClient(FibonacciRpcClient):
    def __init__(self, server):  # no callback queue: the pseudo-queue instead
        self.server = server
        self.connection = connect()
        self.channel = self.connection.channel()
        self.callback_queue = REPLY_TO
        self.channel.basic_consume(queue=REPLY_TO, on_message_callback=self._on_response, auto_ack=True)
        self.responses = {}


def test():
    server = RpcServer()
    client = None
    try:
        server.start()
        check(server.ready.wait(WAIT_SECONDS), "the rpc server did not start consuming within %d s" % WAIT_SECONDS)
        client = DirectReplyToClient(server)
        for n, expected in EXPECTED.items():
            answer = client.call(n)
            check(answer == expected, "fib(%d) should be %d, got %d" % (n, expected, answer))
        reply_names = {reply_to for _, reply_to, _ in server.requests}
        check(len(reply_names) == 1 and next(iter(reply_names)).startswith(REPLY_TO + "."),
              "the server should see one rewritten reply name, saw %r" % reply_names)
        batch = list(range(25, 15, -1))
        correlation_ids = [client.send(n) for n in batch]
        client.wait_for(correlation_ids, "fib(n) for n in %r" % batch)
        for correlation_id, n in zip(correlation_ids, batch):
            check(client.reply(correlation_id, n) == fib(n), "fib(%d) answered under another correlation_id" % n)
    finally:
        server.stop.set()
        server.join(WAIT_SECONDS)
        if client is not None:
            close_all([client.connection])
    if server.error is not None:
        raise TutorialFailure("the rpc server failed: %r" % server.error)


if __name__ == "__main__":
    run("RPC with direct reply-to", test)
