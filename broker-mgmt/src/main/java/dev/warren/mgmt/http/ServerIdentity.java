package dev.warren.mgmt.http;

import java.util.function.IntSupplier;

/**
 * How this node names itself in the API: RabbitMQ-style node name ("warren@host"), product version, and the
 * ports of its listeners (the HTTP port is known once bound).
 */
record ServerIdentity(String node, String productVersion, int amqpPort, IntSupplier httpPort, int amqpsPort,
                      IntSupplier httpsPort) {
}
