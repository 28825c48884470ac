"""pika over TLS, as RabbitMQ's TLS guide shows it: an ssl.SSLContext that trusts the CA (and checks the
host name), pika.SSLOptions(context, server_hostname='localhost'), then a publish/consume round trip.

    tls_round_trip.py PORT --cafile CA.pem [--certfile CLIENT.pem --keyfile CLIENT-key.pem]
                      [--external [--forbidden-queue NAME]] [--server-hostname NAME] [--expect-refused]

PORT is the broker's AMQPS port (host: $WARREN_AMQP_HOST, default 127.0.0.1). With --certfile/--keyfile the
client presents that certificate (mutual TLS). --external logs in with SASL EXTERNAL (the certificate is the
credential) instead of guest/guest; --forbidden-queue then declares a queue the certificate's user may not
configure and expects 403 ACCESS_REFUSED, which guest would not get: the broker took the user from the
certificate. The round trip publishes messages of several sizes (one larger than frame_max, so spread over
several frames and many TLS records) with publisher confirms and consumes them with manual acks, in order.

--expect-refused turns it around: the connection must fail (TLS handshake refused by either side, e.g. the
server requires a client certificate, or the server's certificate does not name --server-hostname), and
the script says why.

Prints "OK pika-tls ..." with the negotiated protocol and cipher and exits 0; exits 1 with a message on
stderr otherwise. Every wait has a deadline (see tutorial_support).
"""
import argparse
import os
import ssl
import sys
import uuid

import pika

from tutorial_support import TutorialFailure, check, run, wait_until

SIZES = [0, 1, 16, 1024, 16 * 1024 + 1, 300 * 1024]  # 300 KiB > frame_max (128 KiB): several body frames


def parse_args():
    parser = argparse.ArgumentParser(description="pika publish/consume round trip over TLS")
    parser.add_argument("port", type=int)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    parser.add_argument("--external", action="store_true", help="SASL EXTERNAL instead of guest/guest")
    parser.add_argument("--forbidden-queue")
    parser.add_argument("--server-hostname", default="localhost")
    parser.add_argument("--expect-refused", action="store_true")
    parser.add_argument("--messages", type=int, default=30)
    args = parser.parse_args()
    if bool(args.certfile) != bool(args.keyfile):
        parser.error("--certfile and --keyfile go together")
    if args.external and not args.certfile:
        parser.error("--external needs a client certificate")
    return args


def tls_context(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    context.load_verify_locations(cafile=args.cafile)
    if args.certfile:
        context.load_cert_chain(certfile=args.certfile, keyfile=args.keyfile)
    return context


def parameters(args):
    host = os.environ.get("WARREN_AMQP_HOST", "127.0.0.1")
    credentials = (pika.credentials.ExternalCredentials() if args.external
                   else pika.PlainCredentials("guest", "guest"))
    return pika.ConnectionParameters(
        host=host, port=args.port, credentials=credentials,
        ssl_options=pika.SSLOptions(tls_context(args), server_hostname=args.server_hostname),
        connection_attempts=1, socket_timeout=5, stack_timeout=15, blocked_connection_timeout=10)


def tls_socket(connection):
    """The ssl.SSLSocket under a BlockingConnection (pika keeps it in its transport), or None."""
    transport = getattr(getattr(connection, "_impl", None), "_transport", None)
    sock = getattr(transport, "_sock", None)
    return sock if isinstance(sock, ssl.SSLSocket) else None


def describe(connection):
    sock = tls_socket(connection)
    if sock is None:
        return "protocol=? cipher=? (pika's socket not found)"
    cipher = sock.cipher()
    peer = sock.getpeercert() or {}
    subject = ",".join("%s=%s" % pair for rdn in peer.get("subject", ()) for pair in rdn)
    return "protocol=%s cipher=%s server=%s" % (sock.version(), cipher[0] if cipher else "?", subject or "?")


def round_trip(connection, args):
    channel = connection.channel()
    channel.confirm_delivery()
    queue = "pika-tls." + uuid.uuid4().hex[:12]
    channel.queue_declare(queue=queue, exclusive=True)
    sent = []
    for i in range(args.messages):
        size = SIZES[i % len(SIZES)]
        body = ("%d:" % i).encode("ascii") + bytes((i + j) % 251 for j in range(size))
        # BlockingChannel with confirms: basic_publish returns once the broker confirmed it (raises if nacked)
        channel.basic_publish(exchange="", routing_key=queue, body=body,
                              properties=pika.BasicProperties(message_id=str(i)))
        sent.append(body)

    received = []

    def on_message(ch, method, properties, body):
        received.append((properties.message_id, body))
        ch.basic_ack(delivery_tag=method.delivery_tag)

    channel.basic_qos(prefetch_count=10)
    channel.basic_consume(queue=queue, on_message_callback=on_message)
    wait_until([connection], lambda: len(received) >= len(sent),
               "%d messages back on %s (got %d)" % (len(sent), queue, len(received)))
    check([m for m, _ in received] == [str(i) for i in range(len(sent))],
          "messages out of order or missing: %r" % [m for m, _ in received])
    for i, (_, body) in enumerate(received):
        check(body == sent[i], "message %d came back changed (%d bytes, sent %d)" % (i, len(body), len(sent[i])))
    channel.close()
    return sum(len(b) for b in sent)


def forbidden_declare(connection, queue):
    channel = connection.channel()
    try:
        channel.queue_declare(queue=queue, exclusive=True)
    except pika.exceptions.ChannelClosedByBroker as e:
        check(e.reply_code == 403, "declaring %s closed the channel with %d %s, expected 403"
              % (queue, e.reply_code, e.reply_text))
        return e.reply_text
    raise TutorialFailure("declaring %s was allowed: the broker did not log in as the certificate's user" % queue)


def test():
    args = parse_args()
    params = parameters(args)
    if args.expect_refused:
        try:
            connection = pika.BlockingConnection(params)
        except (pika.exceptions.AMQPConnectionError, ssl.SSLError, ConnectionError) as e:
            # a handshake the client refuses raises ssl's error; one the server refuses, pika's
            print("refused as expected: %r" % (e,))
            return
        connection.close()
        raise TutorialFailure("the TLS connection was accepted, expected a refusal")
    try:
        connection = pika.BlockingConnection(params)
    except (pika.exceptions.AMQPConnectionError, ssl.SSLError, ConnectionError) as e:
        raise TutorialFailure("cannot connect over TLS to port %d: %r" % (args.port, e))
    try:
        tls = describe(connection)
        check(tls_socket(connection) is None or tls_socket(connection).version() in ("TLSv1.2", "TLSv1.3"),
              "unexpected TLS version: " + tls)
        nbytes = round_trip(connection, args)
        refusal = forbidden_declare(connection, args.forbidden_queue) if args.forbidden_queue else None
        print("round trip: %d messages, %d bytes, %s, client certificate %s, login %s%s"
              % (args.messages, nbytes, tls, "yes" if args.certfile else "no",
                 "EXTERNAL" if args.external else "PLAIN guest",
                 "; forbidden queue refused: " + refusal if refusal else ""))
    finally:
        if connection.is_open:
            connection.close()


if __name__ == "__main__":
    run("pika-tls", test)
