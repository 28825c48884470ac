"""RabbitMQ tutorial 2, "Work Queues": a durable queue 'task_queue' of persistent tasks shared by two
workers, each on its own connection with basic_qos(prefetch_count=1) and manual acks.

Fair dispatch: one worker is slow (its "work" is a short sleep), the other is fast. With prefetch 1 the
broker hands a worker its next task only once it has acked the previous one, so the fast worker does
most of the tasks; plain round-robin (no qos) would split them evenly. Every task is done exactly once.

Crash: a worker that gets a task and closes its connection without acking it does not lose the task:
the broker requeues it and the other worker gets it with the redelivered flag set.
"""
import threading
import time

import pika

from tutorial_support import (SCRIPT_DEADLINE_SECONDS, WAIT_SECONDS, TutorialFailure, check, close_all, connect,
                              run, wait_until)

QUEUE = "task_queue"
TASKS = 20
SLOW_WORK_SECONDS = 0.2
PERSISTENT = pika.BasicProperties(delivery_mode=2)  # pika.spec.PERSISTENT_DELIVERY_MODE
END = "end-of-test"


class Worker(threading.Thread):
    """A tutorial worker in its own thread with its own BlockingConnection (pika is not thread-safe).

    Each task it acks is appended to `done` as (body, redelivered); `progress` is notified after each ack.
    """

    def __init__(self, name, work_seconds, progress):
        super().__init__(name=name, daemon=True)
        self.work_seconds = work_seconds
        self.progress = progress
        self.done = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error = None

    def run(self):
        connection = None
        try:
            connection = connect()
            channel = connection.channel()
            channel.queue_declare(queue=QUEUE, durable=True)
            channel.basic_qos(prefetch_count=1)
            channel.basic_consume(queue=QUEUE, on_message_callback=self._on_message)  # manual acks
            self.ready.set()
            deadline = time.monotonic() + SCRIPT_DEADLINE_SECONDS
            while not self.stop.is_set():
                if time.monotonic() > deadline:
                    raise TutorialFailure("%s was never told to stop" % self.name)
                connection.process_data_events(time_limit=0.05)
        except BaseException as e:  # reported by the main thread
            self.error = e
        finally:
            try:
                if connection is not None and connection.is_open:
                    connection.close()
            except BaseException as e:
                self.error = self.error or e
            self.ready.set()
            with self.progress:
                self.progress.notify_all()

    def _on_message(self, channel, method, properties, body):
        if self.work_seconds:
            time.sleep(self.work_seconds)  # the tutorial's simulated work
        channel.basic_ack(delivery_tag=method.delivery_tag)
        with self.progress:
            self.done.append((body.decode("utf-8"), method.redelivered))
            self.progress.notify_all()


def check_workers(workers):
    for worker in workers:
        if worker.error is not None:
            raise TutorialFailure("%s failed: %r" % (worker.name, worker.error))


def fair_dispatch(producer_channel):
    progress = threading.Condition()
    slow = Worker("slow worker", SLOW_WORK_SECONDS, progress)
    fast = Worker("fast worker", 0, progress)
    workers = [slow, fast]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            check(worker.ready.wait(WAIT_SECONDS), "%s did not start consuming within %d s" % (worker.name, WAIT_SECONDS))
            check_workers(workers)

        tasks = ["task %d" % i for i in range(1, TASKS + 1)]
        for task in tasks:
            producer_channel.basic_publish(exchange="", routing_key=QUEUE, body=task, properties=PERSISTENT)

        def all_acked_or_failed():
            return (sum(len(w.done) for w in workers) >= TASKS
                    or any(w.error is not None or not w.is_alive() for w in workers))

        with progress:
            finished = progress.wait_for(all_acked_or_failed, timeout=WAIT_SECONDS * 2)
        check_workers(workers)
        check(finished, "timed out after %d s: only %d of %d tasks acked (slow %r, fast %r)"
              % (WAIT_SECONDS * 2, len(slow.done) + len(fast.done), TASKS, slow.done, fast.done))
    finally:
        for worker in workers:
            worker.stop.set()
        for worker in workers:
            if worker.ident is not None:
                worker.join(WAIT_SECONDS)
    check_workers(workers)
    for worker in workers:
        check(not worker.is_alive(), "%s did not close its connection within %d s" % (worker.name, WAIT_SECONDS))

    print("fair dispatch: slow worker (%.1f s a task) did %d tasks, fast worker did %d, of %d"
          % (SLOW_WORK_SECONDS, len(slow.done), len(fast.done), TASKS))
    done = [body for body, _ in slow.done + fast.done]
    check(sorted(done) == sorted(tasks),
          "every task should be done exactly once; slow did %r, fast did %r" % (slow.done, fast.done))
    redelivered = [body for body, flag in slow.done + fast.done if flag]
    check(not redelivered, "no task was rejected or lost, yet these came redelivered: %r" % redelivered)
    check(len(slow.done) >= 1, "the slow worker should have got at least its first task, it did none")
    check(len(slow.done) <= TASKS // 3,
          "with prefetch_count=1 the slow worker should do at most %d of %d tasks (fair dispatch), it did %d: %r"
          % (TASKS // 3, TASKS, len(slow.done), slow.done))
    left = producer_channel.queue_declare(queue=QUEUE, durable=True, passive=True).method.message_count
    check(left == 0, "%s should be empty once every task is acked, it has %d messages" % (QUEUE, left))


class ManualAckConsumer:
    """A worker driven from the main thread: collects (body, redelivered), acking only if asked to."""

    def __init__(self, name, ack):
        self.name = name
        self.ack = ack
        self.connection = connect()
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue=QUEUE, durable=True)
        self.channel.basic_qos(prefetch_count=1)
        self.received = []
        self.channel.basic_consume(queue=QUEUE, on_message_callback=self._on_message)

    def _on_message(self, channel, method, properties, body):
        self.received.append((body.decode("utf-8"), method.redelivered))
        if self.ack:
            channel.basic_ack(delivery_tag=method.delivery_tag)


def crashed_worker(producer, producer_channel):
    crasher = ManualAckConsumer("crashing worker", ack=False)
    survivor = None
    try:
        producer_channel.basic_publish(exchange="", routing_key=QUEUE, body="crash task", properties=PERSISTENT)
        wait_until([crasher.connection], lambda: crasher.received, "the crash task at the crashing worker")
        check(crasher.received == [("crash task", False)],
              "the crashing worker should get ('crash task', redelivered=False), got %r" % crasher.received)

        survivor = ManualAckConsumer("surviving worker", ack=True)
        crasher.connection.close()  # dies without acking: the broker must requeue the task

        wait_until([survivor.connection], lambda: survivor.received,
                   "the crash task redelivered to the surviving worker")
        # The end marker is queued behind anything else the queue holds, so once it arrives the surviving
        # worker has had every copy of the crash task the broker was going to give it.
        producer_channel.basic_publish(exchange="", routing_key=QUEUE, body=END, properties=PERSISTENT)
        wait_until([survivor.connection, producer], lambda: any(b == END for b, _ in survivor.received),
                   "the end marker at the surviving worker")
        check(survivor.received == [("crash task", True), (END, False)],
              "the surviving worker should get the unacked task once with redelivered=True, then the end marker; "
              "got %r" % survivor.received)
        print("crash: the task left unacked by the closed worker was redelivered to the other (redelivered=True)")
    finally:
        close_all([crasher.connection] + ([survivor.connection] if survivor else []))


def test():
    producer = connect()
    try:
        channel = producer.channel()
        channel.queue_declare(queue=QUEUE, durable=True)
        channel.queue_purge(queue=QUEUE)  # the script may run again on the same broker

        fair_dispatch(channel)
        crashed_worker(producer, channel)

        channel.queue_delete(queue=QUEUE)
    finally:
        close_all([producer])


run("work queues", test)
