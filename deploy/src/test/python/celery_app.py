"""The Celery application celery_worker.py runs a worker of (Debian's python3-celery, over kombu and py-amqp).

The broker's port comes from $WARREN_AMQP_PORT; queue and exchange names get $WARREN_NAME_PREFIX, as in the other
scripts. Results come back through the rpc:// backend (a reply queue per client), tasks are acknowledged late.
"""
import os

from celery import Celery

PREFIX = os.environ.get("WARREN_NAME_PREFIX", "")

app = Celery("celery_app",
             broker="amqp://guest:guest@%s:%s//" % (os.environ.get("WARREN_AMQP_HOST", "127.0.0.1"),
                                                    os.environ.get("WARREN_AMQP_PORT", "5672")),
             backend="rpc://")
app.conf.update(
    task_default_queue=PREFIX + "celery",
    task_default_exchange=PREFIX + "celery",
    task_default_routing_key=PREFIX + "celery",
    control_exchange=PREFIX + "celery",
    event_exchange=PREFIX + "celeryev",
    task_acks_late=True,
    worker_prefetch_multiplier=4,
    broker_heartbeat=10,
    broker_connection_retry_on_startup=False,
    broker_connection_max_retries=2,  # a worker whose broker has gone away gives up (0 would retry forever)
    result_expires=60,
)


@app.task
def add(x, y):
    return x + y


@app.task(bind=True, max_retries=3, default_retry_delay=0.2)
def succeeds_on_third_try(self, n):
    """Retries twice (each retry is a new message with an ETA, which the worker holds unacknowledged)."""
    if self.request.retries < 2:
        raise self.retry()
    return n * 2
