"""A Celery worker and client against the broker, as a Celery application uses RabbitMQ.

Starts `celery worker` (solo pool, events on) for celery_app.py in a child process, then as a client: a task's
result through the rpc:// backend, a group of tasks, a task that retries twice, a countdown (an ETA the worker
holds unacknowledged while it raises its prefetch), remote control (ping and inspect through the fanout pidbox
exchange and reply queues that expire), and the task events a monitor receives. The worker is stopped (SIGTERM,
a warm shutdown) at the end, and killed if it is still there.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

from tutorial_support import broker_address, check, run

WORKER_READY_SECONDS = 20
RESULT_SECONDS = 15


def die_with_parent():
    """In the worker's process before it runs: SIGKILL when this script ends, however it ends (PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def start_worker(port):
    env = dict(os.environ, WARREN_AMQP_PORT=str(port), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=solo", "--events",
         "--without-mingle", "--without-gossip", "--loglevel=INFO", "--hostname=warren-test@%h"],
        cwd=os.path.dirname(os.path.abspath(__file__)), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent)


def stop_worker(worker):
    """Stops the worker (warm shutdown) and returns its output."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return worker.communicate()[0]


def await_pong(app):
    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1)
        if replies:
            return replies
    return []


def test():
    _, port = broker_address()
    os.environ["WARREN_AMQP_PORT"] = str(port)
    from celery import group
    from celery_app import add, app, succeeds_on_third_try

    worker = start_worker(port)
    output = ""
    try:
        replies = await_pong(app)
        check(any(r.get("ok") == "pong" for reply in replies for r in reply.values()),
              "no pong from the worker within %d s through the pidbox exchange: %r" % (WORKER_READY_SECONDS, replies))

        check(add.delay(2, 3).get(timeout=RESULT_SECONDS) == 5, "add(2, 3) is not 5")
        sums = group(add.s(i, i) for i in range(10))().get(timeout=RESULT_SECONDS)
        check(sums == [2 * i for i in range(10)], "the group's results: %r" % sums)
        check(succeeds_on_third_try.delay(21).get(timeout=RESULT_SECONDS) == 42, "the retried task's result")
        sent = time.monotonic()
        check(add.apply_async((1, 1), countdown=1).get(timeout=RESULT_SECONDS) == 2, "the countdown task's result")
        check(time.monotonic() - sent >= 1, "the countdown task ran before its countdown")

        inspect = app.control.inspect(timeout=2)
        queues = inspect.active_queues() or {}
        names = [q["name"] for worker_queues in queues.values() for q in worker_queues]
        check(app.conf.task_default_queue in names, "inspect active_queues: %r" % queues)

        seen = []
        with app.connection() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": lambda event: seen.append(event["type"])})
            events = receiver.itercapture(limit=None, timeout=RESULT_SECONDS, wakeup=False)
            next(events)  # the monitor's queue is bound once its first event (a worker heartbeat) is in
            check(add.delay(20, 22).get(timeout=RESULT_SECONDS) == 42, "add(20, 22) is not 42")
            deadline = time.monotonic() + RESULT_SECONDS
            while "task-succeeded" not in seen and time.monotonic() < deadline:
                next(events)
        check({"task-received", "task-started", "task-succeeded"} <= set(seen),
              "the task events a monitor got: %r" % sorted(set(seen)))
    except BaseException:
        output = stop_worker(worker)
        print("---- the worker's output ----\n" + output, file=sys.stderr)
        raise
    output = stop_worker(worker)
    check(worker.returncode == 0, "the worker exited with %s:\n%s" % (worker.returncode, output))
    check("Traceback" not in output, "the worker logged an exception:\n" + output)


if __name__ == "__main__":
    run("celery_worker", test)
