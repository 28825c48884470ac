#!/usr/bin/python3
"""Small AMQP 0-9-1 probes for run-bench.sh (pika; Debian: apt-get install python3-pika).

  amqp_probe.py count   --port P --queue Q              prints the queue's message count (passive declare)
  amqp_probe.py delete  --port P --queue Q              deletes the queue, prints the messages it held
  amqp_probe.py restart --port P --queue Q --expect N --timeout S
  amqp_probe.py declare-ttl-dlx --port P --queue Q --dead D --ttl MS
                                                       declares D, then Q with x-message-ttl MS dead-lettering
                                                       into D through the default exchange (ttl-dlx-1m)

`restart` is started just before a broker is (re)started on a data directory that holds a queue Q
with N messages. It polls until, each printed as the wall-clock time (seconds since the epoch, with
fractions) at which it happened:
  tcp_at            the AMQP port accepts a TCP connection;
  amqp_at           an AMQP connection opens (guest/guest, vhost /);
  queue_at          a passive queue.declare of Q succeeds (the queue exists again);
  first_delivery_at a consumer (basic.qos 1, manual ack) on Q receives its first message — the message
                    is not acked: the connection is closed, so the broker requeues it;
  count_at          a passive queue.declare reports a message count >= N (a second connection, polling
                    every 0.1 s; `count` holds the last count seen).
`start` is when the probe started. Every step gives up S seconds after that; a step not reached
prints "NA". Output: key=value lines on stdout;
errors seen while polling (e.g. 404 NOT_FOUND while the queue is not back yet) go to stderr, once per
distinct message. Exit status 0 when every step was reached, 1 otherwise, 2 on bad usage.
"""

import argparse
import logging
import socket
import sys
import threading
import time

import pika
import pika.exceptions


def params(port, timeout=5.0):
    return pika.ConnectionParameters(
        host="127.0.0.1", port=port,
        credentials=pika.PlainCredentials("guest", "guest"),
        connection_attempts=1, socket_timeout=timeout, blocked_connection_timeout=timeout,
        stack_timeout=timeout, heartbeat=0)


def connect(port):
    return pika.BlockingConnection(params(port))


def close_quietly(conn):
    try:
        if conn is not None and conn.is_open:
            conn.close()
    except Exception:
        pass


def cmd_count(a):
    conn = connect(a.port)
    try:
        ok = conn.channel().queue_declare(queue=a.queue, passive=True)
        print(ok.method.message_count)
    finally:
        close_quietly(conn)
    return 0


def cmd_declare_ttl_dlx(a):
    conn = connect(a.port)
    try:
        channel = conn.channel()
        channel.queue_declare(queue=a.dead)
        channel.queue_declare(queue=a.queue, arguments={
            "x-message-ttl": a.ttl, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": a.dead})
        print("declared")
    finally:
        close_quietly(conn)
    return 0


def cmd_delete(a):
    conn = connect(a.port)
    try:
        ok = conn.channel().queue_delete(queue=a.queue)
        print(ok.method.message_count)
    finally:
        close_quietly(conn)
    return 0


class Restart:
    def __init__(self, a):
        self.a = a
        self.t0 = time.time()
        self.deadline = self.t0 + a.timeout
        self.lock = threading.Lock()
        self.results = {}
        self.count = None
        self.seen_errors = set()

    def now(self):
        return time.time() - self.t0

    def mark(self, key):
        t = time.time()
        with self.lock:
            if key not in self.results:
                self.results[key] = t

    def error(self, where, e):
        text = f"{where}: {type(e).__name__}: {e}".strip()
        with self.lock:
            if text not in self.seen_errors:
                self.seen_errors.add(text)
                print(f"amqp_probe: [{self.now():.3f}s] {text}", file=sys.stderr, flush=True)

    def left(self):
        return self.deadline - time.time()

    def wait_tcp(self):
        while self.left() > 0:
            try:
                with socket.create_connection(("127.0.0.1", self.a.port), timeout=1):
                    self.mark("tcp_at")
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def open(self, where):
        """Connects, retrying until the deadline; returns a connection or None."""
        while self.left() > 0:
            try:
                conn = connect(self.a.port)
                self.mark("amqp_at")
                return conn
            except Exception as e:
                self.error(where, e)
                time.sleep(0.05)
        return None

    def deliver(self):
        got = []
        while self.left() > 0 and not got:
            conn = self.open("consumer connect")
            if conn is None:
                return
            try:
                ch = conn.channel()
                ch.queue_declare(queue=self.a.queue, passive=True)
                self.mark("queue_at")
                ch.basic_qos(prefetch_count=1)
                ch.basic_consume(queue=self.a.queue, auto_ack=False,
                                 on_message_callback=lambda c, m, p, b: got.append(m.delivery_tag))
                while not got and self.left() > 0:
                    conn.process_data_events(time_limit=min(0.05, max(self.left(), 0)))
                if got:
                    self.mark("first_delivery_at")
            except Exception as e:
                self.error("consumer", e)
                time.sleep(0.1)
            finally:
                close_quietly(conn)  # the unacked message goes back to the queue

    def poll_count(self):
        while self.left() > 0:
            conn = self.open("count connect")
            if conn is None:
                return
            try:
                ch = conn.channel()
                while self.left() > 0:
                    ok = ch.queue_declare(queue=self.a.queue, passive=True)
                    self.mark("queue_at")
                    self.count = ok.method.message_count
                    if self.count >= self.a.expect:
                        self.mark("count_at")
                        return
                    time.sleep(0.1)
            except Exception as e:
                self.error("count", e)
                time.sleep(0.1)
            finally:
                close_quietly(conn)

    def run(self):
        threads = []
        if self.wait_tcp():
            threads = [threading.Thread(target=self.deliver, daemon=True),
                       threading.Thread(target=self.poll_count, daemon=True)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(max(self.left(), 0) + 15)
        keys = ["tcp_at", "amqp_at", "queue_at", "first_delivery_at", "count_at"]
        with self.lock:
            print(f"start={self.t0:.3f}")
            for k in keys:
                v = self.results.get(k)
                print(f"{k}={v:.3f}" if v is not None else f"{k}=NA")
            print(f"count={self.count if self.count is not None else 'NA'}")
            return 0 if all(k in self.results for k in keys) else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["count", "delete", "restart", "declare-ttl-dlx"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--queue", required=True)
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--dead", default="")
    p.add_argument("--ttl", type=int, default=5000)
    a = p.parse_args()
    logging.getLogger("pika").setLevel(logging.CRITICAL)  # its connection-refused noise while polling
    if a.command == "restart":
        return Restart(a).run()
    try:
        return {"count": cmd_count, "delete": cmd_delete, "declare-ttl-dlx": cmd_declare_ttl_dlx}[a.command](a)
    except Exception as e:
        print(f"amqp_probe: {a.command} {a.queue}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
