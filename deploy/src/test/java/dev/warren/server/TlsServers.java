package dev.warren.server;

import dev.warren.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a broker with TLS the way users configure it: a config file of RabbitMQ's keys, read by
 * {@link ServerConfig#load}, with plain AMQP on a free loopback port and AMQPS on a free port.
 */
final class TlsServers {
    private TlsServers() {
    }

    /**
     * Writes {@code file} with an AMQPS listener using {@code cert} (and the CA of {@code pki} for client
     * certificates), data under {@code dataDir}, then {@code extraKeys}, and starts the broker from it.
     */
    static WarrenServer start(Path file, Path dataDir, TestPki pki, TestPki.Issued cert, String... extraKeys)
            throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "listeners.tcp.default = 127.0.0.1:0",
                "listeners.ssl.default = 0", // every interface: clients use localhost and 127.0.0.1
                "warren.data_dir = " + dataDir,
                "ssl_options.cacertfile = " + pki.caFile(),
                "ssl_options.certfile = " + cert.certFile(),
                "ssl_options.keyfile = " + cert.keyFile()));
        lines.addAll(List.of(extraKeys));
        Files.writeString(file, String.join("\n", lines) + "\n");
        return WarrenServer.start(ServerConfig.load(new String[] {"--config", file.toString()}, Map.of()));
    }
}
