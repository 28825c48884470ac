package dev.warren.mgmt.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Function;
import java.nio.file.Path;

/**
 * How the management HTTP server listens.
 *
 * @param host           interface to bind; "" means every interface (IPv6 and IPv4), as RabbitMQ's default
 * @param port           HTTP port; 0 picks a free one (tests); -1: no HTTP listener (HTTPS only). Whether management
 *                       runs at all is the caller's choice
 * @param dataDir        where {@code warrenctl.json} (URL and local secret for warrenctl) is written; null: nowhere
 * @param amqpPort       the AMQP listener's port, reported in /api/overview's listeners (0: not listed)
 * @param productVersion reported as product_version in /api/overview
 * @param sslPort        HTTPS port beside the HTTP one (management.ssl.port); -1: none, 0: a free one (tests)
 * @param tls            makes the TLS handler of each HTTPS connection (the current certificate); null with no HTTPS
 * @param amqpsPort      the AMQPS listener's port, reported in /api/overview's listeners (-1: none)
 * @param httpsTrust     PEM certificates warrenctl trusts for the local node over HTTPS when there is no HTTP
 *                       listener (management.ssl.cacertfile, else the certificate file); null with no HTTPS
 * @param ratesIntervalMillis how often message rates and queue lengths are sampled
 *                       (management.rates_interval_seconds); 0: not sampled, every rate is 0
 */
public record ManagementSettings(String host, int port, Path dataDir, int amqpPort, String productVersion, int sslPort,
                                 Function<ByteBufAllocator, SslHandler> tls, int amqpsPort,
                                 Path httpsTrust, long ratesIntervalMillis) {
    /** RabbitMQ's management port. */
    public static final int DEFAULT_PORT = 15672;
    /** RabbitMQ's sampling interval (collect_statistics_interval). */
    public static final long DEFAULT_RATES_INTERVAL_MILLIS = 5_000;

    public ManagementSettings {
        host = host == null ? "" : host;
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("management port out of range: " + port);
        }
        productVersion = productVersion == null ? "unknown" : productVersion;
        if (ratesIntervalMillis < 0) {
            throw new IllegalArgumentException("rates interval must not be negative: " + ratesIntervalMillis);
        }
    }

    /** Every interface, port 15672, no data directory, AMQP on 5672. */
    public static ManagementSettings defaults() {
        return new ManagementSettings("", DEFAULT_PORT, null, 5672, versionOfThisBuild(), -1, null, -1, null,
                DEFAULT_RATES_INTERVAL_MILLIS);
    }

    public ManagementSettings withHost(String newHost) {
        return new ManagementSettings(newHost, port, dataDir, amqpPort, productVersion, sslPort, tls, amqpsPort, httpsTrust, ratesIntervalMillis);
    }

    public ManagementSettings withPort(int newPort) {
        return new ManagementSettings(host, newPort, dataDir, amqpPort, productVersion, sslPort, tls, amqpsPort, httpsTrust, ratesIntervalMillis);
    }

    public ManagementSettings withDataDir(Path newDataDir) {
        return new ManagementSettings(host, port, newDataDir, amqpPort, productVersion, sslPort, tls, amqpsPort, httpsTrust, ratesIntervalMillis);
    }

    public ManagementSettings withAmqpPort(int newAmqpPort) {
        return new ManagementSettings(host, port, dataDir, newAmqpPort, productVersion, sslPort, tls, amqpsPort, httpsTrust, ratesIntervalMillis);
    }

    public ManagementSettings withProductVersion(String newVersion) {
        return new ManagementSettings(host, port, dataDir, amqpPort, newVersion, sslPort, tls, amqpsPort, httpsTrust, ratesIntervalMillis);
    }

    /**
     * HTTPS on this port too, each connection's TLS handler made by {@code handlers} (management.ssl.*);
     * {@code trust} is the PEM file warrenctl trusts for this node when it has only HTTPS.
     */
    public ManagementSettings withHttps(int newSslPort, Function<ByteBufAllocator, SslHandler> handlers, Path trust) {
        return new ManagementSettings(host, port, dataDir, amqpPort, productVersion, newSslPort, handlers, amqpsPort, trust, ratesIntervalMillis);
    }

    public ManagementSettings withAmqpsPort(int newAmqpsPort) {
        return new ManagementSettings(host, port, dataDir, amqpPort, productVersion, sslPort, tls, newAmqpsPort, httpsTrust, ratesIntervalMillis);
    }

    /** Samples rates every {@code millis} (0: not at all). */
    public ManagementSettings withRatesInterval(long millis) {
        return new ManagementSettings(host, port, dataDir, amqpPort, productVersion, sslPort, tls, amqpsPort, httpsTrust,
                millis);
    }

    private static String versionOfThisBuild() {
        String version = ManagementSettings.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0" : version;
    }
}
