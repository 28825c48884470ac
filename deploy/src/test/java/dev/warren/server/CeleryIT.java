package dev.warren.server;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Celery worker and its client (Debian's python3-celery, over kombu and py-amqp rather than pika) against an
 * in-process Warren: src/test/python/celery_worker.py, which passes against RabbitMQ 3.10 too
 * ({@code WARREN_NAME_PREFIX=pyh- /usr/bin/python3 celery_worker.py 5672}).
 */
@Timeout(120)
class CeleryIT extends PikaScriptIT {

    @Test
    void aWorkerRunsTasksRetriesAndCountdownsAnswersRemoteControlAndSendsTaskEvents() throws Exception {
        Result celery = run(PYTHON, "-c", "import celery");
        if (celery.exitCode() != 0) {
            fail(PYTHON + " cannot import celery; install it with 'apt-get install python3-celery' (or run .ci/run, "
                    + "which does). Python said:\n" + celery.output());
        }
        runScript("celery_worker.py");
    }
}
